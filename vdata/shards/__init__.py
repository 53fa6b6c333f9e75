"""Parquet shards in the Hugging Face layout: atomic, resumable writing, schema-checked reading, and the metadata
index beside them."""

from vdata.shards.errors_table import ERRORS_SCHEMA, error_table
from vdata.shards.index import INDEX_NAME, index_path, read_metadata
from vdata.shards.manifest import MANIFEST_NAME, read_manifest, shard_name
from vdata.shards.reader import counts, iter_rows, read_table, shard_paths
from vdata.shards.writer import FingerprintMismatch, ShardInfo, ShardWriter

__all__ = [
    "ERRORS_SCHEMA",
    "INDEX_NAME",
    "MANIFEST_NAME",
    "FingerprintMismatch",
    "ShardInfo",
    "ShardWriter",
    "counts",
    "error_table",
    "index_path",
    "iter_rows",
    "read_manifest",
    "read_metadata",
    "read_table",
    "shard_name",
    "shard_paths",
]
