"""The `vdata` command line: the dataset commands here; each stage's commands live with the stage (`vdata.distill.cli`,
`vdata.train.cli`, `vdata.rewards.cli`, `vdata.eval.cli`, `vdata.infer.cli`, `vdata.hub.cli`) and are mounted
below. Each command parses, calls one library function, and prints through `vdata.console`."""

from __future__ import annotations

import os

# NumPy's OpenBLAS starts a thread per core on import, and each spins about 0.1 s waiting for work before it
# sleeps: 0.1-0.12 CPU-s of every `vdata` command (a third of its start-up CPU). A short spin (2^4 cycles)
# before sleeping keeps its threads; set here, before anything imports NumPy (a user's setting wins).
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import atexit
import gc
import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from vdata.console import console, err_console, friendly, print_json, print_summary, print_table, state
from vdata.curate import cli as curate_cli
from vdata.distill.cli import distill
from vdata.eval.cli import eval_
from vdata.export.cli import export
from vdata.hub.cli import card, push
from vdata.infer.cli import infer
from vdata.options import BuildOptions
from vdata.rewards import cli as rewards_cli
from vdata.train import cli as train_cli

app = typer.Typer(help="vdata: post-training data for video LMMs.", no_args_is_help=True, add_completion=False)
_DEFAULTS = BuildOptions()


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False) -> None:
    state["debug"] = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    _freeze_at_exit()


def _freeze_at_exit() -> None:
    """Freeze every object (`gc.freeze`) as the command's process exits. Python's finalisation otherwise runs
    the cycle collector over everything the command imported (typer, pydantic, pyarrow, pandas: 90,000 objects
    after a build, 0.03 s a pass) several times as it tears the modules down: 0.12-0.17 s of every `vdata`
    command on one core, after its output (0.01-0.03 s frozen: a 1-s build 0.87 -> 0.69 s wall, `vdata info`
    0.51 -> 0.44 s, medians of 8 interleaved pairs). Frozen objects are still freed by their reference counts;
    only garbage in reference cycles is left to the operating system, whose finalisers CPython never promises to
    run at exit (vdata closes its own files). Registered once however often a process runs a command (tests run
    many)."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


@app.command()
@friendly
def build(
    source: Annotated[list[str], typer.Option("--source", "-s", help="FORMAT:PATH; repeat to mix sources.")],
    out: Annotated[str, typer.Option("--out", "-o", help="Output dataset folder: a path or a URL (file://, s3://, gs://).")],
    frames: Annotated[str, typer.Option(help="Frame policy: uniform:N, fps:F,max=N, scenes[,min=N,max=N][,boxes].")]
    = _DEFAULTS.frames,
    max_pixels: Annotated[int, typer.Option(help="Pixel budget of a stored keyframe (w*h).")] = _DEFAULTS.max_pixels,
    size_factor: Annotated[int, typer.Option(help="Keyframe sides are multiples of this (28: Qwen2.5-VL).")]
    = _DEFAULTS.size_factor,
    jpeg_quality: Annotated[int, typer.Option(help="JPEG quality 1-100.")] = _DEFAULTS.jpeg_quality,
    scenes: Annotated[str, typer.Option(help="Scene detection: none, content[,threshold=27][,min_frames=15], "
                                             "adaptive[,threshold=3][,min_frames=15].")] = _DEFAULTS.scenes,
    decoder: Annotated[str, typer.Option(help="auto (PyAV), pyav, opencv, torchcodec, decord.")] = _DEFAULTS.decoder,
    audio: Annotated[bool, typer.Option("--audio", help="Store the clip window's audio (16 kHz mono FLAC).")]
    = _DEFAULTS.audio,
    workers: Annotated[int | None, typer.Option(help="Local engine: worker processes (0 = in process). "
                                                     "Default: all cores.")] = None,
    timeout: Annotated[float, typer.Option(help="Per-item time limit, seconds.")] = _DEFAULTS.timeout_s,
    shard_size: Annotated[str, typer.Option(help="Target shard size, e.g. 256MB.")] = _DEFAULTS.shard_size,
    limit: Annotated[int | None, typer.Option(help="Build only the first N items (default: all).")] = None,
    split: Annotated[str, typer.Option(help="Split for formats that name none.")] = _DEFAULTS.split,
    engine: Annotated[str, typer.Option(help="Where items run: local (process pool) or ray (a Ray cluster).")]
    = _DEFAULTS.engine,
    ray_address: Annotated[str | None, typer.Option(help="Ray cluster (auto, HOST:6379, ray://HOST:10001). "
                                                         "Default: RAY_ADDRESS, else a local instance.")] = None,
    task_memory: Annotated[str, typer.Option(help="Memory each Ray task reserves, e.g. 2GB.")]
    = _DEFAULTS.task_memory,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Build Parquet shards from video corpora (resumes an interrupted build; a finished one is a no-op)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from vdata import builders
    from vdata.build import ENGINES
    from vdata.build import build as run_build
    from vdata.options import default_workers
    from vdata.urls import is_url, local_path

    options = BuildOptions(
        frames=frames, max_pixels=max_pixels, size_factor=size_factor, jpeg_quality=jpeg_quality, scenes=scenes,
        decoder=decoder, workers=default_workers() if workers is None else workers, timeout_s=timeout,
        shard_size=shard_size, limit=limit, split=split, engine=engine, ray_address=ray_address,
        task_memory=task_memory, audio=audio,
    )
    ENGINES.get(engine)  # a bad --engine or --source fails here, before the progress bar appears
    for spec in source:
        name, _, source_options = builders.parse_source(spec)
        builders.builder_kwargs(name, source_options)
    with Progress(
        TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]} items/s"),
        TextColumn("rows {task.fields[rows]}  errors {task.fields[errors]}"), TimeRemainingColumn(),
        console=err_console, disable=as_json,
    ) as progress:
        task = progress.add_task("build", total=None, rate="-", rows=0, errors=0)

        def update(done: int, total: int, rows: int, errors: int) -> None:
            elapsed = progress.tasks[0].elapsed or 0
            rate = f"{done / elapsed:.1f}" if elapsed else "-"
            progress.update(task, completed=done, total=total, rate=rate, rows=rows, errors=errors)

        report = run_build(source, out, options, on_progress=update)
    if as_json:
        console.print_json(json.dumps({k: v for k, v in vars(report).items() if k != "out"} | {"out": str(out)}))
        return
    if report.already_built:
        console.print(f"{out} is already built with these options: nothing to do.")
    else:
        rate = report.video_s / report.wall_s if report.wall_s else 0
        console.print(f"built {report.items_run} items in {report.wall_s:.1f}s ({rate:.1f} video-s/s)"
                      + (f", {report.items_skipped} already done" if report.items_skipped else ""))
    if is_url(out):  # `vdata info` reads local datasets: print what the build counted
        print_table(f"dataset {out}", ["what", "value"], [["rows", report.rows], ["errors", report.errors]])
        return
    from vdata.info import summarise

    print_summary(summarise(local_path(out)))


@app.command()
@friendly
def formats() -> None:
    """List the source formats and the on-disk layout each expects."""
    import inspect

    from vdata import builders

    for name in builders.names():
        doc = inspect.getdoc(builders.get(name)) or ""
        console.rule(f"[bold]{name}")
        console.print(doc, highlight=False, markup=False)


@app.command()
@friendly
def info(
    root: Annotated[Path, typer.Argument(help="Dataset folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Summary of a built dataset: rows by split, task and source; keyframes; errors; size."""
    from vdata.info import summarise

    summary = summarise(root)
    if as_json:
        console.print_json(json.dumps(summary))
    else:
        print_summary(summary)


