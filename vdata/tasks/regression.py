"""`regression`: an estimate (a distance, a size, a count) scored by how close it is to the gold number."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vdata.tasks.base import Scored, Task, gold_answer, register
from vdata.tasks.metrics import mean_relative_accuracy
from vdata.tasks.numeric import Numeric, gold_number
from vdata.tasks.parsing import ParseError, parse_number


@register("regression")
class Regression(Task):
    """The answer is one number near the gold `answer`. Metric: VSI-Bench's mean relative accuracy (MRA).
    SFT target: the gold text.

    >>> Regression().score("13", {"answer": "10"}).values
    {'MRA': 0.5}
    """

    gold_fields = ("answer",)
    reward = "regression"
    question_answering = True
    metrics = ("MRA",)
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
            pred = parse_number(answer).value
        except ParseError as e:
            return Scored({"MRA": 0.0}, True, str(e))
        return Scored({"MRA": mean_relative_accuracy(pred, gold.value)})

    vote_key = Numeric.vote_key
