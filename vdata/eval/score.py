"""Per-sample scoring: one response against one schema-v1 sample, read by the rewards' own parsers.

Every aggregated metric is the mean over samples of one per-sample value, so a breakdown by any field is a
plain regrouping. The reward gives the parse (and, where the benchmark agrees, the value); `metrics` adds the
benchmark's rule on top. Responses are read eval style: the last `<answer>` block, else the whole text.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vdata import rewards
from vdata.eval.metrics import (
    GQA_THRESHOLDS,
    TEMPORAL_THRESHOLDS,
    VIOU_THRESHOLDS,
    above,
    at_least,
    best_span_iou,
    gqa_iou_iop,
    mean_relative_accuracy,
)
from vdata.rewards.answer import gold_answer
from vdata.rewards.parsing import extract_answer, parse_number
from vdata.rewards.temporal import gold_spans
from vdata.rewards.text import rouge_l, rouge_n, rouge_tokens

#: The metrics reported for each task, in display order (each is the mean of the per-sample value of that name).
TASK_METRICS: dict[str, tuple[str, ...]] = {
    "multiple_choice": ("accuracy",),
    "numeric": ("accuracy",),
    "regression": ("MRA",),
    "ocr": ("1-WER",),
    "free_form": ("ROUGE-L", "ROUGE-1", "ROUGE-2"),
    "caption": ("ROUGE-L", "ROUGE-1", "ROUGE-2"),
    "temporal_grounding": ("mIoU", *(f"R1@{t}" for t in TEMPORAL_THRESHOLDS)),
    "grounded_qa": (
        "Acc@QA", "Acc@GQA", "mIoP", *(f"IoP@{t}" for t in GQA_THRESHOLDS),
        "mIoU", *(f"IoU@{t}" for t in GQA_THRESHOLDS),
    ),
    "spatial_grounding": ("mIoU", "Acc@0.5"),
    "spatiotemporal_grounding": ("m_tIoU", "m_vIoU", *(f"vIoU@{t}" for t in VIOU_THRESHOLDS)),
    "tracking": ("mIoU",),
}
#: The one metric per task drawn in the bar chart.
HEADLINE: dict[str, str] = {task: names[0] for task, names in TASK_METRICS.items()}
HEADLINE["grounded_qa"] = "Acc@GQA"
HEADLINE["spatiotemporal_grounding"] = "m_vIoU"
#: Per-sample values whose distribution is drawn as a recall-at-threshold curve, per task.
CURVES: dict[str, tuple[str, ...]] = {
    "temporal_grounding": ("mIoU",),
    "grounded_qa": ("mIoP", "mIoU"),
    "spatial_grounding": ("mIoU",),
    "spatiotemporal_grounding": ("m_vIoU",),
}
COORD_SPACES = ("pixels", "resized", "norm1", "norm1000")


@dataclass(frozen=True)
class Scored:
    """One judged sample: per-sample `values` (keys of `TASK_METRICS[task]`, each in [0, 1]), whether the
    response could not be parsed for the task (`parse_failed`; its values are then 0) and the parser's `error`."""

    values: dict[str, float] = field(default_factory=dict)
    parse_failed: bool = False
    error: str | None = None


@functools.cache
def _reward(name: str, coord_space: str | None = None) -> rewards.Reward:
    options: dict[str, Any] = {"fallback": True}
    if coord_space is not None:
        options["coord_space"] = coord_space
    return rewards.get(name, **options)


