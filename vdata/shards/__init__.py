"""Parquet shards in the Hugging Face layout: atomic, resumable writing and schema-checked reading."""

from vdata.shards.errors_table import ERRORS_SCHEMA, error_table
from vdata.shards.manifest import MANIFEST_NAME, read_manifest, shard_name
from vdata.shards.reader import iter_rows, read_table, shard_paths
from vdata.shards.writer import FingerprintMismatch, ShardInfo, ShardWriter

__all__ = [
    "ERRORS_SCHEMA",
    "MANIFEST_NAME",
    "FingerprintMismatch",
    "ShardInfo",
    "ShardWriter",
    "error_table",
    "iter_rows",
    "read_manifest",
    "read_table",
    "shard_name",
    "shard_paths",
]
