"""`grounded_qa` and `grounded_qa_soft`: the right answer AND its evidence span (rules in
`vdata.tasks.grounded_qa`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import missing
from vdata.rewards.base import Explanation, not_applicable, register, zero
from vdata.rewards.temporal_iou import SpanReward
from vdata.tasks.grounded_qa import answer_correct, split_answer
from vdata.tasks.parsing import ParseError
from vdata.tasks.spans import intersection, length, read_gold_spans


@register("grounded_qa")
@dataclass(frozen=True)
class GroundedQA(SpanReward):
    """1.0 when the answer is correct and its evidence span has IoP >= `threshold` with the gold span(s), else 0.

    The answer block holds both, in any order: `B, 12.5 to 20.0`, `[12.5, 20.0] B`, or JSON
    `{"answer": "B", "span": [12.5, 20.0]}`. The span text is removed before the answer is read (by option,
    number or normalised text, see `answer_correct`). `soft=True` gives `IoP` when the answer is correct
    (registered as `grounded_qa_soft`). Reads `answer`, `options`, `spans`, `duration_s`. Range [0, 1]; None
    without a gold answer or gold spans.

    >>> s = {"task": "grounded_qa", "answer": "A", "options": ["he waves", "he sits"],
    ...      "spans": [{"start_s": 2.0, "end_s": 6.0}]}
    >>> GroundedQA()("<answer>A, 2.5 to 5.5</answer>", s), GroundedQA()("<answer>B, 2.5 to 5.5</answer>", s)
    (1.0, 0.0)
    """

    tasks = ("grounded_qa",)
    fields = ("answer", "options", "spans", "duration_s", "clip_start_s")
    threshold: float = 0.5
    soft: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 <= self.threshold <= 1:
            raise ValueError(f"{self.name}: threshold must be in [0, 1], got {self.threshold!r}")

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold, why = read_gold_spans(sample)
        if why:
            return not_applicable(why)
        text, span_text = split_answer(answer)
        correct = answer_correct(text, sample)
        if correct is None:
            return missing("answer")
        try:
            pred = self.predicted_spans(span_text, sample)
        except ParseError as e:
            return zero(str(e), parsed=text, correct=float(correct))
        size = length(pred)
        iop = intersection(pred, gold) / size if size > 0 else 0.0
        parts = {"correct": float(correct), "iop": iop}
        if self.soft:
            return Explanation(iop if correct else 0.0, parts, parsed=(text, pred))
        return Explanation(1.0 if correct and iop >= self.threshold else 0.0, parts, parsed=(text, pred))


@register("grounded_qa_soft")
@dataclass(frozen=True)
class GroundedQASoft(GroundedQA):
    """`grounded_qa` with `soft=True`: IoP with the gold span(s) when the answer is correct, else 0. Range [0, 1].

    >>> s = {"task": "grounded_qa", "answer": "A", "options": ["he waves", "he sits"],
    ...      "spans": [{"start_s": 2.0, "end_s": 6.0}]}
    >>> GroundedQASoft()("<answer>A, 4 to 8</answer>", s)
    0.5
    """

    soft: bool = True
