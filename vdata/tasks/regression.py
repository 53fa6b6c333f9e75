"""`regression`: an estimate (a distance, a size, a count) scored by how close it is to the gold number."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vdata.tasks.base import Scored, register
from vdata.tasks.metrics import mean_relative_accuracy
from vdata.tasks.numeric import Numeric, gold_number
from vdata.tasks.parsing import ParseError, parse_number


@register("regression")
class Regression(Numeric):
    """The answer is one number near the gold `answer`: read, targeted and voted like `numeric`; the metric is
    VSI-Bench's mean relative accuracy (MRA).

    >>> Regression().score("13", {"answer": "10"}).values
    {'MRA': 0.5}
    """

    reward = "regression"
    metrics = ("MRA",)

    def score(self, answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
        gold = gold_number(sample)
        if gold is None:
            return None
        try:
            pred = parse_number(answer).value
        except ParseError as e:
            return Scored({"MRA": 0.0}, True, str(e))
        return Scored({"MRA": mean_relative_accuracy(pred, gold.value)})

