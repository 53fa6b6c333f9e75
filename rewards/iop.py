"""`iop`: intersection over prediction (NExT-GQA), the share of the predicted span inside the gold."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import Explanation, not_applicable, register, zero
from vdata.rewards.temporal_iou import SpanReward
from vdata.tasks.parsing import ParseError
from vdata.tasks.spans import intersection, length, read_gold_spans


@register("iop")
@dataclass(frozen=True)
class IoP(SpanReward):
    """Intersection over prediction (NExT-GQA): the share of the predicted span inside the best-matching gold
    span, as NExT-GQA's `eval_ground.py` scores it; a multi-span answer is scored against the gold union.
    A zero-length prediction scores 0 (the benchmark script gives it 1 when inside a gold span; as a training
    reward that would pay for degenerate spans).

    Reads `spans`, `duration_s`. Range [0, 1]; 0 for an empty prediction; None without gold spans. Judges
    `temporal_grounding` and `grounded_qa`.

    >>> s = {"task": "grounded_qa", "spans": [{"start_s": 10.0, "end_s": 20.0}]}
    >>> IoP()("<answer>12 to 16</answer>", s), IoP()("<answer>15 to 25</answer>", s)
    (1.0, 0.5)
    """

    tasks = ("temporal_grounding", "grounded_qa")
    fields = ("spans", "duration_s", "clip_start_s")

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold, why = read_gold_spans(sample)
        if why:
            return not_applicable(why)
        try:
            pred = self.predicted_spans(answer, sample)
        except ParseError as e:
            return zero(str(e))
        if len(pred) == 1:  # NExT-GQA's eval: the best gold segment, not their union
            ps, pe = pred[0]
            value = (
                max(max(0.0, min(pe, ge) - max(ps, gs)) for gs, ge in gold) / (pe - ps) if pe > ps else 0.0
            )
        else:
            size = length(pred)
            value = intersection(pred, gold) / size if size > 0 else 0.0
        return Explanation(value, {"iop": value}, parsed=pred)
