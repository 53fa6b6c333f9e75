"""`vdata curate ...` (mounted by `vdata.cli`): one command per curate step; each parses its flags into the step's
options (defaults read from the options dataclass), runs `vdata.curate.run_step` with a progress bar and prints
the outcome (or `--json`)."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any

import typer

from vdata.console import console, err_console, friendly, print_table
from vdata.curate.dedup import DedupOptions

app = typer.Typer(help="Curation for RL: difficulty, near-duplicates, contamination, balance, quality filters.",
                  no_args_is_help=True)


def defaults(options: type) -> dict[str, Any]:
    """Field name -> default of an options dataclass (what the flags show)."""
    return {f.name: f.default for f in fields(options)}


_DEDUP = defaults(DedupOptions)
Out = Annotated[Path, typer.Option("--out", "-o", help="Output dataset folder.")]
ShardSize = Annotated[str, typer.Option(help="Target shard size, e.g. 256MB.")]
Json = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def run(name: str, options: Any, inputs: list[Path], out: Path, shard_size: str, as_json: bool) -> Any:
    """Run step `name` with a progress bar on stderr, print the outcome; returns the `CurateReport`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from vdata.curate import STEPS, run_step

    step = STEPS.get(name)(options)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, disable=as_json) as progress:
        bars: dict[str, Any] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in bars:
                bars[phase] = progress.add_task(f"{name}: {phase}", total=total)
            progress.update(bars[phase], completed=done, total=total)

        report = run_step(step, inputs, out, shard_size=shard_size, on_progress=update)
    if as_json:
        console.print_json(json.dumps(report.to_json()))
        return report
    if report.already_done:
        console.print(f"{out} already holds this curate {name} run: nothing to do.")
    console.print(f"kept {report.rows_out} of {report.rows_in} samples in {out}; report: {report.report_path}")
    if report.dropped:
        print_table("dropped", ["reason", "samples"], [[k, v] for k, v in report.dropped.items()])
    return report


@app.command()
@friendly
def dedup(
    inputs: Annotated[list[Path], typer.Argument(help="Built dataset folders, in preference order.")],
    out: Out,
    prefer: Annotated[str, typer.Option(help="Which sample of a cluster stays: source-order, longest, most-frames, "
                                             "largest.")] = _DEDUP["prefer"],
    by: Annotated[str, typer.Option(help="sample: one per video, task and question; video: one per video.")]
    = _DEDUP["by"],
    max_distance: Annotated[int, typer.Option(help="Bits (of 64) within which two keyframe hashes match.")]
    = _DEDUP["max_distance"],
    min_shared: Annotated[int, typer.Option(help="Keyframes two samples must share.")] = _DEDUP["min_shared"],
    shard_size: ShardSize = "256MB",
    as_json: Json = False,
) -> None:
    """Exact and near-duplicate videos across datasets from keyframe hashes; keeps one sample per cluster."""
    report = run("dedup", DedupOptions(max_distance=max_distance, min_shared=min_shared, prefer=prefer, by=by),
                 inputs, out, shard_size, as_json)
    if not as_json:
        s = report.summary
        console.print(f"{s['clusters']} clusters ({s['exact']} exact and {s['near']} near duplicates dropped; "
                      f"largest {s['largest_cluster']}); {s['unreadable']} samples with unreadable keyframes kept")
