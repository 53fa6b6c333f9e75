"""`temporal_iou` and `temporal_iou_weighted` (Time-R1), and `SpanReward`, the base of every span reward.

Spans are seconds from the start of the video file, like the schema's `spans`. With `time_origin="clip"` the
model's times are read as seconds from `clip_start_s` (what a model sees when the clip is cut out) and shifted.
How spans are read and compared lives in `vdata.tasks.spans`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import AnswerReward, missing
from vdata.rewards.base import Explanation, check_choice, not_applicable, register, zero
from vdata.tasks.parsing import ParseError
from vdata.tasks.spans import (
    REVERSED_POLICIES,
    TIME_ORIGINS,
    Span,
    iou,
    pair_iou,
    read_gold_spans,
    read_spans,
)


@dataclass(frozen=True)
class SpanReward(AnswerReward):
    """Shared span handling: `reversed_span` policy (`zero` or `swap`), clamping to `[0, duration_s]` and
    `time_origin` (`video` or `clip`)."""

    reversed_span: str = "zero"
    time_origin: str = "video"

    def __post_init__(self) -> None:
        check_choice(self.name, "reversed_span", self.reversed_span, REVERSED_POLICIES)
        check_choice(self.name, "time_origin", self.time_origin, TIME_ORIGINS)

    def predicted_spans(self, text: str, sample: Mapping[str, Any]) -> list[Span]:
        """Parsed, origin-shifted, policy-applied and clamped spans (`vdata.tasks.spans.read_spans`); raises
        ParseError with the reason."""
        return read_spans(text, sample, self.reversed_span, self.time_origin)


@register("temporal_iou")
@dataclass(frozen=True)
class TemporalIoU(SpanReward):
    """IoU between the predicted span and the best-matching gold span; a multi-span answer is scored as the IoU
    of its union with the union of the gold spans.

    Spans are parsed by `parsing.parse_spans` (`12.5 to 20`, `12.5-20.0`, `[12.5, 20.0]`, `00:12.5 - 00:20`,
    JSON...), clamped to `[0, duration_s]`. A reversed span scores 0 (`reversed_span="swap"` swaps it).
    Reads `spans`, `duration_s` (and `clip_start_s` with `time_origin="clip"`). Range [0, 1]; None without
    gold spans. Judges `temporal_grounding`.

    >>> s = {"task": "temporal_grounding", "spans": [{"start_s": 10.0, "end_s": 20.0}], "duration_s": 60.0}
    >>> [TemporalIoU()(f"<answer>{a}</answer>", s) for a in ("10 to 20", "15.0 - 25.0 seconds", "20 to 10")]
    [1.0, 0.3333333333333333, 0.0]
    """

    tasks = ("temporal_grounding",)
    fields = ("spans", "duration_s", "clip_start_s")

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold, why = read_gold_spans(sample)
        if why:
            return not_applicable(why)
        try:
            pred = self.predicted_spans(answer, sample)
        except ParseError as e:
            return zero(str(e))
        value = max(pair_iou(pred[0], g) for g in gold) if len(pred) == 1 else iou(pred, gold)
        return Explanation(value, {"iou": value}, parsed=pred)


@register("temporal_iou_weighted")
@dataclass(frozen=True)
class TemporalIoUWeighted(SpanReward):
    """Time-R1's timestamp-aware IoU: `IoU * (1 - |ds| / D) * (1 - |de| / D)`, `ds`, `de` the start and end
    errors against the best-matching gold span and `D = duration_s`; each factor is clamped to [0, 1], so the
    value is never negative (unlike the paper's code, see `time-r1/iou_weighted`).

    For a multi-span answer the errors are those of the spans' hulls. Reads `spans`, `duration_s`. Range [0, 1];
    None without gold spans or a positive `duration_s`.

    >>> s = {"task": "temporal_grounding", "spans": [{"start_s": 10.0, "end_s": 20.0}], "duration_s": 100.0}
    >>> round(TemporalIoUWeighted()("<answer>10 to 30</answer>", s), 3)
    0.45
    """

    tasks = ("temporal_grounding",)
    fields = ("spans", "duration_s", "clip_start_s")

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold, why = read_gold_spans(sample)
        duration = sample.get("duration_s")
        if why:
            return not_applicable(why)
        if not duration or float(duration) <= 0:
            return missing("positive duration_s")
        try:
            pred = self.predicted_spans(answer, sample)
        except ParseError as e:
            return zero(str(e))
        if len(pred) == 1:
            best = max(gold, key=lambda g: iou(pred, [g]))
            value_iou, ref = iou(pred, [best]), best
        else:
            value_iou, ref = iou(pred, gold), (min(s for s, _ in gold), max(e for _, e in gold))
        ps, pe = min(s for s, _ in pred), max(e for _, e in pred)
        d = float(duration)
        start_factor = min(1.0, max(0.0, 1.0 - abs(ps - ref[0]) / d))
        end_factor = min(1.0, max(0.0, 1.0 - abs(pe - ref[1]) / d))
        value = value_iou * start_factor * end_factor
        parts = {"iou": value_iou, "start_factor": start_factor, "end_factor": end_factor}
        return Explanation(value, parts, parsed=pred)
