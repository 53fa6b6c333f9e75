"""One Parquet file per split, written as rows stream in, with the `datasets` features in its metadata (so
`datasets.load_dataset("parquet", ...)` — what verl, EasyR1 and TRL users load with — decodes image columns to
PIL images)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Records buffered per split before a row group is written.
BATCH_ROWS = 64


class SplitWriter:
    """`add(split, record)` appends a record (a dict matching `features`) to `out/<split>.parquet`; `close()`
    flushes and returns `{split: path}`. `features` is a `datasets.Features` or the dict it is made from."""

    def __init__(self, out: Path, features: Any) -> None:
        try:
            import datasets
        except ImportError as e:  # pragma: no cover - the dev and hub extras install it
            raise ImportError("vdata export writes `datasets` features: pip install 'vdata[hub]'") from e

        self.out = out
        self.features = features if isinstance(features, datasets.Features) else datasets.Features(features)
        self.schema = self.features.arrow_schema
        self._buffers: dict[str, list[dict[str, Any]]] = {}
        self._writers: dict[str, Any] = {}

    def add(self, split: str, record: dict[str, Any]) -> None:
        buffer = self._buffers.setdefault(split, [])
        buffer.append(self.features.encode_example(record))
        if len(buffer) >= BATCH_ROWS:
            self._flush(split)

    def _flush(self, split: str) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        buffer = self._buffers.get(split)
        if not buffer:
            return
        if split not in self._writers:
            self._writers[split] = pq.ParquetWriter(self.out / f"{split}.parquet", self.schema)
        self._writers[split].write_table(pa.Table.from_pylist(buffer, schema=self.schema))
        buffer.clear()

    def close(self) -> dict[str, str]:
        for split in list(self._buffers):
            self._flush(split)
        for writer in self._writers.values():
            writer.close()
        return {split: str(self.out / f"{split}.parquet") for split in sorted(self._writers)}
