"""`errors.parquet`: one row per item that could not be built."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

ERRORS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),  # the sample id the item would have had
        ("source", pa.string()),  # builder name
        ("split", pa.string()),
        ("source_file", pa.string()),  # the file at fault: the video, or annotation file:line
        ("video", pa.string()),  # video path relative to the corpus root ("" when unknown)
        ("code", pa.string()),  # one of vdata.errors.ERROR_CODES
        ("message", pa.string()),
    ]
)


def error_table(errors: Sequence[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist([{k: e.get(k, "") for k in ERRORS_SCHEMA.names} for e in errors], schema=ERRORS_SCHEMA)
