"""`ocr`: 1 - word error rate of the answer against the gold text (rules in `vdata.tasks.ocr`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import AnswerReward, missing
from vdata.rewards.base import Explanation, register
from vdata.tasks.base import gold_answer
from vdata.tasks.text import wer, word_tokens


@register("ocr")
@dataclass(frozen=True)
class OCR(AnswerReward):
    """`max(0, 1 - WER)` between the gold text and the answer, WER over whitespace-separated words.

    Each CJK character counts as a word. `lowercase` and `strip_punctuation` normalise both sides first; off by
    default, so on ASCII text the value is `1 - jiwer.wer(gold, answer)` clamped to [0, 1].
    Reads `answer`. Range [0, 1]; None when the gold is missing.

    >>> OCR()("<answer>STOP here</answer>", {"task": "ocr", "answer": "STOP HERE"})
    0.5
    """

    tasks = ("ocr",)
    fields = ("answer",)
    lowercase: bool = False
    strip_punctuation: bool = False

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold = gold_answer(sample)
        if gold is None:
            return missing("answer")
        ref = word_tokens(gold, self.lowercase, self.strip_punctuation)
        hyp = word_tokens(answer, self.lowercase, self.strip_punctuation)
        err = wer(ref, hyp)
        return Explanation(max(0.0, 1.0 - err), {"wer": err}, parsed=answer)
