"""Read a built dataset's shards, checked against schema v1."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vdata.errors import SchemaError, VdataError
from vdata.schemas import COLUMNS, SCHEMA, SCHEMA_VERSION, VERSION_KEY, validate_table


def shard_paths(root: str | Path, split: str | None = None) -> list[Path]:
    """The Parquet shards under `root/data/` (all splits, or one), sorted by name."""
    data = Path(root) / "data"
    if not data.is_dir():
        raise VdataError(f"{root}: no data/ folder; not a vdata dataset")
    pattern = f"{split}-*.parquet" if split else "*.parquet"
    return sorted(data.glob(pattern))


def check_shard_schema(path: Path) -> None:
    """Raise `SchemaError` unless the file's schema is schema v1 (version, names and types)."""
    schema = pq.read_schema(path)
    version = (schema.metadata or {}).get(VERSION_KEY, b"").decode()
    if version != SCHEMA_VERSION:
        raise SchemaError(f"{path}: schema version {version or 'missing'!r}, this vdata reads {SCHEMA_VERSION!r}")
    for field in SCHEMA:
        if field.name not in schema.names or schema.field(field.name).type != field.type:
            raise SchemaError(f"{path}: column {field.name!r} missing or not {field.type}")


def read_table(root: str | Path, columns: Sequence[str] | None = None, split: str | None = None) -> pa.Table:
    """All rows of a dataset (or one split) as one table; only `columns` when given (no frame bytes read
    unless asked). Every shard's schema is checked; full reads are validated row by row as well."""
    paths = shard_paths(root, split)
    if not paths:
        return SCHEMA.empty_table() if columns is None else SCHEMA.empty_table().select(list(columns))
    tables = []
    for path in paths:
        check_shard_schema(path)
        table = pq.read_table(path, columns=list(columns) if columns else None)
        if columns is None:
            validate_table(table, str(path))
        tables.append(table)
    return pa.concat_tables(tables)


def iter_rows(
    root: str | Path, columns: Sequence[str] | None = None, split: str | None = None, batch_rows: int = 64
) -> Iterator[dict[str, Any]]:
    """Stream rows as dicts, `batch_rows` at a time in memory (bounded whatever the dataset size)."""
    for path in shard_paths(root, split):
        check_shard_schema(path)
        with pq.ParquetFile(path) as f:
            for batch in f.iter_batches(batch_size=batch_rows, columns=list(columns) if columns else list(COLUMNS)):
                yield from batch.to_pylist()
