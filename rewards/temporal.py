"""Temporal grounding: `temporal_iou`, `temporal_iou_weighted`, `iop`, `grounded_qa`, `grounded_qa_soft`.

Spans are seconds from the start of the video file, like the schema's `spans`. With `time_origin="clip"` the
model's times are read as seconds from `clip_start_s` (what a model sees when the clip is cut out) and shifted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import AnswerReward, gold_answer, missing
from vdata.rewards.base import Explanation, check_choice, register, zero
from vdata.rewards.choice import gold_option, named_options
from vdata.rewards.parsing import _SPAN, ParseError, parse_number, parse_spans
from vdata.rewards.text import normalise

Span = tuple[float, float]


def gold_spans(sample: Mapping[str, Any]) -> list[Span]:
    """The sample's spans as `(start_s, end_s)` tuples (empty when missing); reversed gold spans are dropped."""
    out = []
    for s in sample.get("spans") or []:
        try:
            start, end = float(s["start_s"]), float(s["end_s"])
        except (KeyError, TypeError, ValueError):
            continue
        if start <= end:
            out.append((start, end))
    return out


def merge(spans: Sequence[Span]) -> list[Span]:
    """Sorted, non-overlapping union of spans."""
    out: list[list[float]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def length(spans: Sequence[Span]) -> float:
    return sum(e - s for s, e in merge(spans))


def intersection(a: Sequence[Span], b: Sequence[Span]) -> float:
    """Total length of the intersection of two unions of spans."""
    total = 0.0
    ma, mb = merge(a), merge(b)
    i = j = 0
    while i < len(ma) and j < len(mb):
        lo, hi = max(ma[i][0], mb[j][0]), min(ma[i][1], mb[j][1])
        total += max(0.0, hi - lo)
        if ma[i][1] < mb[j][1]:
            i += 1
        else:
            j += 1
    return total


def pair_iou(a: Span, b: Span) -> float:
    """IoU of two single spans; 0.0 when their union is empty."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union > 0 else 0.0


def iou(a: Sequence[Span], b: Sequence[Span]) -> float:
    """Intersection over union of two unions of spans; 0.0 when the union is empty."""
    inter = intersection(a, b)
    union = length(a) + length(b) - inter
    return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class SpanReward(AnswerReward):
    """Shared span handling: `reversed_span` policy (`zero` or `swap`), clamping to `[0, duration_s]` and
    `time_origin` (`video` or `clip`)."""

    reversed_span: str = "zero"
    time_origin: str = "video"

    def __post_init__(self) -> None:
        check_choice(self.name, "reversed_span", self.reversed_span, ("zero", "swap"))
        check_choice(self.name, "time_origin", self.time_origin, ("video", "clip"))

    def predicted_spans(self, text: str, sample: Mapping[str, Any]) -> list[Span]:
        """Parsed, origin-shifted, policy-applied and clamped spans; raises ParseError with the reason."""
        spans = parse_spans(text)
        offset = float(sample.get("clip_start_s") or 0.0) if self.time_origin == "clip" else 0.0
        duration = sample.get("duration_s")
        out = []
        for s, e in spans:
            if s > e:
                if self.reversed_span == "zero":
                    raise ParseError(f"reversed span {s:g} > {e:g}")
                s, e = e, s
            s, e = s + offset, e + offset
            if duration:
                s, e = min(max(s, 0.0), float(duration)), min(max(e, 0.0), float(duration))
            out.append((s, e))
        return out


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
        gold = gold_spans(sample)
        if not gold:
            return missing("spans")
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
        gold = gold_spans(sample)
        duration = sample.get("duration_s")
        if not gold:
            return missing("spans")
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
        gold = gold_spans(sample)
        if not gold:
            return missing("spans")
        try:
            pred = self.predicted_spans(answer, sample)
        except ParseError as e:
            return zero(str(e))
        if len(pred) == 1:  # NExT-GQA's eval: the best gold segment, not their union
            ps, pe = pred[0]
            value = max(max(0.0, min(pe, ge) - max(ps, gs)) for gs, ge in gold) / (pe - ps) if pe > ps else 0.0
        else:
            size = length(pred)
            value = intersection(pred, gold) / size if size > 0 else 0.0
        return Explanation(value, {"iop": value}, parsed=pred)


def answer_correct(answer: str, sample: Mapping[str, Any]) -> bool | None:
    """Whether `answer` is the sample's answer: by option when the sample has options or a letter gold, as a
    number when the gold is one, else by normalised text. None when the sample has no answer."""
    gold = gold_answer(sample)
    if gold is None:
        return None
    if sample.get("options"):
        index = gold_option(sample)
        return None if index is None else named_options(answer, sample.get("options")) == {index}
    try:
        gold_value = parse_number(gold).value
    except ParseError:
        return normalise(answer) == normalise(gold)
    try:
        return abs(parse_number(answer).value - gold_value) <= 1e-9 * max(1.0, abs(gold_value))
    except ParseError:
        return False


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
        gold = gold_spans(sample)
        if not gold:
            return missing("spans")
        text, span_text = _split_answer(answer)
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


def _split_answer(answer: str) -> tuple[str, str]:
    """(answer text, span text) from a grounded answer, JSON or plain."""
    import json

    stripped = answer.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            lowered = {str(k).lower(): v for k, v in data.items()}
            text = str(lowered.get("answer", lowered.get("choice", "")))
            rest = {k: v for k, v in lowered.items() if k not in ("answer", "choice")}
            return text, json.dumps(rest.get("span", rest.get("spans", rest)))
    spans = list(_SPAN.finditer(answer))
    if not spans:
        return answer, answer
    text = "".join(answer[a:b] for a, b in _gaps(spans, len(answer)))
    return text.strip(" \t\n,;:-[]()"), answer


def _gaps(matches: list, n: int) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in matches:
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, n))
    return out


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
