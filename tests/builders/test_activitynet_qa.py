"""activitynet-qa: `<split>_q.json` + `<split>_a.json` joined by question_id -> free_form."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item
from vdata.builders.activitynet_qa import ActivityNetQA


def _corpus(root: Path, put) -> Path:
    put(root / "videos" / "v_2UzYi5iY1yo.mp4")
    (root / "dataset").mkdir()
    (root / "dataset" / "val_q.json").write_text(json.dumps([
        {"video_name": "2UzYi5iY1yo", "question": "is the athlete wearing trunks", "question_id": "v_2UzYi5iY1yo_0"},
        {"video_name": "2UzYi5iY1yo", "question": "what color is the mat", "question_id": "v_2UzYi5iY1yo_1"},
        {"video_name": "2UzYi5iY1yo", "question": "unanswered", "question_id": "v_2UzYi5iY1yo_2"},
    ]))
    (root / "dataset" / "val_a.json").write_text(json.dumps([
        {"answer": "yes", "type": 3, "question_id": "v_2UzYi5iY1yo_0"},
        {"answer": "blue ", "type": 4, "question_id": "v_2UzYi5iY1yo_1"},
    ]))
    (root / "dataset" / "test_q.json").write_text(json.dumps([]))
    return root


def test_questions_join_answers_by_question_id(tmp_path: Path, put) -> None:
    items = [i for i in ActivityNetQA(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    assert [(i.key, i.split, i.task, i.question, i.answer, i.meta) for i in items] == [
        ("v_2UzYi5iY1yo_0", "val", "free_form", "is the athlete wearing trunks", "yes",
         {"type": 3, "type_name": "yes_no"}),
        ("v_2UzYi5iY1yo_1", "val", "free_form", "what color is the mat", "blue", {"type": 4, "type_name": "color"}),
    ]
    assert items[0].video_rel == "videos/v_2UzYi5iY1yo.mp4" and items[0].video_id == "2UzYi5iY1yo"


def test_a_question_without_answer_and_a_missing_answer_file_are_bad_rows(tmp_path: Path, put) -> None:
    bad = [b for b in ActivityNetQA(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("v_2UzYi5iY1yo_2", "bad_annotation"), ("test_q.json", "bad_annotation")]
    assert "no answer in val_a.json" in bad[0].message and "test_a.json" in bad[1].message
