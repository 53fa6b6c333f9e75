"""`vdata eval` (mounted by `vdata.cli`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from vdata.console import console, friendly, print_table
from vdata.eval.report import EvalOptions

_EVAL = EvalOptions()


@friendly
def eval_(
    data: Annotated[Path, typer.Option(help="Built dataset folder.")],
    predictions: Annotated[Path, typer.Option(help="JSONL of {id, response} (what vdata infer writes).")],
    by: Annotated[list[str] | None, typer.Option(help="Break down by a column or meta key (source, type); repeat "
                                                          "(default: per task only).")]
    = None,
    split: Annotated[str | None, typer.Option(help="Evaluate only this split (default: every split).")] = None,
    missing: Annotated[str, typer.Option(help="Samples without a prediction: zero (count as wrong) or skip.")]
    = _EVAL.missing,
    coord_space: Annotated[str, typer.Option(help="Predicted boxes: pixels, resized, norm1, norm1000.")] = _EVAL.coord_space,
    plot: Annotated[Path | None, typer.Option(help="Write a PNG: per-task bars, IoU-threshold recall curves (default: no plot).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Benchmark metrics of predictions against a built dataset, per task (and per --by group)."""
    from vdata.eval import EvalOptions, evaluate
    from vdata.eval.report import TABLE_COLUMNS, table_rows

    report = evaluate(data, predictions, EvalOptions(by=tuple(by or ()), split=split, missing=missing,
                                                     coord_space=coord_space))
    summary = report.summary()
    if plot is not None:
        from vdata.eval.plot import plot as write_plot

        summary["plot"] = str(write_plot(report, plot))
    if as_json:
        console.print_json(json.dumps(summary))
        return
    counts = summary["counts"]
    print_table(f"eval {data} ({counts['samples']} samples, {counts['missing_predictions']} without prediction, "
                f"{counts['unknown_predictions']} unknown ids)", list(TABLE_COLUMNS), table_rows(summary))
    if plot is not None:
        console.print(f"wrote {summary['plot']}")
