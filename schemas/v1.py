"""Sample schema v1: one Arrow schema for every sample kind.

Task-specific columns are nullable, so a dataset that mixes temporal grounding, multiple choice and tracking is
one table. Units: times in seconds from the start of the video file (the first decoded frame is at 0.0), boxes in
pixels of the original video resolution with x1 < x2 and y1 < y2.

The column names are part of the public contract: DuckDB queries, the rewards and the trainer read them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from vdata.errors import SchemaError

SCHEMA_VERSION = "1"
#: Parquet key-value metadata key that carries `SCHEMA_VERSION`.
VERSION_KEY = b"vdata.schema_version"

TASKS: tuple[str, ...] = (
    "multiple_choice",
    "numeric",
    "regression",
    "ocr",
    "free_form",
    "caption",
    "temporal_grounding",
    "grounded_qa",
    "spatial_grounding",
    "spatiotemporal_grounding",
    "tracking",
)

SPAN = pa.struct([("start_s", pa.float64()), ("end_s", pa.float64())])
BOX = pa.struct(
    [
        ("timestamp_s", pa.float64()),
        ("frame_index", pa.int64()),
        ("x1", pa.float64()),
        ("y1", pa.float64()),
        ("x2", pa.float64()),
        ("y2", pa.float64()),
        ("label", pa.string()),
    ]
)
IMAGE = pa.struct([("bytes", pa.binary()), ("path", pa.string())])

_FIELDS: list[tuple[str, pa.DataType, bool]] = [
    # name, type, nullable
    ("id", pa.string(), False),
    ("source", pa.string(), False),
    ("split", pa.string(), False),
    ("video", pa.string(), False),
    ("video_id", pa.string(), False),
    ("duration_s", pa.float64(), False),
    ("fps", pa.float64(), False),
    ("width", pa.int32(), False),
    ("height", pa.int32(), False),
    ("num_frames", pa.int64(), False),
    ("clip_start_s", pa.float64(), False),
    ("clip_end_s", pa.float64(), False),
    ("frames", pa.list_(IMAGE), False),
    ("frame_timestamps_s", pa.list_(pa.float64()), False),
    ("frame_indices", pa.list_(pa.int64()), False),
    ("scenes", pa.list_(SPAN), True),
    ("task", pa.string(), False),
    ("question", pa.string(), True),
    ("options", pa.list_(pa.string()), True),
    ("answer", pa.string(), True),
    ("spans", pa.list_(SPAN), True),
    ("boxes", pa.list_(BOX), True),
    ("cot", pa.string(), True),
    ("meta", pa.string(), True),
]

COLUMNS: tuple[str, ...] = tuple(name for name, _, _ in _FIELDS)
#: Columns that hold no frame bytes: what metadata queries should read.
METADATA_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMNS if c != "frames")


def _hf_feature(dtype: pa.DataType, name: str) -> dict[str, Any]:
    """The Hugging Face `datasets` feature (as its JSON dict) for one Arrow type."""
    if name == "frames":
        return {"feature": {"_type": "Image"}, "_type": "List"}
    if pa.types.is_list(dtype):
        return {"feature": _hf_feature(dtype.value_type, ""), "_type": "List"}
    if pa.types.is_struct(dtype):
        return {f.name: _hf_feature(f.type, f.name) for f in dtype}
    return {"dtype": _HF_DTYPES[dtype], "_type": "Value"}


_HF_DTYPES = {
    pa.string(): "string",
    pa.float64(): "float64",
    pa.int32(): "int32",
    pa.int64(): "int64",
    pa.binary(): "binary",
}

#: `datasets.Features.to_dict()` of schema v1: `load_dataset("parquet")` turns `frames` into PIL images.
HF_FEATURES: dict[str, Any] = {name: _hf_feature(dtype, name) for name, dtype, _ in _FIELDS}

#: Every Arrow field is nullable: `datasets` ignores the features metadata of a non-nullable field (and would
#: load `frames` as plain structs, not images). Required columns are enforced by `validate_table` instead.
SCHEMA: pa.Schema = pa.schema(
    [pa.field(name, dtype) for name, dtype, _ in _FIELDS],
    metadata={
        VERSION_KEY: SCHEMA_VERSION.encode(),
        b"huggingface": json.dumps({"info": {"features": HF_FEATURES}}).encode(),
    },
)


def validate_table(table: pa.Table, where: str = "table") -> None:
    """Raise `SchemaError` unless `table` has schema v1's columns, types and version, and valid values.

    Checks, per row: `task` is known, `clip_start_s <= clip_end_s`, the three frame lists have equal lengths,
    spans have `start_s <= end_s` and boxes have `x1 < x2`, `y1 < y2`, and every time and box coordinate is
    finite (NaN and infinity pass comparisons silently). `where` names the file in messages.
    """
    version = (table.schema.metadata or {}).get(VERSION_KEY)
    if version is not None and version.decode() != SCHEMA_VERSION:
        raise SchemaError(f"{where}: schema version {version.decode()!r}, this vdata reads {SCHEMA_VERSION!r}")
    names = table.schema.names
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise SchemaError(f"{where}: missing columns {missing}")
    for name, dtype, nullable in _FIELDS:
        got = table.schema.field(name).type
        if got != dtype:
            raise SchemaError(f"{where}: column {name!r} has type {got}, schema v1 says {dtype}")
        if not nullable and table.column(name).null_count:
            raise SchemaError(f"{where}: column {name!r} has nulls; it is required")
    _validate_values(table, where)


def _validate_values(table: pa.Table, where: str) -> None:
    import pyarrow.compute as pc

    spans = pc.list_flatten(table.column("spans"))
    boxes = pc.list_flatten(table.column("boxes"))
    numbers = {name: table.column(name) for name in ("duration_s", "clip_start_s", "clip_end_s")}
    numbers["frame_timestamps_s"] = pc.list_flatten(table.column("frame_timestamps_s"))
    numbers.update({f"spans.{k}": pc.struct_field(spans, k) for k in ("start_s", "end_s") if len(spans)})
    numbers.update({f"boxes.{k}": pc.struct_field(boxes, k) for k in ("x1", "y1", "x2", "y2") if len(boxes)})
    for name, values in numbers.items():
        if len(values) and pc.any(pc.invert(pc.is_finite(values))).as_py():
            raise SchemaError(f"{where}: a row has a NaN or infinite {name}")
    bad_tasks = set(pc.unique(table.column("task")).to_pylist()) - set(TASKS)
    if bad_tasks:
        raise SchemaError(f"{where}: unknown task(s) {sorted(bad_tasks)}; known: {', '.join(TASKS)}")
    if pc.any(pc.greater(table.column("clip_start_s"), table.column("clip_end_s"))).as_py():
        raise SchemaError(f"{where}: a row has clip_start_s > clip_end_s")
    n_frames = pc.list_value_length(table.column("frames"))
    for other in ("frame_timestamps_s", "frame_indices"):
        if not pc.all(pc.equal(n_frames, pc.list_value_length(table.column(other)))).as_py():
            raise SchemaError(f"{where}: a row's frames and {other} differ in length")
    if len(spans) and pc.any(
        pc.greater(pc.struct_field(spans, "start_s"), pc.struct_field(spans, "end_s"))
    ).as_py():
        raise SchemaError(f"{where}: a span has start_s > end_s")
    if len(boxes):
        for lo, hi in (("x1", "x2"), ("y1", "y2")):
            if pc.any(
                pc.greater_equal(pc.struct_field(boxes, lo), pc.struct_field(boxes, hi))
            ).as_py():
                raise SchemaError(f"{where}: a box has {lo} >= {hi}")


def rows_to_table(rows: list[Mapping[str, Any]]) -> pa.Table:
    """Build a schema-v1 table from row dicts (missing nullable fields become null) and validate it."""
    table = pa.Table.from_pylist([{c: row.get(c) for c in COLUMNS} for row in rows], schema=SCHEMA)
    validate_table(table)
    return table


def parse_meta(value: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """The `meta` column of a row as a dict: `{}` when null or empty; a value that is not a JSON object
    (invalid JSON, a list, a string) is kept whole under `original_meta`, never dropped.

    >>> parse_meta('{"type": "CW"}'), parse_meta(None), parse_meta("[1]")
    ({'type': 'CW'}, {}, {'original_meta': [1]})
    """
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return {"original_meta": value}
    return data if isinstance(data, dict) else {"original_meta": data}
