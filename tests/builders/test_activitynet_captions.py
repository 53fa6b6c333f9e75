"""activitynet-captions: `{"v_<id>": {duration, timestamps, sentences}}` -> grounding + dense caption items."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item, Span
from vdata.builders.activitynet_captions import ActivityNetCaptions


def _corpus(root: Path, put) -> Path:
    put(root / "videos" / "v_QOlSCBRmfWY.mp4")
    (root / "train.json").write_text(
        json.dumps(
            {
                "v_QOlSCBRmfWY": {
                    "duration": 3.0,
                    "timestamps": [[0.2, 1.9], [1.5, 3.05], [2.0, 1.0]],
                    "sentences": ["A woman is dancing.", " She spins around.", " Bad span."],
                }
            }
        )
    )
    (root / "val_1.json").write_text(
        json.dumps({"v_abc": {"duration": 3.0, "timestamps": [[0.0, 1.0]], "sentences": [" Only one."]}})
    )
    return root


def test_one_grounding_item_per_sentence_with_leading_space_stripped(tmp_path: Path, put) -> None:
    items = [i for i in ActivityNetCaptions(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    grounding = [(i.split, i.key, i.question, i.spans) for i in items if i.task == "temporal_grounding"]
    assert grounding == [
        ("train", "v_QOlSCBRmfWY#0", "A woman is dancing.", (Span(0.2, 1.9),)),
        ("train", "v_QOlSCBRmfWY#1", "She spins around.", (Span(1.5, 3.05),)),
        ("val_1", "v_abc#0", "Only one.", (Span(0.0, 1.0),)),
    ]
    assert items[0].video_rel == "videos/v_QOlSCBRmfWY.mp4"
    assert items[0].meta["duration_s"] == 3.0


def test_dense_caption_item_keeps_every_good_sentence_and_span(tmp_path: Path, put) -> None:
    items = [i for i in ActivityNetCaptions(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    caption = next(i for i in items if i.key == "v_QOlSCBRmfWY#caption")
    assert caption.task == "caption"
    assert caption.answer == "A woman is dancing.\nShe spins around."
    assert caption.spans == (Span(0.2, 1.9), Span(1.5, 3.05))


def test_sentence_ending_before_it_starts_is_a_bad_span(tmp_path: Path, put) -> None:
    bad = [b for b in ActivityNetCaptions(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("v_QOlSCBRmfWY#2", "bad_span")]
