"""DuckDB over a built dataset: a view `samples` over every shard and a view `errors` over errors.parquet.

Shards are plain Parquet, so DuckDB reads only the columns a query names: a metadata query never reads frame
bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vdata.errors import VdataError
from vdata.shards import ERRORS_SCHEMA, shard_paths


def connect(root: str | Path) -> Any:
    """A DuckDB connection with the views `samples` and `errors` over the dataset at `root`."""
    import duckdb

    root = Path(root)
    paths = shard_paths(root)
    con = duckdb.connect()
    if paths:
        files = ", ".join(_quote(p) for p in paths)
        con.execute(f"CREATE VIEW samples AS SELECT * FROM read_parquet([{files}])")
    else:
        raise VdataError(f"{root}: no shards under data/")
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

    con = connect(root)
    try:
        result = con.execute(sql)
    except duckdb.Error as e:
        raise VdataError(f"query failed: {e}") from None
    names = [d[0] for d in result.description] if result.description else []
    return names, result.fetchall()


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"
