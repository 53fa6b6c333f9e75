"""sharegpt4video: keyframe captions with keyframe times + the whole-video caption (idx -1) -> caption samples."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item, Span
from vdata.builders.sharegpt4video import ShareGPT4Video


def _row(video_id: str, timestamp: list, captions: list) -> str:
    return json.dumps({"video_id": video_id, "zip_folder": "panda_videos_1.zip", "keyframe": [0, 12, 24],
                       "timestamp": timestamp, "captions": [{"idx": i, "content": c} for i, c in captions]})


def _corpus(root: Path, put) -> Path:
    put(root / "zip_folder" / "panda" / "panda_videos_1" / "j5JqNXjGufw.mp4")
    (root / "sharegpt4video_40k.jsonl").write_text("\n".join([
        _row("j5JqNXjGufw", [0.0, 1.2, 2.4], [("1", " the man lifts the cup "), ("0", "A man sits at a table."),
                                             ("2", "he drinks"), ("-1", "A man drinks from a cup at a table.")]),
        _row("backwards", [0.0, 2.0, 1.0], [("0", "a"), ("1", "b"), ("2", "c"), ("-1", "whole")]),
        _row("too-few", [0.0], [("0", "a"), ("1", "b")]),
        "{not json",
    ]) + "\n")
    return root


def test_keyframe_captions_span_from_the_previous_keyframe_and_the_whole_caption_is_its_own_sample(
    tmp_path: Path, put
) -> None:
    items = [i for i in ShareGPT4Video(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    whole, keyframes = items
    assert (whole.key, whole.task, whole.answer, whole.spans) == (
        "j5JqNXjGufw#caption", "caption", "A man drinks from a cup at a table.", None)
    assert (keyframes.key, keyframes.task) == ("j5JqNXjGufw#keyframes", "caption")
    assert keyframes.answer == "A man sits at a table.\nthe man lifts the cup\nhe drinks"
    assert keyframes.spans == (Span(0.0, 0.0), Span(0.0, 1.2), Span(1.2, 2.4))
    assert whole.video_rel == "zip_folder/panda/panda_videos_1/j5JqNXjGufw.mp4"
    assert keyframes.meta["keyframe"] == [0, 12, 24]


def test_times_going_back_a_caption_without_keyframe_and_bad_json_are_bad_rows(tmp_path: Path, put) -> None:
    bad = [b for b in ShareGPT4Video(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("backwards", "bad_span"), ("too-few", "bad_span"),
                                             ("line4", "bad_annotation")]
    assert "no keyframe timestamp" in bad[1].message and bad[2].source_file.endswith("sharegpt4video_40k.jsonl:4")
