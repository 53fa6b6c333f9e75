"""egoschema: `questions.json` + `subset_answers.json` over `videos/<q_uid>.mp4` -> the answered subset only."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item
from vdata.builders.egoschema import EgoSchema


def _question(uid: str) -> dict:
    return {"q_uid": uid, "google_drive_id": "15yGB0TI5zG5usdQZOXn0CrRzkJNB0gMl",
            "question": "What is the overarching theme of the video?",
            **{f"option {i}": f"C does thing {i}." for i in range(5)}}


def _corpus(root: Path, put) -> Path:
    put(root / "videos" / "0074f737-11cb-497d-8d07-77c3a8127391.mp4")
    questions = [_question("0074f737-11cb-497d-8d07-77c3a8127391"), _question("001934bb-no-answer"),
                 _question("00b9a0de-bad-index")]
    (root / "questions.json").write_text(json.dumps(questions))
    (root / "subset_answers.json").write_text(json.dumps(
        {"0074f737-11cb-497d-8d07-77c3a8127391": 3, "00b9a0de-bad-index": 5, "ffff-not-a-question": 1}))
    return root


def test_only_the_answered_subset_is_built_with_the_index_as_a_letter(tmp_path: Path, put) -> None:
    out = list(EgoSchema(_corpus(tmp_path, put)).items())
    item = out[0]
    assert isinstance(item, Item)
    assert (item.key, item.split, item.task, item.answer) == (
        "0074f737-11cb-497d-8d07-77c3a8127391", "subset", "multiple_choice", "D")
    assert item.options[3] == "C does thing 3." and len(item.options) == 5
    assert item.video_rel == "videos/0074f737-11cb-497d-8d07-77c3a8127391.mp4"
    assert all(o.key != "001934bb-no-answer" for o in out)  # no public answer: not built


def test_an_index_outside_the_options_and_an_unknown_uid_are_bad_rows(tmp_path: Path, put) -> None:
    bad = [o for o in EgoSchema(_corpus(tmp_path, put)).items() if isinstance(o, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("00b9a0de-bad-index", "bad_annotation"),
                                              ("ffff-not-a-question", "bad_annotation")]
    assert "index 5" in bad[0].message and "not in questions.json" in bad[1].message
