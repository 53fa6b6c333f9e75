"""Benchmark evaluation (`vdata eval`): metrics per task from `vdata.tasks`, breakdowns, report, plot.

    from vdata.eval import EvalOptions, evaluate
    report = evaluate("built/nextgqa", "preds.jsonl", EvalOptions(by=("type",)))
    report.summary()["tasks"]["grounded_qa"]["metrics"]["Acc@GQA"]

`vdata.tasks.metrics` holds the benchmark formulas as pure functions and each task's `score` turns one answer
into per-sample values (`score` here reads the answer out of a response and calls it),
`report` joins predictions to samples and aggregates, `plot` draws the PNG. Importing this package loads no ML
library.
"""

from vdata.eval.report import EvalOptions, EvalReport, evaluate, load_predictions
from vdata.eval.score import TASK_METRICS, Scored, score
from vdata.tasks.metrics import (
    above,
    at_least,
    best_span_iou,
    gqa_iou_iop,
    mean_relative_accuracy,
    recall_curve,
)

__all__ = [
    "TASK_METRICS",
    "EvalOptions",
    "EvalReport",
    "Scored",
    "above",
    "at_least",
    "best_span_iou",
    "evaluate",
    "gqa_iou_iop",
    "load_predictions",
    "mean_relative_accuracy",
    "recall_curve",
    "score",
]