def score(response: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
    """The per-sample values of `response` for `sample`'s task; None when the sample cannot be judged (unknown
    task, missing gold). Never raises on the response.

    >>> score("<answer>B</answer>", {"task": "multiple_choice", "answer": "B", "options": ["x", "y"]})
    Scored(values={'accuracy': 1.0}, parse_failed=False, error=None)
    """
    scorer = _SCORERS.get(str(sample.get("task")))
    return None if scorer is None else scorer(response, sample, coord_space)


def _choice(response: str, sample: Mapping[str, Any], _: str) -> Scored | None:
    ex = _reward(str(sample["task"])).explain(response, sample)
    if ex.value is None:
        return None
    failed = ex.value == 0 and ex.parsed is None
    return Scored({"accuracy": ex.value}, failed, ex.error)


def _regression(response: str, sample: Mapping[str, Any], _: str) -> Scored | None:
    ex = _reward("regression").explain(response, sample)
    if ex.value is None:
        return None
    if ex.parsed is None:
        return Scored({"MRA": 0.0}, True, ex.error)
    gold = parse_number(str(gold_answer(sample))).value  # the reward judged it, so the gold is a number
    return Scored({"MRA": mean_relative_accuracy(float(ex.parsed), gold)})


def _ocr(response: str, sample: Mapping[str, Any], _: str) -> Scored | None:
    ex = _reward("ocr").explain(response, sample)
    return None if ex.value is None else Scored({"1-WER": ex.value})


def _free_form(response: str, sample: Mapping[str, Any], _: str) -> Scored | None:
    gold = gold_answer(sample)
    if gold is None:
        return None
    ref, pred = rouge_tokens(gold), rouge_tokens(extract_answer(response, fallback=True) or "")
    values = {"ROUGE-L": rouge_l(ref, pred), "ROUGE-1": rouge_n(ref, pred, 1), "ROUGE-2": rouge_n(ref, pred, 2)}
    return Scored(values, parse_failed=not pred, error=None if pred else "empty answer")


def _temporal(response: str, sample: Mapping[str, Any], _: str) -> Scored | None:
    ex = _reward("temporal_iou").explain(response, sample)
    if ex.value is None:
        return None
    if not ex.parsed:
        return Scored(dict.fromkeys(TASK_METRICS["temporal_grounding"], 0.0), True, ex.error)
    value = best_span_iou(ex.parsed[0], gold_spans(sample))
    return Scored({"mIoU": value, **{f"R1@{t}": at_least(value, t) for t in TEMPORAL_THRESHOLDS}})


def _grounded_qa(response: str, sample: Mapping[str, Any], _: str) -> Scored | None:
    ex = _reward("grounded_qa").explain(response, sample)
    if ex.value is None:
        return None
    correct = ex.components.get("correct", 0.0)
    parsed = isinstance(ex.parsed, tuple) and bool(ex.parsed[1])
    iou, iop = gqa_iou_iop(ex.parsed[1][0], gold_spans(sample)) if parsed else (0.0, 0.0)
    values = {"Acc@QA": correct, "Acc@GQA": correct * at_least(iop, 0.5), "mIoP": iop}
    values.update({f"IoP@{t}": at_least(iop, t) for t in GQA_THRESHOLDS})
    values["mIoU"] = iou
    values.update({f"IoU@{t}": at_least(iou, t) for t in GQA_THRESHOLDS})
    return Scored(values, not parsed, None if parsed else ex.error)


def _spatial(response: str, sample: Mapping[str, Any], coord_space: str) -> Scored | None:
    ex = _reward("box_iou", coord_space).explain(response, sample)
    if ex.value is None:
        return None
    return Scored({"mIoU": ex.value, "Acc@0.5": at_least(ex.value, 0.5)}, ex.parsed is None, ex.error)


def _spatiotemporal(response: str, sample: Mapping[str, Any], coord_space: str) -> Scored | None:
    ex = _reward("spatiotemporal_iou", coord_space).explain(response, sample)
    if ex.value is None:
        return None
    if "viou" not in ex.components:
        return Scored(dict.fromkeys(TASK_METRICS["spatiotemporal_grounding"], 0.0), True, ex.error)
    viou, tiou = ex.components["viou"], ex.components["tiou"]
    return Scored({"m_tIoU": tiou, "m_vIoU": viou, **{f"vIoU@{t}": above(viou, t) for t in VIOU_THRESHOLDS}})


def _tracking(response: str, sample: Mapping[str, Any], coord_space: str) -> Scored | None:
    ex = _reward("tracking", coord_space).explain(response, sample)
    if ex.value is None:
        return None
    return Scored({"mIoU": ex.value}, ex.parsed is None, ex.error)


_SCORERS = {
    "multiple_choice": _choice,
    "numeric": _choice,
    "regression": _regression,
    "ocr": _ocr,
    "free_form": _free_form,
    "caption": _free_form,
    "temporal_grounding": _temporal,
    "grounded_qa": _grounded_qa,
    "spatial_grounding": _spatial,
    "spatiotemporal_grounding": _spatiotemporal,
    "tracking": _tracking,
}

__all__ = ["COORD_SPACES", "CURVES", "HEADLINE", "TASK_METRICS", "Scored", "score"]
