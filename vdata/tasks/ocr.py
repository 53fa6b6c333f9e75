"""`ocr`: read the text shown in the video; scored by word error rate against the gold `answer`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vdata.tasks.base import Scored, Task, gold_answer, register
from vdata.tasks.parsing import ParseError
from vdata.tasks.text import rouge_l, rouge_tokens, wer, word_tokens


def ocr_accuracy(gold: str, answer: str, lowercase: bool = False, strip_punctuation: bool = False) -> float:
    """`max(0, 1 - WER)` in [0, 1] between `gold` and `answer`, WER over whitespace-separated words (each CJK
    character a word); `lowercase` and `strip_punctuation` normalise both sides first.

    >>> ocr_accuracy("STOP HERE", "STOP here")
    0.5
    """
    ref = word_tokens(gold, lowercase, strip_punctuation)
    hyp = word_tokens(answer, lowercase, strip_punctuation)
    return max(0.0, 1.0 - wer(ref, hyp))


@register("ocr")
class OCR(Task):
    """Metric: 1 - WER. SFT target: the gold text. Votes compare answers by ROUGE-L.

    >>> OCR().score("STOP here", {"answer": "STOP HERE"}).values
    {'1-WER': 0.5}
    """

    gold_fields = ("answer",)
    reward = "ocr"
    question_answering = True
    metrics = ("1-WER",)

    def parse(self, answer: str, sample: Mapping[str, Any]) -> list[str]:
        tokens = rouge_tokens(answer)
        if not tokens:
            raise ParseError("empty answer")
        return tokens

    def target(self, sample: Mapping[str, Any]) -> str | None:
        return gold_answer(sample)

    def score(self, answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
        gold = gold_answer(sample)
        return None if gold is None else Scored({"1-WER": ocr_accuracy(gold, answer)})

    def similarity(self, a: list[str], b: list[str]) -> float:
        return rouge_l(a, b)
