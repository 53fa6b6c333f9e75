"""One item -> one row: clip windows, spans and boxes checked against the probed video, notes kept in `meta`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import BOX_HEIGHT, BOX_WIDTH, FPS, SCENE_FRAMES
from tests.helpers import item, rgb
from tests.videos import box_at, find_box, read_index
from vdata.builders.base import Box, Span
from vdata.errors import ItemError
from vdata.options import BuildOptions
from vdata.process import process_item

STORED = (308, 252)  # fit_pixels(320, 240, 200704, 28)


def build_row(video: Path, frames: str = "uniform:4", **labels: object) -> dict:
    return process_item(item(video, **labels), BuildOptions(frames=frames))


def notes(row: dict) -> dict:
    return json.loads(row["meta"]).get("vdata_notes", {})


def true_box(index: int) -> Box:
    x1, y1, x2, y2 = box_at(index, BOX_WIDTH, BOX_HEIGHT)
    return Box(x1, y1, x2, y2, frame_index=index, label="magenta")


def test_boxes_are_stored_in_original_pixels_and_match_the_box_on_their_keyframe(box_video: Path) -> None:
    wanted = [5, 20, 37]
    row = build_row(box_video, "uniform:2,boxes", boxes=tuple(true_box(i) for i in wanted))
    assert [(b["frame_index"], b["x1"], b["y1"], b["x2"], b["y2"]) for b in row["boxes"]] == [
        (i, *map(float, box_at(i, BOX_WIDTH, BOX_HEIGHT))) for i in wanted
    ]
    assert [b["timestamp_s"] for b in row["boxes"]] == pytest.approx([i / FPS for i in wanted], abs=1e-9)
    sx, sy = STORED[0] / BOX_WIDTH, STORED[1] / BOX_HEIGHT
    for box in row["boxes"]:
        k = row["frame_indices"].index(box["frame_index"])
        image = rgb(row["frames"][k]["bytes"])
        assert (image.shape[1], image.shape[0]) == STORED
        assert read_index(image) == box["frame_index"]
        found = find_box(image)
        expected = (box["x1"] * sx, box["y1"] * sy, box["x2"] * sx, box["y2"] * sy)
        assert found == pytest.approx(expected, abs=2), box


def test_a_box_given_by_time_gets_its_frame_index_and_by_index_its_time(box_video: Path) -> None:
    row = build_row(box_video, boxes=(Box(10, 50, 60, 90, timestamp_s=0.81), Box(10, 50, 60, 90, frame_index=12)))
    assert [(b["frame_index"], b["timestamp_s"]) for b in row["boxes"]] == [(20, 0.81), (12, pytest.approx(0.48))]


def test_boxes_in_another_frame_size_are_rescaled_and_noted(box_video: Path) -> None:
    row = build_row(box_video, boxes=(Box(40, 60, 200, 180, frame_index=3),), box_space=(640.0, 480.0))
    box = row["boxes"][0]
    assert (box["x1"], box["y1"], box["x2"], box["y2"]) == (20.0, 30.0, 100.0, 90.0)
    assert notes(row)["boxes_rescaled_from"] == [640.0, 480.0]


def test_normalised_boxes_become_pixels(box_video: Path) -> None:
    row = build_row(box_video, boxes=(Box(0.25, 0.5, 0.75, 1.0, frame_index=3),), box_space=(1.0, 1.0))
    box = row["boxes"][0]
    assert (box["x1"], box["y1"], box["x2"], box["y2"]) == (80.0, 120.0, 240.0, 240.0)


def test_a_box_partly_outside_the_frame_is_clipped_and_noted(box_video: Path) -> None:
    row = build_row(box_video, boxes=(Box(300, -10, 400, 50, frame_index=3),))
    box = row["boxes"][0]
    assert (box["x1"], box["y1"], box["x2"], box["y2"]) == (300.0, 0.0, 320.0, 50.0)
    assert notes(row)["boxes_clipped"] == [[300.0, -10.0, 400.0, 50.0]]


@pytest.mark.parametrize(
    ("box", "message"),
    [
        (Box(400, 10, 500, 50, frame_index=3), "lies outside the 320x240 frame"),
        (Box(50, 10, 40, 50, frame_index=3), "has no area"),
        (Box(10, 10, 40, 50, frame_index=99), "box on frame 99, but the video has 50 frames"),
        (Box(10, 10, 40, 50, timestamp_s=7.5), "box at 7.5s, outside the 2s video"),
    ],
)
def test_invalid_boxes_fail_the_item_as_bad_box(box_video: Path, box: Box, message: str) -> None:
    with pytest.raises(ItemError, match=message) as caught:
        build_row(box_video, boxes=(box,), origin="ann.jsonl:7")
    assert caught.value.code == "bad_box"
    assert caught.value.source_file == "ann.jsonl:7"


def test_spans_past_the_end_are_clipped_and_noted(scene_video: Path) -> None:
    row = build_row(scene_video, spans=(Span(1.0, 2.0), Span(3.0, 9.5)))
    assert row["spans"] == [{"start_s": 1.0, "end_s": 2.0}, {"start_s": 3.0, "end_s": 4.0}]
    assert notes(row)["spans_clipped"] == [[3.0, 9.5]]


@pytest.mark.parametrize(
    ("span", "message"),
    [(Span(2.0, 1.0), "span ends before it starts: 2s > 1s"), (Span(5.0, 6.0), "span 5-6s lies outside the 4s video")],
)
def test_invalid_spans_fail_the_item_as_bad_span(scene_video: Path, span: Span, message: str) -> None:
    with pytest.raises(ItemError, match=message) as caught:
        build_row(scene_video, spans=(span,))
    assert caught.value.code == "bad_span"


def test_the_clip_window_is_stored_and_bounds_the_keyframes(scene_video: Path) -> None:
    row = build_row(scene_video, "uniform:8", clip_start_s=1.0, clip_end_s=2.0)
    assert (row["clip_start_s"], row["clip_end_s"]) == (1.0, 2.0)
    assert all(1.0 <= t < 2.0 for t in row["frame_timestamps_s"])
    assert (row["duration_s"], row["num_frames"]) == (pytest.approx(4.0), SCENE_FRAMES)


def test_a_whole_video_sample_covers_the_video(scene_video: Path) -> None:
    row = build_row(scene_video)
    assert (row["clip_start_s"], row["clip_end_s"]) == (0.0, pytest.approx(4.0))
    assert (row["width"], row["height"], row["fps"]) == (160, 120, pytest.approx(FPS))


def test_a_clip_window_past_the_end_is_clipped_and_noted(scene_video: Path) -> None:
    row = build_row(scene_video, clip_start_s=3.0, clip_end_s=6.0)
    assert row["clip_end_s"] == pytest.approx(4.0)
    assert notes(row)["clip_end_clipped_from_s"] == 6.0


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(2.0, 1.0, "clip window ends before it starts"), (4.5, 5.0, "clip window starts at 4.5s, outside the 4s")],
)
def test_an_invalid_clip_window_fails_as_bad_span(scene_video: Path, start: float, end: float, message: str) -> None:
    with pytest.raises(ItemError, match=message) as caught:
        build_row(scene_video, clip_start_s=start, clip_end_s=end)
    assert caught.value.code == "bad_span"


def test_labels_and_the_original_meta_are_kept(scene_video: Path) -> None:
    row = build_row(scene_video, task="multiple_choice", question="What colour?", options=("red", "blue"),
                    answer="B", cot=None, meta={"dataset_row": 17})
    assert (row["task"], row["question"], row["options"], row["answer"]) == (
        "multiple_choice", "What colour?", ["red", "blue"], "B")
    assert json.loads(row["meta"]) == {"dataset_row": 17}
    assert row["spans"] is None and row["boxes"] is None
