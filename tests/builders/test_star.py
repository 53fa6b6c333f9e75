"""star: question list with a clip window (`start`/`end`) and answer text among `choices`."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item
from vdata.builders.star import STAR


def _question(qid: str, answer: str | None) -> dict:
    row = {
        "question_id": qid,
        "question": "Which object did the person throw before they sat on the table?",
        "video_id": "N5PLR",
        "start": 0.5,
        "end": 2.5,
        "choices": [
            {"choice_id": 1, "choice": "The cup/glass/bottle."},
            {"choice_id": 0, "choice": "The clothes."},
            {"choice_id": 3, "choice": "The book."},
            {"choice_id": 2, "choice": "The broom."},
        ],
    }
    return row if answer is None else {**row, "answer": answer}


def _corpus(root: Path, put) -> Path:
    put(root / "Charades_v1_480" / "N5PLR.mp4")
    (root / "STAR_val.json").write_text(json.dumps([_question("Sequence_T2_89", "The book."), _question("Interaction_T1_1", "A dog.")]))
    (root / "STAR_test.json").write_text(json.dumps([_question("Prediction_T3_7", None)]))
    return root


def test_answer_text_becomes_letter_of_choices_ordered_by_id_and_window_is_the_clip(tmp_path: Path, put) -> None:
    item = next(iter(STAR(_corpus(tmp_path, put)).items()))
    assert isinstance(item, Item)
    assert (item.key, item.split, item.answer) == ("Sequence_T2_89", "val", "D")
    assert item.options == ("The clothes.", "The cup/glass/bottle.", "The broom.", "The book.")
    assert (item.clip_start_s, item.clip_end_s) == (0.5, 2.5)
    assert item.video_rel == "Charades_v1_480/N5PLR.mp4"
    assert item.meta["question_type"] == "Sequence"


def test_test_split_without_answer_has_none(tmp_path: Path, put) -> None:
    test = [i for i in STAR(_corpus(tmp_path, put)).items() if isinstance(i, Item) and i.split == "test"]
    assert [(i.key, i.answer) for i in test] == [("Prediction_T3_7", None)]


def test_answer_not_among_choices_is_a_bad_row(tmp_path: Path, put) -> None:
    bad = [b for b in STAR(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("Interaction_T1_1", "bad_annotation")]
