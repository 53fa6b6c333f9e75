"""`temporal_grounding`: when does the described moment happen? The gold is `spans` (seconds)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vdata.tasks.base import Scored, Task, register
from vdata.tasks.metrics import TEMPORAL_THRESHOLDS, at_least, best_span_iou
from vdata.tasks.parsing import ParseError
from vdata.tasks.spans import Span, format_span, gold_spans, pair_iou, read_spans


@register("temporal_grounding")
class TemporalGrounding(Task):
    """The answer is a span (`12.5 to 20`, `[12.5, 20.0]`, `00:12.5 - 00:20`, JSON...), read in video seconds and
    clamped to the video (`spans.read_spans`); a reversed span is no answer. Metrics: mIoU and R1@{0.3, 0.5,
    0.7} of the first span against the best-matching gold span. SFT target: the first gold span. Votes compare
    first spans by IoU.

    >>> s = {"spans": [{"start_s": 10.0, "end_s": 20.0}], "duration_s": 60.0}
    >>> TemporalGrounding().target(s), TemporalGrounding().score("15 to 25", s).values["mIoU"]
    ('10.00 - 20.00', 0.3333333333333333)
    """

    gold_fields = ("spans",)
    reward = "temporal_iou"
    metrics = ("mIoU", *(f"R1@{t}" for t in TEMPORAL_THRESHOLDS))
    curves = ("mIoU",)

    def parse(self, answer: str, sample: Mapping[str, Any]) -> Span:
        return read_spans(answer, sample)[0]

    def target(self, sample: Mapping[str, Any]) -> str | None:
        gold = gold_spans(sample)
        return format_span(gold[0]) if gold else None

    def score(self, answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
        gold = gold_spans(sample)
        if not gold:
            return None
        try:
            pred = self.parse(answer, sample)
        except ParseError as e:
            return Scored(dict.fromkeys(self.metrics, 0.0), True, str(e))
        value = best_span_iou(pred, gold)
        return Scored({"mIoU": value, **{f"R1@{t}": at_least(value, t) for t in TEMPORAL_THRESHOLDS}})

    def similarity(self, a: Span, b: Span) -> float:
        return pair_iou(a, b)
