"""time-r1: Time-R1's `{vid: {duration, timestamps (s), sentences}}` JSON -> temporal_grounding."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item, Span
from vdata.builders.time_r1 import TimeR1


def _corpus(root: Path, put) -> Path:
    put(root / "Charades_v1" / "3MSZA.webm")
    (root / "charades_annotation").mkdir()
    (root / "charades_annotation" / "train.json").write_text(json.dumps({
        "3MSZA": {"duration": 3.0, "timestamps": [[0.4, 1.9], [2.5, 1.0], [1.0, "x"]],
                  "sentences": ["person turns on the light.", "reversed", "not a number"]},
        "BROKEN": {"duration": 3.0, "timestamps": [[0, 1]], "sentences": []},
    }))
    (root / "dataset" / "charades-sta").mkdir(parents=True)
    (root / "dataset" / "charades-sta" / "charades_test.json").write_text(json.dumps({
        "3MSZA": {"video_duration": 3.0, "timestamps": [[1.2, 2.8]], "sentences": [" a person opens a door"]},
    }))
    return root


def test_seconds_as_given_with_the_split_from_the_file_name(tmp_path: Path, put) -> None:
    root = _corpus(tmp_path, put)
    items = [i for i in TimeR1(root / "charades_annotation" / "train.json").items() if isinstance(i, Item)]
    items += [i for i in TimeR1(root / "dataset" / "charades-sta" / "charades_test.json").items()
              if isinstance(i, Item)]
    assert [(i.key, i.split, i.question, i.spans, i.meta["duration_s"]) for i in items] == [
        ("3MSZA#0", "train", "person turns on the light.", (Span(0.4, 1.9),), 3.0),
        ("3MSZA#0", "test", "a person opens a door", (Span(1.2, 2.8),), 3.0),
    ]


def test_a_folder_finds_the_videos_and_bad_spans_are_rows(tmp_path: Path, put) -> None:
    out = list(TimeR1(_corpus(tmp_path, put)).items())
    item = next(i for i in out if isinstance(i, Item))
    assert item.video_rel == "Charades_v1/3MSZA.webm"
    bad = [(b.key, b.code) for b in out if isinstance(b, BadRow)]
    assert bad == [("3MSZA#1", "bad_span"), ("3MSZA#2", "bad_span"), ("BROKEN", "bad_annotation")]
