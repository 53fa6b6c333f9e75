"""The metadata index `OUT/index.parquet`: every column of every shard but `frames`, in one file.

Written by `ShardWriter.finish` once the shards are in place and named in the manifest (`"index": {"path",
"rows", "bytes", "sha256"}`). Its rows are the shards' rows in manifest order (shards sorted by path, rows in
file order), so row `k` of the index is row `k` of the shards read one after the other. It sits beside `data/`,
not in it, and its name holds no split name: `datasets.load_dataset("parquet", data_dir=OUT)` loads the shards
only. A query that names no frame bytes (`vdata query`, `vdata info`, `mix`'s counts, a trainer's sampler through
`read_metadata`) reads this one small file instead of the footers and column chunks of every shard. A build into a URL
writes it too (from the uploaded shards' metadata columns). A dataset without an index (built by an older vdata)
is read from its shards, with the same result.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vdata.errors import VdataError
from vdata.schemas import METADATA_COLUMNS, SCHEMA, columns_of, upgrade, version_of
from vdata.shards.manifest import MANIFEST_NAME, file_sha256, parquet_write_options, read_manifest
from vdata.shards.reader import check_shard_schema, read_table, shard_paths

log = logging.getLogger(__name__)

INDEX_NAME = "index.parquet"
#: The index's schema: schema v1 without `frames` (same types, same version metadata).
INDEX_SCHEMA: pa.Schema = pa.schema([SCHEMA.field(c) for c in METADATA_COLUMNS], metadata=SCHEMA.metadata)
#: Rows per row group of the index: few row groups (a small footer), enough of them for DuckDB's threads.
INDEX_ROW_GROUP_ROWS = 128 * 1024


def write_index(root: str | Path, shards: Sequence[str | Path], filesystem: Any = None) -> dict[str, Any]:
    """Write `root/index.parquet` from `shards` (in that order; paths relative to `root` or absolute), one row
    group of each shard in memory at a time; returns its manifest entry `{"path", "rows", "bytes", "sha256"}`.
    With an fsspec `filesystem`, `shards` are paths in it (a dataset at a URL: only the metadata columns' chunks
    are fetched) and the index is written to the local folder `root`."""
    root = Path(root)
    tmp = root / (INDEX_NAME + ".tmp")
    rows = 0
    with pq.ParquetWriter(tmp, INDEX_SCHEMA, **parquet_write_options()) as writer:
        pending: list[pa.RecordBatch] = []
        for shard in shards:
            source = filesystem.open(str(shard), "rb") if filesystem is not None else nullcontext(root / shard)
            with source as opened, pq.ParquetFile(opened) as f:
                for batch in f.iter_batches(batch_size=INDEX_ROW_GROUP_ROWS, columns=list(METADATA_COLUMNS)):
                    pending.append(batch)
                    rows += batch.num_rows
                    if sum(b.num_rows for b in pending) >= INDEX_ROW_GROUP_ROWS:
                        _write_group(writer, pending)
                        pending = []
        _write_group(writer, pending)
    os.replace(tmp, root / INDEX_NAME)
    path = root / INDEX_NAME
    return {"path": INDEX_NAME, "rows": rows, "bytes": path.stat().st_size, "sha256": file_sha256(path)}


def _write_group(writer: pq.ParquetWriter, batches: list[pa.RecordBatch]) -> None:
    if batches:
        table = pa.Table.from_batches([pa.RecordBatch.from_arrays(b.columns, schema=INDEX_SCHEMA) for b in batches])
        writer.write_table(table, row_group_size=max(1, table.num_rows))


def index_path(root: str | Path) -> Path | None:
    """The index file of the finished dataset at `root`, or None when its manifest names none (an older dataset,
    a folder without a manifest) or the named file is missing (logged; the shards are read instead)."""
    root = Path(root)
    if not (root / MANIFEST_NAME).exists():
        return None
    entry = read_manifest(root).get("index")
    if not entry:
        return None
    path = root / entry["path"]
    if not path.is_file():
        log.warning("%s: the index %s named in %s is missing; reading the shards", root, entry["path"], MANIFEST_NAME)
        return None
    return path


def read_metadata(root: str | Path, columns: Sequence[str] | None = None, split: str | None = None) -> pa.Table:
    """Every row's metadata (all columns but `frames`, or only `columns`), from the index when the dataset has
    one, else from its shards; rows in shard order (row `k` is row `k` of the shards read in manifest order).
    The sampler's reader: task, split, spans, durations of a million rows in well under a second.
    `columns` naming `frames` raise `VdataError` (read frames with `read_table` or `iter_rows`).
    """
    wanted = list(columns) if columns is not None else list(METADATA_COLUMNS)
    if "frames" in wanted:
        raise VdataError("read_metadata reads no frame bytes; use vdata.shards.read_table for 'frames'")
    path = index_path(root)
    if path is None:
        return read_table(root, columns=wanted, split=split)
    read = wanted if split is None or "split" in wanted else [*wanted, "split"]
    held = columns_of(version_of(pq.read_schema(path), str(path)))  # an index of schema v1 lacks v2's columns
    table = pq.read_table(path, columns=[c for c in read if c in held],
                          filters=[("split", "=", split)] if split is not None else None)
    return upgrade(table).select(wanted)


def check_index(root: str | Path) -> list[str]:
    """Problems with the index of the dataset at `root`, one line each (empty list: no index, or it matches):
    the file named in the manifest exists with its sha256 and row count, and its rows equal the shards' metadata
    columns row for row."""
    root = Path(root)
    entry = read_manifest(root).get("index")
    if not entry:
        return []
    path = root / entry["path"]
    if not path.is_file():
        return [f"{entry['path']}: the index named in the manifest is missing"]
    if file_sha256(path) != entry["sha256"]:
        return [f"{entry['path']}: sha256 differs from the manifest (file changed or corrupt)"]
    index = pq.read_table(path)
    if index.num_rows != entry["rows"]:
        return [f"{entry['path']}: {index.num_rows} rows, the manifest says {entry['rows']}"]
    expected = [c for c in columns_of(version_of(index.schema, entry["path"])) if c != "frames"]  # v1 or v2
    if index.schema.names != expected:
        return [f"{entry['path']}: columns {index.schema.names}, expected every column but frames"]
    offset = 0
    for shard in shard_paths(root):
        check_shard_schema(shard)
        table = pq.read_table(shard, columns=expected)
        if not index.slice(offset, table.num_rows).equals(table):
            return [f"{entry['path']}: rows {offset}-{offset + table.num_rows - 1} differ from "
                    f"{shard.relative_to(root).as_posix()} (rebuild the index: the shards changed)"]
        offset += table.num_rows
    if offset != index.num_rows:
        return [f"{entry['path']}: {index.num_rows} rows, the shards hold {offset}"]
    return []
