"""`numeric` (exact up to a tolerance) and `regression` (mean relative accuracy)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import AnswerReward, gold_answer, missing
from vdata.rewards.base import Explanation, register, zero
from vdata.rewards.parsing import Number, ParseError, parse_number


def _gold_number(sample: Mapping[str, Any]) -> Number | None:
    gold = gold_answer(sample)
    if gold is None:
        return None
    try:
        return parse_number(gold)
    except ParseError:
        return None


@register("numeric")
@dataclass(frozen=True)
class Numeric(AnswerReward):
    """1.0 when the answer's one number equals the gold number, 0.0 otherwise.

    Numbers compare as numbers: `3` == `3.0`, `1,000` == `1000`, `50%` == `50`. With `percent_as_fraction`,
    a percentage also matches the gold written as a fraction (`50%` == `0.5`). Equal means
    `abs(a - b) <= max(rel_tol * abs(gold), abs_tol)`; the defaults only absorb float noise. An answer with two
    different numbers ("3 or 4") scores 0. Reads `answer`. Range [0, 1]; None when the gold is not a number.

    >>> s = {"task": "numeric", "answer": "1000"}
    >>> [Numeric()(f"<answer>{a}</answer>", s) for a in ("1,000", "1000.0", "about 1000 people", "999")]
    [1.0, 1.0, 1.0, 0.0]
    """

    tasks = ("numeric",)
    fields = ("answer",)
    rel_tol: float = 1e-9
    abs_tol: float = 1e-9
    percent_as_fraction: bool = False

    def __post_init__(self) -> None:
        if not (self.rel_tol >= 0 and self.abs_tol >= 0):
            raise ValueError(
                f"numeric: rel_tol and abs_tol must be >= 0, got {self.rel_tol!r}, {self.abs_tol!r}"
            )

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold = _gold_number(sample)
        if gold is None:
            return missing("numeric answer")
        try:
            pred = parse_number(answer)
        except ParseError as e:
            return zero(str(e))
        candidates = [pred.value]
        if self.percent_as_fraction and pred.percent and not gold.percent:
            candidates.append(pred.value / 100.0)
        tol = max(self.rel_tol * abs(gold.value), self.abs_tol)
        ok = any(abs(c - gold.value) <= tol for c in candidates)
        return Explanation(
            1.0 if ok else 0.0, parsed=pred.value, error=None if ok else f"{pred.value} != {gold.value}"
        )


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
        gold = _gold_number(sample)
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
