"""The dataset manifest `vdata.json`, the Hugging Face shard file names and how the Parquet files are written."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from vdata.errors import VdataError

MANIFEST_NAME = "vdata.json"
#: Columns dictionary-encoded in shards and the index: those whose values repeat (ids, numbers and frame bytes
#: rarely do, and trying a dictionary on them costs more time than it saves space).
DICTIONARY_COLUMNS = ("source", "split", "video", "video_id", "task", "question", "answer")


def parquet_write_options() -> dict[str, Any]:
    """Keyword arguments of `pq.ParquetWriter` for shards and the index: zstd, statistics, `DICTIONARY_COLUMNS`.

    >>> parquet_write_options()["compression"]
    'zstd'
    """
    return {"compression": "zstd", "write_statistics": True, "use_dictionary": list(DICTIONARY_COLUMNS)}


def shard_name(split: str, index: int, count: int) -> str:
    """`train-00000-of-00008.parquet`: the Hugging Face layout that `datasets` and the Hub read as is.

    >>> shard_name("train", 0, 8)
    'train-00000-of-00008.parquet'
    """
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


def read_manifest(root: str | Path) -> dict[str, Any]:
    """The parsed `vdata.json` of a built dataset; a clear `VdataError` when absent or unreadable."""
    path = Path(root) / MANIFEST_NAME
    if not path.exists():
        raise VdataError(f"{root}: no {MANIFEST_NAME}; not a finished vdata dataset (did the build finish?)")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise VdataError(f"{path}: not valid JSON ({e})") from None


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
