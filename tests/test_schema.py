"""Schema v1: the public column contract, its version in the metadata, and what `validate_table` rejects."""

from __future__ import annotations

import sys
from typing import Any

import pyarrow as pa
import pytest

from vdata.errors import SchemaError
from vdata.schemas import (
    COLUMNS,
    METADATA_COLUMNS,
    SCHEMA,
    SCHEMA_VERSION,
    VERSION_KEY,
    rows_to_table,
    validate_table,
)


def good_row(**changes: Any) -> dict[str, Any]:
    row = {
        "id": "0123456789abcdef", "source": "jsonl", "split": "train", "video": "a.mp4", "video_id": "a",
        "duration_s": 4.0, "fps": 25.0, "width": 160, "height": 120, "num_frames": 100,
        "clip_start_s": 0.0, "clip_end_s": 4.0,
        "frames": [{"bytes": b"\xff\xd8", "path": None}], "frame_timestamps_s": [0.48], "frame_indices": [12],
        "task": "temporal_grounding", "question": "When?", "spans": [{"start_s": 1.0, "end_s": 2.0}],
        "boxes": [{"timestamp_s": 0.48, "frame_index": 12, "x1": 1.0, "y1": 2.0, "x2": 3.0, "y2": 4.0, "label": None}],
    }
    row.update(changes)
    return row


def test_columns_are_the_public_contract() -> None:
    assert COLUMNS == (
        "id", "source", "split", "video", "video_id", "duration_s", "fps", "width", "height", "num_frames",
        "clip_start_s", "clip_end_s", "frames", "frame_timestamps_s", "frame_indices", "scenes", "task",
        "question", "options", "answer", "spans", "boxes", "cot", "meta",
    )
    assert "frames" not in METADATA_COLUMNS and len(METADATA_COLUMNS) == len(COLUMNS) - 1


def test_the_schema_carries_its_version() -> None:
    assert SCHEMA.metadata[VERSION_KEY] == SCHEMA_VERSION.encode() == b"1"


def test_rows_to_table_fills_missing_optional_fields_with_null() -> None:
    table = rows_to_table([good_row()])
    assert table.schema.equals(SCHEMA, check_metadata=True)
    assert table.column("cot").to_pylist() == [None] and table.column("options").to_pylist() == [None]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"task": "dancing"}, r"unknown task\(s\) \['dancing'\]"),
        ({"clip_start_s": 5.0}, "clip_start_s > clip_end_s"),
        ({"frame_indices": [12, 13]}, "frames and frame_indices differ in length"),
        ({"spans": [{"start_s": 2.0, "end_s": 1.0}]}, "a span has start_s > end_s"),
        ({"boxes": [{"timestamp_s": 0.0, "frame_index": 0, "x1": 3.0, "y1": 2.0, "x2": 3.0, "y2": 4.0,
                     "label": None}]}, "a box has x1 >= x2"),
        ({"id": None}, "column 'id' has nulls; it is required"),
    ],
)
def test_invalid_rows_are_rejected_with_the_rule_broken(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        rows_to_table([good_row(**changes)])


def test_a_column_of_the_wrong_type_is_rejected() -> None:
    table = rows_to_table([good_row()])
    table = table.set_column(COLUMNS.index("width"), "width", pa.array([160], pa.int64()))
    with pytest.raises(SchemaError, match="column 'width' has type int64, schema v1 says int32"):
        validate_table(table, "shard.parquet")


def test_a_missing_column_is_rejected() -> None:
    table = rows_to_table([good_row()]).drop_columns(["meta"])
    with pytest.raises(SchemaError, match=r"shard.parquet: missing columns \['meta'\]"):
        validate_table(table, "shard.parquet")


def test_another_schema_version_is_rejected() -> None:
    table = rows_to_table([good_row()])
    table = table.replace_schema_metadata({**table.schema.metadata, VERSION_KEY: b"2"})
    with pytest.raises(SchemaError, match="schema version '2', this vdata reads '1'"):
        validate_table(table)


def test_importing_vdata_and_its_schemas_loads_no_video_or_torch_library() -> None:
    import subprocess

    code = ("import sys, vdata, vdata.schemas; "
            "print(sorted(m for m in ('av', 'cv2', 'torch', 'decord', 'scenedetect') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
