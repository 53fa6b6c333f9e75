"""msrvtt-qa: `<split>_qa.json` with numeric `video_id` -> `video<n>.mp4`, free_form."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item
from vdata.builders.msrvtt_qa import MSRVTTQA


def _corpus(root: Path, put) -> Path:
    put(root / "videos" / "all" / "video7010.mp4")
    (root / "test_qa.json").write_text(json.dumps([
        {"answer": "man ", "category_id": 3, "id": 158581, "question": "who is talking?", "video_id": 7010},
        {"answer": "talk", "category_id": 0, "id": 158582, "question": "what is a man doing?", "video_id": "video7010"},
        {"answer": "x", "id": 158583, "question": "no video", "video_id": "clip"},
        {"answer": "x", "id": 158584, "video_id": 7010},
    ]))
    return root


def test_numeric_video_id_names_the_msr_vtt_file(tmp_path: Path, put) -> None:
    items = [i for i in MSRVTTQA(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    assert [(i.key, i.split, i.task, i.question, i.answer, i.video_id) for i in items] == [
        ("158581", "test", "free_form", "who is talking?", "man", "video7010"),
        ("158582", "test", "free_form", "what is a man doing?", "talk", "video7010"),
    ]
    assert items[0].video_rel == "videos/all/video7010.mp4"
    assert items[0].meta == {"id": 158581, "video_id": 7010, "category_id": 3}


def test_an_unreadable_video_id_or_a_missing_question_is_a_bad_row(tmp_path: Path, put) -> None:
    bad = [b for b in MSRVTTQA(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("158583", "bad_annotation"), ("158584", "bad_annotation")]
    assert "video<n>" in bad[0].message and "'question'" in bad[1].message
