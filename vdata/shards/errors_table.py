"""`errors.parquet`: one row per item that could not be built. Paths in it are relative to the corpus root
(`relative_to_roots`): the file is pushed with the dataset, and the builder's machine's folders mean nothing
elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

ERRORS_SCHEMA = pa.schema(
    [
        ("id", pa.string()),  # the sample id the item would have had
        ("source", pa.string()),  # builder name
        ("split", pa.string()),
        ("source_file", pa.string()),  # the file at fault: the video, or annotation file:line (corpus-relative)
        ("video", pa.string()),  # video path relative to the corpus root ("" when unknown)
        ("code", pa.string()),  # one of vdata.errors.ERROR_CODES
        ("message", pa.string()),
    ]
)


def error_table(errors: Sequence[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist([{k: e.get(k, "") for k in ERRORS_SCHEMA.names} for e in errors], schema=ERRORS_SCHEMA)


def relative_to_roots(error: dict[str, Any], roots: Sequence[str]) -> dict[str, Any]:
    """`error` with each corpus root of `roots` (a local folder or a URL, no trailing slash) and the slash after
    it removed from its `source_file` and `message`: paths relative to their corpus root, the form `video`
    already has. A path under no root is kept as it is.

    >>> relative_to_roots({"source_file": "/data/c/ann.jsonl:4", "message": "cannot open '/data/c/v.mp4'"},
    ...                   ["/data/c"])
    {'source_file': 'ann.jsonl:4', 'message': "cannot open 'v.mp4'"}
    """
    out = dict(error)
    for root in sorted(roots, key=len, reverse=True):  # a nested root before the root that holds it
        prefix = root.rstrip("/") + "/"
        for key in ("source_file", "message"):
            if isinstance(out.get(key), str):
                out[key] = out[key].replace(prefix, "")
    return out
