"""`free_form`: an open answer in words, scored by ROUGE against the gold `answer`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vdata.tasks.base import Scored, Task, gold_answer, register
from vdata.tasks.ocr import OCR
from vdata.tasks.text import rouge_l, rouge_n, rouge_tokens


@register("free_form")
class FreeForm(Task):
    """Metrics: ROUGE-L, ROUGE-1, ROUGE-2 F1 (tokens: lower-cased alphanumeric runs, each CJK character one
    token). SFT target: the gold text. Votes compare answers by ROUGE-L.

    >>> round(FreeForm().score("a man rides a horse", {"answer": "a man riding a horse"}).values["ROUGE-L"], 3)
    0.8
    """

    gold_fields = ("answer",)
    reward = "free_form"
    question_answering = True
    metrics = ("ROUGE-L", "ROUGE-1", "ROUGE-2")

    parse = OCR.parse
    similarity = OCR.similarity

    def target(self, sample: Mapping[str, Any]) -> str | None:
        return gold_answer(sample)

    def score(self, answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
        gold = gold_answer(sample)
        if gold is None:
            return None
        ref, pred = rouge_tokens(gold), rouge_tokens(answer)
        values = {"ROUGE-L": rouge_l(ref, pred), "ROUGE-1": rouge_n(ref, pred, 1), "ROUGE-2": rouge_n(ref, pred, 2)}
        return Scored(values, parse_failed=not pred, error=None if pred else "empty answer")
