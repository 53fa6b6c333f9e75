"""youcook2: `database.<id>.annotations[].segment` seconds and `subset` -> grounding steps + a dense caption."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item, Span
from vdata.builders.youcook2 import YouCook2


def _corpus(root: Path, put) -> Path:
    put(root / "raw_videos" / "validation" / "113" / "xHr8X2Wpmno.mkv")
    database = {
        "xHr8X2Wpmno": {
            "duration": 3.0, "subset": "validation", "recipe_type": "113",
            "video_url": "https://www.youtube.com/watch?v=xHr8X2Wpmno",
            "annotations": [
                {"segment": [0, 1], "id": 0, "sentence": "spread margarine on two slices of white bread"},
                {"segment": [1, 2.5], "id": 1, "sentence": "place a slice of cheese on the bread "},
                {"segment": [2, 1], "id": 2, "sentence": "reversed"},
                {"segment": [2, 3], "id": 3},
            ],
        },
    }
    (root / "annotations").mkdir()
    (root / "annotations" / "youcookii_annotations_trainval.json").write_text(json.dumps({"database": database}))
    return root


def test_steps_are_spans_in_seconds_with_the_split_from_subset(tmp_path: Path, put) -> None:
    items = [i for i in YouCook2(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    assert [(i.key, i.split, i.task, i.question, i.spans) for i in items[:2]] == [
        ("xHr8X2Wpmno#0", "val", "temporal_grounding", "spread margarine on two slices of white bread",
         (Span(0.0, 1.0),)),
        ("xHr8X2Wpmno#1", "val", "temporal_grounding", "place a slice of cheese on the bread", (Span(1.0, 2.5),)),
    ]
    caption = items[2]
    assert (caption.key, caption.task, caption.spans) == ("xHr8X2Wpmno#caption", "caption",
                                                          (Span(0.0, 1.0), Span(1.0, 2.5)))
    assert caption.answer == "spread margarine on two slices of white bread\nplace a slice of cheese on the bread"
    assert caption.video_rel == "raw_videos/validation/113/xHr8X2Wpmno.mkv"
    assert caption.meta == {"duration_s": 3.0, "recipe_type": "113"}


def test_a_reversed_segment_or_a_step_without_sentence_is_a_bad_row(tmp_path: Path, put) -> None:
    bad = [b for b in YouCook2(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("xHr8X2Wpmno#2", "bad_span"), ("xHr8X2Wpmno#3", "bad_annotation")]
