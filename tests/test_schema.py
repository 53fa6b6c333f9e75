"""Schema v2 (v1 + image samples, subtitles, audio): the public column contract, its version in the metadata,
what `validate_table` rejects, and v1 tables still accepted and upgraded."""

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
    upgrade,
    v1,
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
        "id", "source", "split", "media", "video", "video_id", "duration_s", "fps", "width", "height", "num_frames",
        "clip_start_s", "clip_end_s", "frames", "frame_timestamps_s", "frame_indices", "scenes", "subtitles",
        "audio", "task", "question", "options", "answer", "spans", "boxes", "cot", "meta",
    )
    assert set(v1.COLUMNS) == set(COLUMNS) - {"media", "subtitles", "audio"}
    assert "frames" not in METADATA_COLUMNS and len(METADATA_COLUMNS) == len(COLUMNS) - 1


def test_the_schema_carries_its_version() -> None:
    assert SCHEMA.metadata[VERSION_KEY] == SCHEMA_VERSION.encode() == b"2"


def test_rows_to_table_fills_missing_optional_fields_with_null() -> None:
    table = rows_to_table([good_row()])
    assert table.schema.equals(SCHEMA, check_metadata=True)
    assert table.column("cot").to_pylist() == [None] and table.column("options").to_pylist() == [None]
    assert table.column("media").to_pylist() == ["video"]  # a row without media is a video row


def image_row(**changes: Any) -> dict[str, Any]:
    image = {"media": "image", "video": "imgs/a.png", "duration_s": 0.0, "fps": None, "num_frames": 2,
             "clip_start_s": 0.0, "clip_end_s": 0.0, "frames": [{"bytes": b"\xff\xd8", "path": None}] * 2,
             "frame_timestamps_s": None, "frame_indices": None, "task": "ocr", "spans": None, "boxes": None,
             "answer": "x"}
    return good_row(**{**image, **changes})


def test_image_and_video_rows_share_one_table_with_subtitles_and_audio() -> None:
    video = good_row(subtitles=[{"start_s": 0.5, "end_s": 1.5, "text": "hello"}],
                     audio={"bytes": b"fLaC", "sample_rate": 16000})
    table = rows_to_table([video, image_row()])
    assert table.column("media").to_pylist() == ["video", "image"]
    assert table.column("frame_timestamps_s").to_pylist() == [[0.48], None]
    assert table.column("subtitles").to_pylist()[0] == [{"start_s": 0.5, "end_s": 1.5, "text": "hello"}]


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
        ({"media": "audio"}, r"unknown media \['audio'\]"),
        ({"fps": None}, "a video row has no fps"),
        ({"frame_timestamps_s": None}, "a video row has no frame_timestamps_s"),
        ({"subtitles": [{"start_s": 2.0, "end_s": 1.0, "text": "x"}]}, "a subtitle has start_s > end_s"),
        ({"subtitles": [{"start_s": float("nan"), "end_s": 1.0, "text": "x"}]}, "a subtitle has a NaN"),
        ({"audio": {"bytes": b"", "sample_rate": 0}}, "audio sample_rate is not positive"),
    ],
)
def test_invalid_rows_are_rejected_with_the_rule_broken(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        rows_to_table([good_row(**changes)])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"frame_indices": [0, 1]}, "an image row has frame_indices"),
        ({"fps": 25.0}, "an image row has fps"),
        ({"frames": []}, "an image row has no frames"),
        ({"task": "dancing"}, r"unknown task\(s\) \['dancing'\]"),
    ],
)
def test_invalid_image_rows_are_rejected(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        rows_to_table([image_row(**changes)])


def _v1_table() -> pa.Table:
    return pa.Table.from_pylist([{c: good_row().get(c) for c in v1.COLUMNS}], schema=v1.SCHEMA)


def test_a_v1_table_is_valid_and_upgrades_to_a_v2_video_row() -> None:
    table = _v1_table()
    validate_table(table, "old.parquet")
    upgraded = upgrade(table)
    validate_table(upgraded)
    assert upgraded.schema.equals(SCHEMA, check_metadata=True)
    row = upgraded.to_pylist()[0]
    assert (row["media"], row["subtitles"], row["audio"], row["frame_indices"]) == ("video", None, None, [12])
    assert upgrade(table.select(["id", "task"])).column_names == ["id", "media", "subtitles", "audio", "task"]


def test_a_v1_table_is_checked_by_v1_rules() -> None:
    table = _v1_table()
    table = table.set_column(v1.COLUMNS.index("frame_indices"), "frame_indices", pa.array([[1, 2]], pa.list_(pa.int64())))
    with pytest.raises(SchemaError, match="frames and frame_indices differ in length"):
        validate_table(table, "old.parquet")


def test_a_column_of_the_wrong_type_is_rejected() -> None:
    table = rows_to_table([good_row()])
    table = table.set_column(COLUMNS.index("width"), "width", pa.array([160], pa.int64()))
    with pytest.raises(SchemaError, match="column 'width' has type int64, schema v2 says int32"):
        validate_table(table, "shard.parquet")


def test_a_missing_column_is_rejected() -> None:
    table = rows_to_table([good_row()]).drop_columns(["meta"])
    with pytest.raises(SchemaError, match=r"shard.parquet: missing columns \['meta'\]"):
        validate_table(table, "shard.parquet")


def test_another_schema_version_is_rejected() -> None:
    table = rows_to_table([good_row()])
    table = table.replace_schema_metadata({**table.schema.metadata, VERSION_KEY: b"3"})
    with pytest.raises(SchemaError, match="schema version '3', this vdata reads '1' or '2'"):
        validate_table(table)


def test_importing_vdata_and_its_schemas_loads_no_video_or_torch_library() -> None:
    import subprocess

    code = ("import sys, vdata, vdata.schemas; "
            "print(sorted(m for m in ('av', 'cv2', 'torch', 'decord', 'scenedetect') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
