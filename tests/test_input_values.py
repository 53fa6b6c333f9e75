"""NaN and infinity in labels are rejected at build and by validation (comparisons with NaN are always false)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import item
from tests.test_schema import good_row
from vdata.builders.base import Box, Span
from vdata.errors import ItemError, SchemaError
from vdata.options import BuildOptions
from vdata.process import process_item
from vdata.schemas import rows_to_table

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("labels", "code"),
    [
        ({"spans": (Span(NAN, 1.0),)}, "bad_span"),
        ({"spans": (Span(0.5, INF),)}, "bad_span"),
        ({"clip_start_s": NAN}, "bad_span"),
        ({"clip_end_s": INF}, "bad_span"),
        ({"boxes": (Box(NAN, 1, 20, 30, frame_index=0),)}, "bad_box"),
        ({"boxes": (Box(1, 1, INF, 30, frame_index=0),)}, "bad_box"),
        ({"boxes": (Box(1, 1, 20, 30, timestamp_s=NAN),)}, "bad_box"),
    ],
)
def test_non_finite_labels_are_error_rows(box_video: Path, labels: dict[str, Any], code: str) -> None:
    with pytest.raises(ItemError) as caught:
        process_item(item(box_video, **labels), BuildOptions(frames="uniform:2"))
    assert caught.value.code == code
    assert "finite" in caught.value.message


@pytest.mark.parametrize(
    "changes",
    [
        {"clip_end_s": NAN},
        {"duration_s": INF},
        {"spans": [{"start_s": NAN, "end_s": 1.0}]},
        {"boxes": [{"timestamp_s": 0.0, "frame_index": 0, "x1": 0.0, "y1": 0.0, "x2": NAN, "y2": 4.0,
                    "label": None}]},
    ],
)
def test_validation_rejects_nan_and_infinity(changes: dict[str, Any]) -> None:
    with pytest.raises(SchemaError, match="NaN or infinite"):
        rows_to_table([good_row(**changes)])
