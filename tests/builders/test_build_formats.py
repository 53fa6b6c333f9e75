"""End to end: each format's corpus -> `vdata.build.build` -> shards with exactly the converted labels.

Boxes are checked against the pixels of the stored keyframes: the generated video draws the magenta box of
frame i at `box_at(i)`, so a box stored for a keyframe's frame must frame the magenta pixels of that keyframe.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from PIL import Image

from tests.builders import (
    test_activitynet_captions,
    test_charades_sta,
    test_hc_stvg,
    test_llava_video,
    test_nextgqa,
    test_nextqa,
    test_perception_test,
    test_qvhighlights,
    test_star,
    test_video_r1,
    test_vidstg,
)
from tests.videos import box_at, find_box, read_index
from vdata.build import build
from vdata.builders import sample_id
from vdata.options import BuildOptions
from vdata.shards import read_table

#: Keyframes at the video's own size (160 x 120), so boxes compare pixel for pixel.
OPTIONS = BuildOptions(frames="uniform:4,boxes", max_pixels=160 * 120, size_factor=1, workers=0)


def _build(fmt: str, root: Path, tmp_path: Path) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    out = tmp_path / "out"
    build([f"{fmt}:{root}"], out, OPTIONS)
    rows = {r["id"]: r for r in read_table(out).to_pylist()}
    errors = pq.read_table(out / "errors.parquet").to_pylist() if (out / "errors.parquet").exists() else []
    return rows, errors


def _row(rows: dict[str, dict[str, Any]], fmt: str, split: str, key: str) -> dict[str, Any]:
    return rows[sample_id(fmt, split, key)]


def _spans(row: dict[str, Any]) -> list[tuple[float, float]]:
    return [(s["start_s"], s["end_s"]) for s in row["spans"]]


def _check_boxes_on_pixels(row: dict[str, Any]) -> int:
    """Every stored box on a keyframe's frame frames that keyframe's magenta pixels (JPEG: within 2 px)."""
    by_frame = {b["frame_index"]: b for b in row["boxes"]}
    checked = 0
    for image, index in zip(row["frames"], row["frame_indices"], strict=True):
        rgb = np.asarray(Image.open(io.BytesIO(image["bytes"])).convert("RGB"))
        assert read_index(rgb) == index
        if index in by_frame:
            b = by_frame[index]
            assert np.allclose(find_box(rgb), (b["x1"], b["y1"], b["x2"], b["y2"]), atol=2)
            checked += 1
    return checked


def test_charades_sta_spans_and_bad_rows(tmp_path: Path, put) -> None:
    rows, errors = _build("charades-sta", test_charades_sta._corpus(tmp_path / "c", put), tmp_path)
    row = _row(rows, "charades-sta", "train", "AO8RW#1")
    assert (row["task"], row["question"], _spans(row)) == ("temporal_grounding", "person begins to play on a phone.", [(1.2, 2.8)])
    assert (row["duration_s"], row["width"], row["height"]) == (pytest.approx(3.0), 160, 120)
    assert sorted(e["code"] for e in errors) == ["bad_annotation", "bad_span"]


def test_activitynet_span_past_the_end_is_clipped_to_the_video(tmp_path: Path, put) -> None:
    rows, _ = _build("activitynet-captions", test_activitynet_captions._corpus(tmp_path / "c", put), tmp_path)
    row = _row(rows, "activitynet-captions", "train", "v_QOlSCBRmfWY#1")
    assert _spans(row) == [(1.5, row["duration_s"])] and row["duration_s"] == pytest.approx(3.0)
    assert json.loads(row["meta"])["vdata_notes"]["spans_clipped"] == [[1.5, 3.05]]
    caption = _row(rows, "activitynet-captions", "train", "v_QOlSCBRmfWY#caption")
    assert caption["answer"] == "A woman is dancing.\nShe spins around."


def test_qvhighlights_window_bounds_keyframes_of_a_full_video(tmp_path: Path, put) -> None:
    rows, _ = _build("qvhighlights", test_qvhighlights._corpus(tmp_path / "c", put), tmp_path)
    clip = _row(rows, "qvhighlights", "train", "8737")
    assert (_spans(clip), clip["clip_start_s"], clip["clip_end_s"]) == ([(0.0, 1.0), (2.0, 2.5)], 0.0, clip["duration_s"])
    full = _row(rows, "qvhighlights", "train", "9")
    assert (_spans(full), full["clip_start_s"], full["clip_end_s"]) == ([(1.5, 2.5)], 1.0, 3.0)
    assert all(1.0 <= t <= 3.0 for t in full["frame_timestamps_s"])


def test_nextqa_letter_answer(tmp_path: Path, put) -> None:
    rows, errors = _build("nextqa", test_nextqa._corpus(tmp_path / "c", put), tmp_path)
    row = _row(rows, "nextqa", "val", "4010069381_6")
    assert (row["task"], row["answer"], row["options"][2]) == ("multiple_choice", "C", "strum the string")
    assert [e["code"] for e in errors] == ["bad_annotation"]


def test_nextgqa_spans_and_letter(tmp_path: Path, put) -> None:
    rows, _ = _build("nextgqa", test_nextgqa._corpus(tmp_path / "c", put), tmp_path)
    row = _row(rows, "nextgqa", "val", "4882821564_1")
    assert (row["task"], row["answer"], _spans(row)) == ("grounded_qa", "C", [(0.5, 1.2), (2.0, 3.0)])


def test_hc_stvg_boxes_match_the_pixels_of_their_frames(tmp_path: Path, put) -> None:
    rows, _ = _build("hc-stvg", test_hc_stvg._corpus(tmp_path / "c", put), tmp_path)
    row = _row(rows, "hc-stvg", "train", "55_vfjywN5CN0Y.mp4")
    assert [(b["frame_index"], b["timestamp_s"]) for b in row["boxes"]] == [(5, pytest.approx(0.5)), (6, pytest.approx(0.6)), (8, pytest.approx(0.8))]
    assert [(b["x1"], b["y1"], b["x2"], b["y2"]) for b in row["boxes"]] == [tuple(map(float, box_at(i, 160, 120))) for i in (5, 6, 8)]
    assert _check_boxes_on_pixels(row) == 3


def test_vidstg_spans_window_and_boxes_on_pixels(tmp_path: Path, put) -> None:
    rows, errors = _build("vidstg", test_vidstg._corpus(tmp_path / "c", put), tmp_path)
    row = _row(rows, "vidstg", "val", "5159741010#0-30#0-watch-1@12-15#caption0")
    assert (_spans(row), row["clip_start_s"], row["clip_end_s"]) == ([(1.2, 1.5)], 0.0, 3.0)
    assert [b["frame_index"] for b in row["boxes"]] == [12, 13, 14]
    assert _check_boxes_on_pixels(row) == 3
    assert [e["code"] for e in errors] == ["bad_annotation"]


def test_perception_test_normalised_boxes_become_pixels(tmp_path: Path, put) -> None:
    rows, _ = _build("perception-test", test_perception_test._corpus(tmp_path / "c", put), tmp_path)
    track = _row(rows, "perception-test", "valid", "video_10909#track7")
    assert [b["frame_index"] for b in track["boxes"]] == [0, 10, 20]
    got = [v for b in track["boxes"] for v in (b["x1"], b["y1"], b["x2"], b["y2"])]
    assert got == pytest.approx([float(v) for f in (0, 10, 20) for v in box_at(f, 160, 120)])
    assert _check_boxes_on_pixels(track) == 3
    assert _row(rows, "perception-test", "valid", "video_10909#mc0")["answer"] == "B"


def test_star_keyframes_stay_inside_the_question_window(tmp_path: Path, put) -> None:
    rows, _ = _build("star", test_star._corpus(tmp_path / "c", put), tmp_path)
    row = _row(rows, "star", "val", "Sequence_T2_89")
    assert (row["answer"], row["clip_start_s"], row["clip_end_s"]) == ("D", 0.5, 2.5)
    assert all(0.5 <= t <= 2.5 for t in row["frame_timestamps_s"])


def test_video_r1_answer_and_cot(tmp_path: Path, put) -> None:
    rows, _ = _build("video-r1", test_video_r1._corpus(tmp_path / "c", put), tmp_path)
    row = _row(rows, "video-r1", "train", "2")
    assert (row["task"], row["answer"], row["cot"], row["options"]) == (
        "multiple_choice", "A", "It looks familiar.", ["A notification", "A command", "A warning"]
    )
    assert _row(rows, "video-r1", "train", "3")["task"] == "numeric"


def test_llava_video_one_row_per_turn(tmp_path: Path, put) -> None:
    rows, _ = _build("llava-video", test_llava_video._corpus(tmp_path / "c", put), tmp_path)
    turn = _row(rows, "llava-video", "train", "0_30_s_academic_oe_v0_1_qa_processed:v1#1")
    assert (turn["task"], turn["question"], turn["answer"]) == ("free_form", "With what?", "A wok.")
    mc = _row(rows, "llava-video", "train", "0_30_s_academic_mc_v0_1_qa_processed:v1#0")
    assert (mc["options"], mc["answer"]) == (["Salt", "Oil", "Water"], "B")


def test_jsonl_keeps_the_given_id_as_meta_source_id(tmp_path: Path, put) -> None:
    root = tmp_path / "c"
    put(root / "v.mp4")
    lines = [
        {"id": "q-17", "video": "v.mp4", "task": "free_form", "question": "What?", "answer": "A box.",
         "meta": {"annotator": "a1"}},
        {"video": "v.mp4", "task": "free_form", "question": "Where?", "answer": "Here."},
    ]
    (root / "samples.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    rows, errors = _build("jsonl", root, tmp_path)
    assert errors == []
    given = _row(rows, "jsonl", "train", "q-17")
    assert given["id"] != "q-17"
    assert json.loads(given["meta"]) == {"annotator": "a1", "source_id": "q-17"}
    assert "source_id" not in json.loads(_row(rows, "jsonl", "train", "line2")["meta"])


def test_error_rows_name_files_relative_to_the_corpus_root(tmp_path: Path, put) -> None:
    """errors.parquet is pushed with the dataset: no path of the machine that built it."""
    root = tmp_path / "c"
    put(root / "v.mp4")
    (root / "broken.mp4").write_bytes(b"not a video" * 20)
    lines = [json.dumps({"video": v, "task": "free_form", "question": "?", "answer": "."})
             for v in ("v.mp4", "gone.mp4", "broken.mp4")] + ["{not json"]
    (root / "samples.jsonl").write_text("\n".join(lines) + "\n")
    _, errors = _build("jsonl", root, tmp_path)
    assert [(e["code"], e["source_file"], e["video"]) for e in errors] == [
        ("video_missing", "gone.mp4", "gone.mp4"),
        ("video_unreadable", "broken.mp4", "broken.mp4"),
        ("bad_annotation", "samples.jsonl:4", ""),
    ]
    assert not any(str(tmp_path) in e["message"] for e in errors)
