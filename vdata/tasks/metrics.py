"""Benchmark metrics as small pure functions, each written to match the benchmark's own evaluation script.

Interval and box geometry comes from `vdata.tasks.spans` and `vdata.tasks.boxes`, the same functions the
rewards use, so training rewards and evaluation measure overlap the same way; what differs is only the
benchmark's rule on top (which prediction counts, `>=` or `>`, max over gold segments).
"""

from __future__ import annotations

from collections.abc import Sequence

from vdata.tasks.spans import Span, intersection
from vdata.tasks.spans import iou as span_iou

#: IoU thresholds of R@1 for temporal grounding (Charades-STA, ActivityNet Captions, TimeChat's `eval_tvg.py`).
TEMPORAL_THRESHOLDS = (0.3, 0.5, 0.7)
#: IoP / IoU thresholds of NExT-GQA (`eval_ground.py`).
GQA_THRESHOLDS = (0.3, 0.5)
#: vIoU thresholds of HC-STVG (TubeDETR's `hcstvg_eval.py`).
VIOU_THRESHOLDS = (0.3, 0.5)
#: Confidence thresholds of VSI-Bench's mean relative accuracy: 0.50, 0.55, ..., 0.95.
MRA_THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))


def at_least(value: float, threshold: float) -> float:
    """1.0 when `value >= threshold` (R@1 IoU=m, IoP@m, Acc@GQA), else 0.0.

    >>> at_least(0.5, 0.5), at_least(0.49, 0.5)
    (1.0, 0.0)
    """
    return 1.0 if value >= threshold else 0.0


def above(value: float, threshold: float) -> float:
    """1.0 when `value > threshold`, strictly (HC-STVG's vIoU@R), else 0.0.

    >>> above(0.5, 0.5), above(0.51, 0.5)
    (0.0, 1.0)
    """
    return 1.0 if value > threshold else 0.0


def best_span_iou(pred: Span, gold: Sequence[Span]) -> float:
    """IoU in [0, 1] of one predicted `(start_s, end_s)` with the best-matching gold span; 0.0 without gold.

    R@1 scores the first (top-1) predicted span only; with several gold spans the best one counts.

    >>> best_span_iou((10.0, 20.0), [(15.0, 25.0)])
    0.3333333333333333
    """
    return max((span_iou([pred], [g]) for g in gold), default=0.0)


def gqa_iou_iop(pred: Span, gold: Sequence[Span]) -> tuple[float, float]:
    """`(IoU, IoP)` of one predicted span as NExT-GQA's `eval_ground.py` computes them: each against every gold
    segment separately, then the maximum of each over the segments (not against their union).

    IoP is the share of the prediction inside the segment. A zero-length prediction (a point) has IoU 0 and IoP 1
    when it lies inside a segment, else 0 — the script's rule. Both in [0, 1]; (0, 0) without gold.

    >>> gqa_iou_iop((0.0, 10.0), [(0.0, 4.0), (6.0, 10.0)])
    (0.4, 0.4)
    >>> gqa_iou_iop((3.0, 3.0), [(2.0, 6.0)])
    (0.0, 1.0)
    """
    best_iou = best_iop = 0.0
    length = pred[1] - pred[0]
    for g in gold:
        if length <= 0:
            inside = g[0] <= pred[0] <= g[1]
            best_iop = max(best_iop, 1.0 if inside else 0.0)
            continue
        best_iou = max(best_iou, span_iou([pred], [g]))
        best_iop = max(best_iop, intersection([pred], [g]) / length)
    return best_iou, best_iop


def mean_relative_accuracy(pred: float, gold: float, thresholds: Sequence[float] = MRA_THRESHOLDS) -> float:
    """VSI-Bench's MRA in [0, 1]: the share of thresholds theta with `|pred - gold| / |gold| <= 1 - theta`.

    The comparison is `<=` as in VSI-Bench's `mean_relative_accuracy` (`thinking-in-space`,
    `lmms_eval/tasks/vsibench/utils.py`); the paper writes `<`, and so does the `regression` reward, so a
    prediction exactly on a boundary (10.5 for 10) scores 1.0 here and 0.9 as a reward. Both sides are rounded to
    9 decimals first, so float noise never decides a boundary. When the gold is 0 the absolute error replaces the
    relative one (the script divides by zero).

    >>> [mean_relative_accuracy(p, 10.0) for p in (10.0, 10.5, 13.0, 15.0, 30.0)]
    [1.0, 1.0, 0.5, 0.1, 0.0]
    """
    err = abs(pred - gold) / abs(gold) if gold != 0 else abs(pred)
    err = round(err, 9)
    return sum(err <= round(1.0 - t, 9) for t in thresholds) / len(thresholds)


def recall_curve(values: Sequence[float], thresholds: Sequence[float]) -> list[float]:
    """The share of `values` >= each threshold (a recall-at-IoU curve); 0.0 for every threshold when empty.

    >>> recall_curve([0.2, 0.6, 0.8], [0.0, 0.5, 0.7, 0.9])
    [1.0, 0.6666666666666666, 0.3333333333333333, 0.0]
    """
    n = len(values)
    return [sum(v >= t for v in values) / n if n else 0.0 for t in thresholds]
