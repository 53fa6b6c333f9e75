"""longvideobench: `lvb_val.json` with a 0-based `correct_choice` over `videos/<video_path>` -> multiple_choice."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item
from vdata.builders.longvideobench import LongVideoBench


def _q(id: str, choice, **over) -> dict:
    q = {"video_id": "86CxyhFV9MI", "question": "In the video, which subtitles appear with the man in a red shirt?",
         "question_wo_referring_query": "which subtitles appear?", "candidates": ["hello", "goodbye", "thanks", "no"],
         "correct_choice": choice, "position": [1, 2], "topic_category": "NP-News-Programs",
         "question_category": "TOS", "level": "L2-Relation", "id": id, "video_path": "86CxyhFV9MI.mp4",
         "subtitle_path": "86CxyhFV9MI_en.json", "duration_group": 600, "starting_timestamp_for_subtitles": 0,
         "duration": 3.0}
    return q | over


def _corpus(root: Path, put) -> Path:
    put(root / "videos" / "86CxyhFV9MI.mp4")
    (root / "subtitles").mkdir()
    (root / "subtitles" / "86CxyhFV9MI_en.json").write_text("[]")
    rows = [_q("86CxyhFV9MI_0", 2), _q("86CxyhFV9MI_1", 4), _q("86CxyhFV9MI_2", "B")]
    (root / "lvb_val.json").write_text(json.dumps(rows))
    (root / "lvb_test_wo_gt.json").write_text(json.dumps([{"id": "t0", "question": "?"}]))
    return root


def test_correct_choice_becomes_a_letter_and_the_groups_are_kept(tmp_path: Path, put) -> None:
    out = list(LongVideoBench(_corpus(tmp_path, put)).items())
    item = out[0]
    assert isinstance(item, Item)
    assert (item.key, item.split, item.task, item.answer) == ("86CxyhFV9MI_0", "val", "multiple_choice", "C")
    assert item.options == ("hello", "goodbye", "thanks", "no")
    assert (item.video_rel, item.video_id) == ("videos/86CxyhFV9MI.mp4", "86CxyhFV9MI")
    assert item.meta == {"duration_group": 600, "question_category": "TOS", "level": "L2-Relation",
                         "topic_category": "NP-News-Programs", "position": [1, 2], "duration_s": 3.0,
                         "subtitle": "subtitles/86CxyhFV9MI_en.json"}


def test_a_choice_outside_the_candidates_is_a_bad_row_and_the_test_file_is_not_read(tmp_path: Path, put) -> None:
    out = list(LongVideoBench(_corpus(tmp_path, put)).items())
    assert len(out) == 3  # nothing from lvb_test_wo_gt.json
    bad = [o for o in out if isinstance(o, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("86CxyhFV9MI_1", "bad_annotation"), ("86CxyhFV9MI_2", "bad_annotation")]
    assert "index 4" in bad[0].message and "'B'" in bad[1].message
