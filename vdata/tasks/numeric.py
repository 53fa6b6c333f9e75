"""`numeric`: a count or a quantity whose gold `answer` is one number, judged exactly (up to float noise)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vdata.tasks.base import Scored, Task, gold_answer, register
from vdata.tasks.parsing import Number, ParseError, parse_number

#: Default tolerances of `numbers_equal`: they only absorb float noise.
REL_TOL = 1e-9
ABS_TOL = 1e-9


def gold_number(sample: Mapping[str, Any]) -> Number | None:
    """The sample's `answer` as a number, or None when missing or not one number.

    >>> gold_number({"answer": "1,000"}).value, gold_number({"answer": "many"})
    (1000.0, None)
    """
    gold = gold_answer(sample)
    if gold is None:
        return None
    try:
        return parse_number(gold)
    except ParseError:
        return None


def numbers_equal(
    pred: Number, gold: Number, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL, percent_as_fraction: bool = False
) -> bool:
    """`abs(pred - gold) <= max(rel_tol * abs(gold), abs_tol)`; with `percent_as_fraction` a percentage also
    matches a gold written as a fraction (`50%` == `0.5`).

    >>> numbers_equal(Number(50.0, percent=True), Number(0.5), percent_as_fraction=True)
    True
    """
    candidates = [pred.value]
    if percent_as_fraction and pred.percent and not gold.percent:
        candidates.append(pred.value / 100.0)
    tol = max(rel_tol * abs(gold.value), abs_tol)
    return any(abs(c - gold.value) <= tol for c in candidates)


@register("numeric")
class Numeric(Task):
    """The answer is one number equal to the gold `answer`. Metric: accuracy. SFT target: the gold text.

    >>> Numeric().score("about 1,000 people", {"answer": "1000"}).values
    {'accuracy': 1.0}
    """

    gold_fields = ("answer",)
    reward = "numeric"
    question_answering = True
    metrics = ("accuracy",)
    discrete = True

    def parse(self, answer: str, sample: Mapping[str, Any]) -> float:
        return parse_number(answer).value

    def target(self, sample: Mapping[str, Any]) -> str | None:
        return gold_answer(sample) if gold_number(sample) is not None else None

    def score(self, answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
        gold = gold_number(sample)
        if gold is None:
            return None
        try:
            pred = parse_number(answer)
        except ParseError as e:
            return Scored({"accuracy": 0.0}, True, str(e))
        ok = numbers_equal(pred, gold)
        return Scored({"accuracy": 1.0 if ok else 0.0}, False, None if ok else f"{pred.value} != {gold.value}")

    def vote_key(self, parsed: float) -> str:
        return f"{parsed:g}"
