"""Reading curate outputs in tests: the report through DuckDB, the kept rows by their original key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from vdata.schemas import parse_meta
from vdata.shards import read_table


def report(out: Path, step: str) -> list[dict[str, Any]]:
    """The report rows, joined with each sample's `video_id` and original jsonl id (`key`) from its input."""
    rows = duckdb.sql(f"SELECT * FROM '{out}/curate-{step}.parquet'").to_arrow_table().to_pylist()
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    for root in {r["input"] for r in rows}:
        for r in read_table(root, columns=["id", "video_id", "meta"]).to_pylist():
            keys[(root, r["id"])] = (r["video_id"], parse_meta(r["meta"]).get("source_id", r["id"]))
    for r in rows:
        r["video_id"], r["key"] = keys[(r["input"], r["id"])]
    return rows


def kept_keys(out: Path) -> list[str]:
    return sorted(parse_meta(r["meta"]).get("source_id", r["id"]) for r in read_table(out, columns=["id", "meta"]).to_pylist())
