"""`numeric`: the answer's one number equals the gold number (rules in `vdata.tasks.numeric`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import AnswerReward, missing
from vdata.rewards.base import Explanation, register, zero
from vdata.tasks.numeric import ABS_TOL, REL_TOL, gold_number, numbers_equal
from vdata.tasks.parsing import ParseError, parse_number


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
    rel_tol: float = REL_TOL
    abs_tol: float = ABS_TOL
    percent_as_fraction: bool = False

    def __post_init__(self) -> None:
        if not (self.rel_tol >= 0 and self.abs_tol >= 0):
            raise ValueError(
                f"numeric: rel_tol and abs_tol must be >= 0, got {self.rel_tol!r}, {self.abs_tol!r}"
            )

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold = gold_number(sample)
        if gold is None:
            return missing("numeric answer")
        try:
            pred = parse_number(answer)
        except ParseError as e:
            return zero(str(e))
        ok = numbers_equal(pred, gold, self.rel_tol, self.abs_tol, self.percent_as_fraction)
        return Explanation(
            1.0 if ok else 0.0, parsed=pred.value, error=None if ok else f"{pred.value} != {gold.value}"
        )
