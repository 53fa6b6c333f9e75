"""DuckDB over a built dataset: a view `samples` over its rows and a view `errors` over errors.parquet.

When the dataset has a metadata index (`vdata.shards.index`), `samples` reads it: one small file instead of every
shard's footer and column chunks. Its `frames` column is a stand-in that raises when a row's value is computed, so
a query that touches frame bytes fails on the index and `query` runs it again over the shards; a query that does
not gets the same rows either way. Without an index `samples` reads the shards, and DuckDB reads only the columns
a query names: a metadata query never reads frame bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vdata.errors import VdataError
from vdata.schemas import columns_of, version_of
from vdata.shards import ERRORS_SCHEMA, index_path, shard_paths

#: The message of the index's stand-in `frames` column: how `query` knows to read the shards instead.
NO_FRAMES = "vdata: the metadata index holds no frames"
_FRAMES_TYPE = 'STRUCT("bytes" BLOB, "path" VARCHAR)[]'


def connect(root: str | Path, use_index: bool = False) -> Any:
    """A DuckDB connection with the views `samples` and `errors` over the dataset at `root`. With `use_index`
    and a metadata index, `samples` reads the index and its `frames` raise when read (see the module
    docstring: for queries that name no frame bytes, as `query` and `vdata info` run them); else the shards.
    Either way every shard the manifest names must exist (a `VdataError` names the first missing one)."""
    import duckdb
    import pyarrow.parquet as pq

    root = Path(root)
    paths = shard_paths(root)
    if not paths:
        raise VdataError(f"{root}: no shards under data/")
    index = index_path(root) if use_index else None
    con = duckdb.connect()
    if index is not None:
        cols = ", ".join(f"error('{NO_FRAMES}')::{_FRAMES_TYPE} AS frames" if c == "frames" else f'"{c}"'
                         for c in columns_of(version_of(pq.read_schema(index), str(index))))
        con.execute(f"CREATE VIEW samples AS SELECT {cols} FROM read_parquet({_quote(index)})")
    else:
        files = ", ".join(_quote(p) for p in paths)
        con.execute(f"CREATE VIEW samples AS SELECT * FROM read_parquet([{files}])")
    errors = root / "errors.parquet"
    if errors.exists():
        con.execute(f"CREATE VIEW errors AS SELECT * FROM read_parquet({_quote(errors)})")
    else:
        cols = ", ".join(f"NULL::VARCHAR AS {name}" for name in ERRORS_SCHEMA.names)
        con.execute(f"CREATE VIEW errors AS SELECT {cols} WHERE false")
    return con


def query(root: str | Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run `sql` against the dataset; returns (column names, rows). SQL errors become `VdataError`."""
    import duckdb

    use_index = True  # first over the index; over the shards when the query reads frames
    while True:
        try:
            result = connect(root, use_index).execute(sql)
            rows = result.fetchall()
        except duckdb.Error as e:
            if use_index and NO_FRAMES in str(e):
                use_index = False  # the query reads frame bytes: run it over the shards
                continue
            raise VdataError(f"query failed: {e}") from None
        names = [d[0] for d in result.description] if result.description else []
        return names, rows


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
