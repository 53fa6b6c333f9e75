"""tacos: 2D-TAN's JSON, timestamps in frames of the video with the entry's own `fps` -> temporal_grounding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vdata.builders import BadRow, Item
from vdata.builders.tacos import TACoS


def _corpus(root: Path, put) -> Path:
    put(root / "videos" / "s13-d21.avi")
    (root / "train.json").write_text(json.dumps({
        "s13-d21.avi": {
            "num_frames": 88, "fps": 29.4,
            "timestamps": [[0, 44], [30, 88], [50, 50], [60, 20], ["a", 3]],
            "sentences": ["The person takes out a cutting board. ", "He washes the leek.", "zero", "reversed", "x"],
        },
        "s14-d22.avi": {"num_frames": 10, "timestamps": [[0, 5]], "sentences": ["no fps"]},
    }))
    (root / "test.json").write_text(json.dumps({
        "s13-d21.avi": {"num_frames": 88, "fps": 29.4, "timestamps": [[10, 20]], "sentences": ["She cuts it."]},
    }))
    return root


def test_frame_timestamps_become_seconds_by_the_entrys_fps(tmp_path: Path, put) -> None:
    items = [i for i in TACoS(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    assert [(i.split, i.key, i.question) for i in items] == [
        ("train", "s13-d21.avi#0", "The person takes out a cutting board."),
        ("train", "s13-d21.avi#1", "He washes the leek."),
        ("test", "s13-d21.avi#0", "She cuts it."),
    ]
    spans = [(s.start_s, s.end_s) for i in items for s in i.spans]
    assert spans == [(0.0, pytest.approx(44 / 29.4)), pytest.approx((30 / 29.4, 88 / 29.4)),
                     pytest.approx((10 / 29.4, 20 / 29.4))]
    assert items[0].video_rel == "videos/s13-d21.avi" and items[0].video_id == "s13-d21"
    assert items[0].meta["duration_s"] == pytest.approx(88 / 29.4) and items[0].meta["end_frame"] == 44


def test_empty_or_reversed_spans_and_a_missing_fps_are_bad_rows(tmp_path: Path, put) -> None:
    bad = [b for b in TACoS(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [
        ("s13-d21.avi#2", "bad_span"), ("s13-d21.avi#3", "bad_span"), ("s13-d21.avi#4", "bad_span"),
        ("s14-d22.avi", "bad_annotation"),
    ]
    assert "fps" in bad[3].message and bad[0].source_file.endswith("train.json:s13-d21.avi")


def test_build_stores_the_spans_in_seconds(tmp_path: Path, put) -> None:
    from vdata.build import build
    from vdata.builders import sample_id
    from vdata.options import BuildOptions
    from vdata.shards import read_table

    out = tmp_path / "out"
    build([f"tacos:{_corpus(tmp_path / 'c', put)}"], out, BuildOptions(frames="uniform:2", workers=0))
    rows = {r["id"]: r for r in read_table(out).to_pylist()}
    row = rows[sample_id("tacos", "train", "s13-d21.avi#1")]
    assert [(s["start_s"], s["end_s"]) for s in row["spans"]] == [pytest.approx((30 / 29.4, 88 / 29.4))]
