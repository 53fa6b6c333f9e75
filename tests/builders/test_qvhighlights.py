"""qvhighlights: JSONL queries with `vid` windows and multi-span `relevant_windows`."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item, Span
from vdata.builders.qvhighlights import QVHighlights


def _line(qid: int, vid: str, windows: list | None) -> str:
    obj = {"qid": qid, "query": " A family plays basketball. ", "duration": 150, "vid": vid}
    if windows is not None:
        obj |= {"relevant_windows": windows, "relevant_clip_ids": [0], "saliency_scores": [[4, 1, 1]]}
    return json.dumps(obj) + "\n"


def _corpus(root: Path, put) -> Path:
    put(root / "videos" / "bP5K_fdFJzC4_660.0_810.0.mp4")  # a released clip (underscore inside the YouTube id)
    put(root / "videos" / "fullYT.mp4")  # a full YouTube video
    (root / "highlight_train_release.jsonl").write_text(
        _line(8737, "bP5K_fdFJzC4_660.0_810.0", [[0, 1], [2, 2.5]])
        + _line(9, "fullYT_1.0_3.0", [[0.5, 1.5]])
        + _line(10, "no-window", [[0, 1]])
        + "{not json\n"
    )
    (root / "highlight_test_release.jsonl").write_text(_line(11, "bP5K_fdFJzC4_660.0_810.0", None))
    return root


def test_released_clip_file_keeps_spans_and_sets_no_window(tmp_path: Path, put) -> None:
    items = [i for i in QVHighlights(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    clip = items[0]
    assert (clip.key, clip.split, clip.question) == ("8737", "train", "A family plays basketball.")
    assert clip.spans == (Span(0.0, 1.0), Span(2.0, 2.5))
    assert (clip.clip_start_s, clip.clip_end_s) == (None, None)
    assert clip.video_rel == "videos/bP5K_fdFJzC4_660.0_810.0.mp4"
    assert clip.meta["saliency_scores"] == [[4, 1, 1]] and clip.meta["video_is_window"] is True


def test_full_video_gets_the_vid_window_and_spans_shifted_into_video_time(tmp_path: Path, put) -> None:
    full = [i for i in QVHighlights(_corpus(tmp_path, put)).items() if isinstance(i, Item)][1]
    assert full.video_rel == "videos/fullYT.mp4"
    assert (full.clip_start_s, full.clip_end_s) == (1.0, 3.0)
    assert full.spans == (Span(1.5, 2.5),)


def test_test_split_has_no_spans(tmp_path: Path, put) -> None:
    test = [i for i in QVHighlights(_corpus(tmp_path, put)).items() if isinstance(i, Item) and i.split == "test"]
    assert [(i.key, i.spans) for i in test] == [("11", None)]


def test_malformed_vid_and_bad_json_are_bad_rows(tmp_path: Path, put) -> None:
    bad = [b for b in QVHighlights(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("10", "bad_annotation"), ("line4", "bad_annotation")]
