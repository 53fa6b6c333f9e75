"""A multiple-choice answer that names none of its options is an error row, not a kept sample (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import item
from vdata.errors import ItemError
from vdata.options import BuildOptions
from vdata.process import process_item

OPTIONS = ("a cat", "a dog", "a bird")


@pytest.mark.parametrize(
    "labels",
    [
        {"options": OPTIONS, "answer": "D"},  # letter out of range
        {"options": OPTIONS, "answer": "a horse"},  # free text that is no option
        {"options": None, "answer": "A"},  # no options
        {"options": (), "answer": "A"},
        {"options": OPTIONS, "answer": None},
    ],
    ids=["letter-out-of-range", "free-text", "no-options", "empty-options", "no-answer"],
)
def test_multiple_choice_answer_naming_no_option_is_an_error_row(box_video: Path, labels: dict[str, Any]) -> None:
    bad = item(box_video, task="multiple_choice", question="What is it?", origin="ann.jsonl:3", **labels)
    with pytest.raises(ItemError) as caught:
        process_item(bad, BuildOptions(frames="uniform:2"))
    assert caught.value.code == "bad_annotation"
    assert caught.value.source_file == "ann.jsonl:3"


@pytest.mark.parametrize("answer", ["C", "b", "a bird"])
def test_multiple_choice_answer_naming_an_option_is_kept(box_video: Path, answer: str) -> None:
    good = item(box_video, task="multiple_choice", question="What is it?", options=OPTIONS, answer=answer)
    row = process_item(good, BuildOptions(frames="uniform:2"))
    assert row["answer"] == answer and row["options"] == list(OPTIONS)
