"""didemo: four annotators' 5-second segment ranges -> one consensus span in seconds (the official metric's)."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item, Span
from vdata.builders.didemo import DiDeMo, consensus


def _row(annotation_id: int, times: object, description: str = "the dog jumps") -> dict:
    return {"annotation_id": annotation_id, "description": description, "times": times,
            "video": "10015567@N08_3655084291_d8b2a9d7e8.mov", "download_link": "https://www.flickr.com/..."}


def _corpus(root: Path, put) -> Path:
    put(root / "videos" / "10015567@N08_3655084291_d8b2a9d7e8.mp4")
    (root / "train_data.json").write_text(json.dumps([
        _row(1, [[2, 3], [0, 0], [0, 0], [0, 1]], " a girl waves at the camera "),
        _row(2, [[1, 2], [1, 2], [2, 2], [4, 5]]),
        _row(3, [[0, 6], [0, 0]]),
        _row(4, [[3, 1]]),
        _row(5, []),
    ]))
    (root / "test_data.json").write_text(json.dumps([_row(9, [[5, 5], [4, 5], [5, 5], [5, 5]])]))
    return root


def test_the_consensus_span_is_the_annotator_range_the_official_eval_scores_highest(tmp_path: Path, put) -> None:
    items = [i for i in DiDeMo(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    assert [(i.split, i.key, i.question, i.spans) for i in items] == [
        ("train", "10015567@N08_3655084291_d8b2a9d7e8.mov#1", "a girl waves at the camera", (Span(0.0, 5.0),)),
        ("train", "10015567@N08_3655084291_d8b2a9d7e8.mov#2", "the dog jumps", (Span(5.0, 15.0),)),
        ("test", "10015567@N08_3655084291_d8b2a9d7e8.mov#9", "the dog jumps", (Span(25.0, 30.0),)),
    ]
    assert items[0].meta["times"] == [[2, 3], [0, 0], [0, 0], [0, 1]] and items[0].meta["segments"] == [0, 0]
    assert items[0].video_rel == "videos/10015567@N08_3655084291_d8b2a9d7e8.mp4"  # same stem, converted


def test_a_tie_goes_to_the_earliest_annotator() -> None:
    assert consensus([[1, 1], [3, 3]]) == [1, 1]


def test_ranges_outside_0_5_reversed_or_missing_are_bad_span_rows(tmp_path: Path, put) -> None:
    bad = [b for b in DiDeMo(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key.rsplit("#", 1)[1], b.code) for b in bad] == [("3", "bad_span"), ("4", "bad_span"), ("5", "bad_span")]
    assert "within 0-5" in bad[0].message and bad[0].source_file.endswith("train_data.json#2")
