"""`regression`: mean relative accuracy of the answer's number against the gold number."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import AnswerReward, missing
from vdata.rewards.base import Explanation, register, zero
from vdata.tasks.numeric import gold_number
from vdata.tasks.parsing import ParseError, parse_number


@register("regression")
@dataclass(frozen=True)
class Regression(AnswerReward):
    """Mean relative accuracy (VSI-Bench's MRA): the fraction of thresholds theta in 0.50, 0.55, ..., 0.95 with
    `abs(pred - gold) / abs(gold) < 1 - theta`.

    When the gold is 0 the relative error is undefined; the absolute error `abs(pred)` takes its place.
    Reads `answer`. Range [0, 1] in steps of 0.1; None when the gold is not a number.

    >>> s = {"task": "regression", "answer": "10"}
    >>> [Regression()(f"<answer>{a}</answer>", s) for a in ("10", "10.6", "13", "30")]
    [1.0, 0.9, 0.4, 0.0]
    """

    tasks = ("regression",)
    fields = ("answer",)
    start: float = 0.5
    end: float = 0.95
    step: float = 0.05

    def __post_init__(self) -> None:
        if not (0 <= self.start <= self.end < 1 and self.step > 0):
            raise ValueError(
                f"regression: need 0 <= start <= end < 1 and step > 0, got {self.start}, {self.end}, {self.step}"
            )

    def thresholds(self) -> list[float]:
        n = math.floor((self.end - self.start) / self.step + 1e-9) + 1
        return [round(self.start + i * self.step, 9) for i in range(n)]

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold = gold_number(sample)
        if gold is None:
            return missing("numeric answer")
        try:
            pred = parse_number(answer).value
        except ParseError as e:
            return zero(str(e))
        err = abs(pred - gold.value) / abs(gold.value) if gold.value != 0 else abs(pred)
        ths = self.thresholds()
        value = sum(err < round(1.0 - t, 9) for t in ths) / len(ths)
        return Explanation(value, {"error": err}, parsed=pred)