@app.command()
@friendly
def query(
    root: Annotated[Path, typer.Argument(help="Dataset folder.")],
    sql: Annotated[str, typer.Argument(help="SQL over the views `samples` and `errors`.")],
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Run DuckDB SQL over the dataset (views: samples, errors)."""
    from vdata.query import query as run_query

    names, rows = run_query(root, sql)
    if as_json:
        for row in rows:
            typer.echo(json.dumps(dict(zip(names, row, strict=True)), default=str))
    elif as_csv:
        import csv
        import sys

        writer = csv.writer(sys.stdout)
        writer.writerow(names)
        writer.writerows(rows)
    else:
        print_table(f"{len(rows)} rows", names, [list(r) for r in rows])


@app.command()
@friendly
def show(
    root: Annotated[Path, typer.Argument(help="Dataset folder.")],
    sample_id: Annotated[str, typer.Argument(help="Sample id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="PNG to write.")] = Path("sheet.png"),
) -> None:
    """Write a contact sheet of one sample: keyframes with timestamps, spans on a timeline, boxes."""
    from vdata.show import show as write_sheet

    console.print(f"wrote {write_sheet(root, sample_id, out)}")


@app.command()
@friendly
def validate(
    root: Annotated[Path, typer.Argument(help="Dataset folder.")],
    no_frames: Annotated[bool, typer.Option("--no-frames", help="Skip decoding every keyframe.")] = False,
) -> None:
    """Check that schema, checksums and manifest agree and that every keyframe decodes."""
    from vdata.validate import validate as run_validate

    problems = run_validate(root, decode_frames=not no_frames)
    for problem in problems:
        err_console.print(f"[red]problem:[/red] {escape(problem)}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    from vdata.validate import schema_versions

    console.print(f"{root}: valid (schema v{', v'.join(schema_versions(root))})", soft_wrap=True)


@app.command()
@friendly
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo corpus and dataset.")]
    = Path("demo-out"),
) -> None:
    """Generate a small video corpus, build it, print a summary and a query, and write a contact sheet."""
    from vdata.demo import run_demo

    run_demo(out, console)


@app.command()
@friendly
def mix(
    out: Annotated[Path, typer.Argument(help="Folder for the mixed dataset.")],
    sources: Annotated[list[str], typer.Option("--from", help="A built dataset and its weight, DIR:WEIGHT.")],
    total: Annotated[int, typer.Option("--total", help="Rows in the mixture.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the draw.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Mix built datasets by weight into a new one, copying rows (no video is decoded again)."""
    from vdata.errors import ConfigError
    from vdata.mix import mix as mix_datasets

    pairs = []
    for spec in sources:
        path, sep, weight = spec.rpartition(":")
        try:
            pairs.append((Path(path), float(weight)))
        except ValueError:
            sep = ""
        if not sep or not path:
            raise ConfigError(f"--from {spec!r}: expected DIR:WEIGHT, e.g. built/charades:0.5")
    report = mix_datasets(out, pairs, total=total, seed=seed)
    rows = [[source, report.taken[source], report.repeated[source]] for source in report.taken]
    if as_json:
        console.print_json(json.dumps({"out": str(out), "rows": report.rows, "sources": rows}))
    else:
        print_table(f"mixture {out} ({report.rows} rows)", ["source", "rows", "repeated"], rows)


app.command()(card)
app.command()(push)
app.command()(distill)
app.command("eval")(eval_)
app.command()(export)
app.command()(infer)
app.add_typer(curate_cli.app, name="curate")
app.add_typer(rewards_cli.app, name="rewards")
app.add_typer(train_cli.make_app(friendly, console, print_json), name="train")
app.command("debug-model")(train_cli.debug_model_command(friendly, print_json))
