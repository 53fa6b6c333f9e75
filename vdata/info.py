"""Summaries of a built dataset for `vdata info` (metadata columns only: the index when there is one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vdata.query import connect
from vdata.shards import read_manifest


def summarise(root: str | Path) -> dict[str, Any]:
    """Rows by split, task and source; keyframes; errors by code; bytes on disk; schema version. Reads the
    metadata index when the dataset has one (no shard is opened), else the shards' metadata columns."""
    root = Path(root)
    manifest = read_manifest(root)
    con = connect(root, use_index=True)

    def grouped(column: str) -> dict[str, int]:
        rows = con.execute(f"SELECT {column}, count(*) FROM samples GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
        return {str(k): int(v) for k, v in rows}

    rows, frames, video_s = con.execute(
        "SELECT count(*), coalesce(sum(len(frame_indices)), 0), coalesce(sum(clip_end_s - clip_start_s), 0) "
        "FROM samples"
    ).fetchone()
    errors = dict(con.execute("SELECT code, count(*) FROM errors GROUP BY 1 ORDER BY 2 DESC").fetchall())
    return {
        "path": str(root),
        "schema_version": manifest.get("schema_version"),
        "rows": int(rows),
        "keyframes": int(frames),
        "video_hours": round(float(video_s) / 3600, 4),
        "bytes": sum(s["bytes"] for s in manifest.get("shards", [])),
        "shards": len(manifest.get("shards", [])),
        "by_split": grouped("split"),
        "by_task": grouped("task"),
        "by_source": grouped("source"),
        "errors": {str(k): int(v) for k, v in errors.items()},
    }
