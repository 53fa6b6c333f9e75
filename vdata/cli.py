"""The `vdata` command line. Each command parses, calls one library function, and prints through `output`."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from vdata.distill.config import DEFAULT_VERIFY, DistillConfig, Sampling
from vdata.errors import VdataError
from vdata.eval.report import EvalOptions
from vdata.infer.run import InferConfig
from vdata.options import BuildOptions
from vdata.rewards import cli as rewards_cli
from vdata.train import cli as train_cli

app = typer.Typer(help="vdata: post-training data for video LMMs.", no_args_is_help=True, add_completion=False)
app.add_typer(rewards_cli.app, name="rewards")
console = Console()
err_console = Console(stderr=True)
_state = {"debug": False}
F = TypeVar("F", bound=Callable[..., Any])
_DEFAULTS = BuildOptions()


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False) -> None:
    _state["debug"] = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.ERROR, format="%(levelname)s %(name)s: %(message)s")


def friendly(fn: F) -> F:
    """Turn a `VdataError` into one red line and exit code 1 (a traceback only with --debug)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except VdataError as e:
            if _state["debug"]:
                raise
            err_console.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


app.add_typer(train_cli.make_app(friendly, console, lambda data: console.print_json(json.dumps(data))), name="train")


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


def print_summary(summary: dict[str, Any]) -> None:
    """The `vdata info` tables: totals, then rows by split / task / source, then errors by code."""
    totals = [["rows", summary["rows"]], ["keyframes", summary["keyframes"]], ["video hours", summary["video_hours"]],
              ["shards", summary["shards"]], ["size (MB)", round(summary["bytes"] / 1e6, 2)],
              ["schema version", summary["schema_version"]], ["errors", sum(summary["errors"].values())]]
    print_table(f"dataset {summary['path']}", ["what", "value"], totals)
    for key, title in (("by_split", "split"), ("by_task", "task"), ("by_source", "source"), ("errors", "error code")):
        if summary[key]:
            print_table(f"rows by {title}" if key != "errors" else "errors", [title, "count"],
                        [[k, v] for k, v in summary[key].items()])


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
    scenes: Annotated[str, typer.Option(help="Scene detection: none, content, adaptive.")] = _DEFAULTS.scenes,
    decoder: Annotated[str, typer.Option(help="auto (PyAV), pyav, opencv, torchcodec, decord.")] = _DEFAULTS.decoder,
    workers: Annotated[int | None, typer.Option(help="Local engine: worker processes (0 = in process). "
                                                     "Default: all cores.")] = None,
    timeout: Annotated[float, typer.Option(help="Per-item time limit, seconds.")] = _DEFAULTS.timeout_s,
    shard_size: Annotated[str, typer.Option(help="Target shard size, e.g. 256MB.")] = _DEFAULTS.shard_size,
    limit: Annotated[int | None, typer.Option(help="Build only the first N items.")] = None,
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
    from vdata.build import build as run_build
    from vdata.options import default_workers
    from vdata.urls import is_url, local_path

    options = BuildOptions(
        frames=frames, max_pixels=max_pixels, size_factor=size_factor, jpeg_quality=jpeg_quality, scenes=scenes,
        decoder=decoder, workers=default_workers() if workers is None else workers, timeout_s=timeout,
        shard_size=shard_size, limit=limit, split=split, engine=engine, ray_address=ray_address,
        task_memory=task_memory,
    )
    for spec in source:  # a bad --source fails here, before the progress bar appears
        builders.get(builders.parse_source(spec)[0])
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
        err_console.print(f"[red]problem:[/red] {problem}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    console.print(f"{root}: valid")


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
def card(
    root: Annotated[Path, typer.Argument(help="Dataset folder.")],
    repo: Annotated[str | None, typer.Option(help="USER/NAME the examples load from.")] = None,
    license: Annotated[str | None, typer.Option(help="License id for the YAML, e.g. cc-by-4.0 (default: the sources').")]
    = None,
) -> None:
    """(Re)write DIR/README.md: the dataset card (Hub YAML with configs per split; sections from vdata.json)."""
    from vdata.hub import write_card

    console.print(f"wrote {write_card(root, repo, license)}")


@app.command()
@friendly
def push(
    root: Annotated[Path, typer.Argument(help="Dataset folder.")],
    repo: Annotated[str, typer.Option(help="Dataset repo on the Hub, USER/NAME.")],
    private: Annotated[bool, typer.Option(help="Create the repo private (an existing repo keeps its visibility).")]
    = False,
    revision: Annotated[str | None, typer.Option(help="Branch to push to (created if missing). Default: main.")]
    = None,
    license: Annotated[str | None, typer.Option(help="License id for a generated card, e.g. cc-by-4.0.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the plan and limits locally; upload nothing.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Upload a built dataset to the Hugging Face Hub in few commits; rerun to resume. Token: HF_TOKEN or login."""
    from vdata import hub

    if not dry_run:
        report = hub.push(root, repo, private=private, revision=revision, license=license)
        if as_json:
            console.print_json(json.dumps(vars(report)))
        else:
            console.print(f"{report.commits} commit(s), {len(report.uploaded)} file(s) uploaded, "
                          f"{len(report.skipped)} already there: {report.url}")
        return
    plan, card_text = hub.dry_run(root, repo, license)
    files = [[i, f.path_in_repo, round(f.bytes / 1e6, 3)] for i, batch in enumerate(plan.commits, 1) for f in batch]
    if as_json:
        console.print_json(json.dumps({"url": hub.dataset_url(repo, revision), "files": files, "errors": plan.errors,
                                       "warnings": plan.warnings, "card": card_text}))
    else:
        console.print(card_text, markup=False, highlight=False, soft_wrap=True)
        print_table(f"would upload {len(files)} file(s), {plan.bytes / 1e6:.1f} MB, in {len(plan.commits)} commit(s)"
                    f" to {hub.dataset_url(repo, revision)}", ["commit", "file", "MB"], files)
        for level, messages in (("[yellow]warning", plan.warnings), ("[red]error", plan.errors)):
            for message in messages:
                err_console.print(f"{level}:[/] {message}", highlight=False)
    if plan.errors:
        raise typer.Exit(1)


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


# -- distill ------------------------------------------------------------------------------------------------------
_DISTILL = {f.name: f.default for f in DistillConfig.__dataclass_fields__.values()}
_SAMPLING = Sampling()


@app.command()
@friendly
def distill(
    root: Annotated[Path, typer.Argument(help="Built dataset folder.")],
    teacher: Annotated[str, typer.Option(help="Model id or path; served model name (openai); JSON script (scripted).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output dataset folder.")],
    engine: Annotated[str, typer.Option(help="transformers, vllm, openai or scripted.")] = _DISTILL["engine"],
    samples: Annotated[int, typer.Option(help="Candidates per item (K).")] = _DISTILL["samples"],
    temperature: Annotated[float, typer.Option(help="Sampling temperature (0 = greedy).")] = _SAMPLING.temperature,
    top_p: Annotated[float, typer.Option(help="Nucleus sampling top-p.")] = _SAMPLING.top_p,
    max_new_tokens: Annotated[int, typer.Option(help="Tokens per candidate.")] = _SAMPLING.max_new_tokens,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = _SAMPLING.seed,
    batch_size: Annotated[int, typer.Option(help="Items per engine call.")] = _DISTILL["batch_size"],
    tensor_parallel: Annotated[int, typer.Option(help="GPUs per model (vllm).")] = _DISTILL["tensor_parallel"],
    keep: Annotated[str, typer.Option(help="best: one row per item; all: every passing candidate.")]
    = _DISTILL["keep"],
    keep_rejected: Annotated[bool, typer.Option(help="Write items with no passing candidate to split rejected.")]
    = False,
    verify: Annotated[str, typer.Option(help="Rewards as verifier: NAME[:WEIGHT],...")] = DEFAULT_VERIFY,
    threshold: Annotated[list[str] | None, typer.Option(help="Pass threshold (weighted mean), or TASK=VALUE; repeat.")]
    = None,
    prompt_template: Annotated[list[str] | None, typer.Option(help="FILE (every task) or TASK=FILE; repeat.")]
    = None,
    tasks: Annotated[str | None, typer.Option(help="Only these tasks, comma-separated.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N matching items.")] = None,
    max_pixels: Annotated[int | None, typer.Option(help="Per-frame pixel budget for the model.")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda[:N] (transformers).")] = _DISTILL["device"],
    dtype: Annotated[str, typer.Option(help="auto, bfloat16, float16, float32.")] = _DISTILL["dtype"],
    base_url: Annotated[str, typer.Option(help="OpenAI-compatible server (openai).")] = _DISTILL["base_url"],
    api_key_env: Annotated[str, typer.Option(help="Variable holding the API key.")] = _DISTILL["api_key_env"],
    concurrency: Annotated[int, typer.Option(help="Parallel requests (openai).")] = _DISTILL["concurrency"],
    timeout: Annotated[float, typer.Option(help="Seconds per request (openai).")] = _DISTILL["timeout_s"],
    max_retries: Annotated[int, typer.Option(help="Retries with backoff (openai).")] = _DISTILL["max_retries"],
    shard_size: Annotated[str, typer.Option(help="Target shard size, e.g. 256MB.")] = _DISTILL["shard_size"],
    replicas: Annotated[int, typer.Option(help="Teacher copies on a Ray cluster; a batch is split among them.")]
    = _DISTILL["replicas"],
    ray_address: Annotated[str | None, typer.Option(help="Ray cluster for --replicas (auto, HOST:6379). "
                                                         "Default: RAY_ADDRESS, else a local instance.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Distill CoT traces from a teacher, kept only when the verifier rewards pass (resumable)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from vdata.distill import distill as run_distill
    from vdata.distill import parse_thresholds, parse_verify

    default_threshold, per_task = parse_thresholds(threshold or [])
    templates = tuple(tuple(t.split("=", 1)) if "=" in t else ("*", t) for t in prompt_template or [])
    config = DistillConfig(
        input=root, out=out, teacher=teacher, engine=engine, samples=samples,
        sampling=Sampling(temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens, seed=seed),
        batch_size=batch_size, tensor_parallel=tensor_parallel, keep=keep, keep_rejected=keep_rejected,
        verify=parse_verify(verify), threshold=_DISTILL["threshold"] if default_threshold is None else default_threshold,
        task_thresholds=per_task, prompt_templates=templates,  # type: ignore[arg-type]
        tasks=tuple(t.strip() for t in tasks.split(",")) if tasks else None, limit=limit, max_pixels=max_pixels,
        device=device, dtype=dtype, base_url=base_url, api_key_env=api_key_env, concurrency=concurrency,
        timeout_s=timeout, max_retries=max_retries, shard_size=shard_size, replicas=replicas,
        ray_address=ray_address,
    )
    with Progress(
        TextColumn("[bold]distilling"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[stats]}"),
        TimeRemainingColumn(), console=err_console, disable=as_json,
    ) as progress:
        bar = progress.add_task("distill", total=None, stats="")

        def update(p: Any) -> None:
            stats = f"{p.items_per_s:.2f} items/s  {p.candidates_per_s:.1f} cand/s  pass {p.pass_rate:.0%}"
            progress.update(bar, completed=p.done, total=p.total, stats=stats)

        report = run_distill(config, on_progress=update)
    if as_json:
        console.print_json(json.dumps(report.to_json()))
        return
    if report.already_done:
        console.print(f"{out} is already distilled with these options: nothing to do.")
    else:
        console.print(f"distilled {report.items_asked} items in {report.wall_s:.1f}s ({report.items_per_s:.2f} items/s, "
                      f"{report.tokens_per_s:.0f} tokens/s)"
                      + (f", {report.items_resumed} already done" if report.items_resumed else ""))
    print_table("pass rate by task", ["task", "items", "passed", "pass rate"],
                [[t, c["items"], c["passed"], f"{c['passed'] / c['items']:.0%}"] for t, c in report.per_task.items()])
    console.print(f"rows written: {report.rows} ({report.rejected_rows} rejected) in {out}")


_EVAL = EvalOptions()
_INFER = {f.name: f.default for f in InferConfig.__dataclass_fields__.values()}


@app.command("eval")
@friendly
def eval_(
    data: Annotated[Path, typer.Option(help="Built dataset folder.")],
    predictions: Annotated[Path, typer.Option(help="JSONL of {id, response} (what vdata infer writes).")],
    by: Annotated[list[str] | None, typer.Option(help="Break down by a column or meta key (source, type); repeat.")]
    = None,
    split: Annotated[str | None, typer.Option(help="Evaluate only this split.")] = None,
    missing: Annotated[str, typer.Option(help="Samples without a prediction: zero (count as wrong) or skip.")]
    = _EVAL.missing,
    coord_space: Annotated[str, typer.Option(help="Predicted boxes: pixels, resized, norm1, norm1000.")] = _EVAL.coord_space,
    plot: Annotated[Path | None, typer.Option(help="Write a PNG: per-task bars, IoU-threshold recall curves.")]
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


@app.command()
@friendly
def infer(
    data: Annotated[Path, typer.Option(help="Built dataset folder.")],
    model: Annotated[str, typer.Option(help="Model id or path; served model name (openai); JSON script (scripted).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Predictions JSONL (resumes: ids already there are kept).")],
    engine: Annotated[str, typer.Option(help="transformers, vllm, openai or scripted.")] = _INFER["engine"],
    n: Annotated[int, typer.Option("--n", help="Candidates per item.")] = _INFER["n"],
    select: Annotated[str, typer.Option(help="majority (self-consistency) or best (verifiers).")] = _INFER["select"],
    verifier: Annotated[str, typer.Option(help="Gold-free verifiers for --select best: NAME[:WEIGHT],...")]
    = _INFER["verifier"],
    adaptive: Annotated[bool, typer.Option(help="Sparse-to-dense: double frames until candidates agree.")] = _INFER["adaptive"],
    min_frames: Annotated[int, typer.Option(help="Frames of the first adaptive round.")] = _INFER["min_frames"],
    max_frames: Annotated[int | None, typer.Option(help="Frame cap (default: every stored keyframe).")] = None,
    agree: Annotated[float, typer.Option(help="Agreement in [0, 1] that stops the adaptive rounds.")] = _INFER["agree"],
    temperature: Annotated[float | None, typer.Option(help="Sampling temperature (default 0 for --n 1, else 0.7).")]
    = None,
    top_p: Annotated[float, typer.Option(help="Nucleus sampling top-p.")] = _SAMPLING.top_p,
    max_new_tokens: Annotated[int, typer.Option(help="Tokens per candidate.")] = _SAMPLING.max_new_tokens,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = _SAMPLING.seed,
    split: Annotated[str | None, typer.Option(help="Answer only this split.")] = None,
    tasks: Annotated[str | None, typer.Option(help="Only these tasks, comma-separated.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N matching items.")] = None,
    batch_size: Annotated[int, typer.Option(help="Items per engine call.")] = _INFER["batch_size"],
    max_pixels: Annotated[int | None, typer.Option(help="Per-frame pixel budget for the model.")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda[:N] (transformers).")] = _INFER["device"],
    dtype: Annotated[str, typer.Option(help="auto, bfloat16, float16, float32.")] = _INFER["dtype"],
    base_url: Annotated[str, typer.Option(help="OpenAI-compatible server (openai).")] = _INFER["base_url"],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Answer a built dataset with test-time scaling; writes the predictions JSONL that vdata eval reads."""
    from dataclasses import asdict

    from vdata.infer import infer as run_infer

    sampling = Sampling(temperature=(0.0 if n == 1 else 0.7) if temperature is None else temperature, top_p=top_p,
                        max_new_tokens=max_new_tokens, seed=seed)
    config = InferConfig(
        data=data, out=out, model=model, engine=engine, n=n, select=select, verifier=verifier, adaptive=adaptive,
        min_frames=min_frames, max_frames=max_frames, agree=agree, sampling=sampling, split=split,
        tasks=tuple(t.strip() for t in tasks.split(",")) if tasks else None, limit=limit, batch_size=batch_size,
        max_pixels=max_pixels, device=device, dtype=dtype, base_url=base_url,
    )
    report = run_infer(config)
    if as_json:
        console.print_json(json.dumps({**asdict(report), "out": str(out)}))
        return
    console.print(f"answered {report.items} items in {report.wall_s:.1f}s ({report.candidates} candidates, "
                  f"{report.mean_frames:.1f} frames on average, {report.stopped_early} stopped early)"
                  + (f", {report.resumed} already in {out}" if report.resumed else "") + f" -> {out}")
