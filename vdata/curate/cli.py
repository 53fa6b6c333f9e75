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
from vdata.curate.balance import BalanceOptions
from vdata.curate.contamination import ContaminationOptions
from vdata.curate.dedup import DedupOptions
from vdata.curate.difficulty import DifficultyOptions
from vdata.curate.filter import FilterOptions
from vdata.engines import EngineConfig, Sampling
from vdata.engines.config import template_overrides

app = typer.Typer(help="Curation for RL: difficulty, near-duplicates, contamination, balance, quality filters.",
                  no_args_is_help=True)


def defaults(options: type) -> dict[str, Any]:
    """Field name -> default of an options dataclass (what the flags show)."""
    return {f.name: f.default for f in fields(options)}


_DEDUP = defaults(DedupOptions)
_DIFFICULTY = defaults(DifficultyOptions)
_CONTAMINATION = defaults(ContaminationOptions)
_BALANCE = defaults(BalanceOptions)
_FILTER = defaults(FilterOptions)
_ENGINE = defaults(EngineConfig)
_SAMPLING = Sampling()
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


@app.command()
@friendly
def difficulty(
    root: Annotated[Path, typer.Argument(help="Built dataset folder.")],
    model: Annotated[str, typer.Option(help="Policy: model id or path; served model name (openai); JSON script "
                                            "(scripted).")],
    out: Out,
    engine: Annotated[str, typer.Option(help="transformers, vllm, openai or scripted.")] = _ENGINE["name"],
    samples: Annotated[int, typer.Option("-k", "--samples", help="Answers sampled per sample (K).")]
    = _DIFFICULTY["samples"],
    keep: Annotated[str | None, typer.Option(help="Keep pass rates in LO:HI, e.g. 0.1:0.9. Default: keep every rate.")] = None,
    drop_solved: Annotated[bool, typer.Option(help="Drop samples every answer passes.")] = False,
    drop_unsolved: Annotated[bool, typer.Option(help="Drop samples no answer passes.")] = False,
    reward: Annotated[str, typer.Option(help="Reward that judges answers (accuracy: each task's own).")]
    = _DIFFICULTY["reward"],
    threshold: Annotated[float, typer.Option(help="Reward an answer needs to pass.")] = _DIFFICULTY["threshold"],
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = _SAMPLING.temperature,
    top_p: Annotated[float, typer.Option(help="Nucleus sampling top-p.")] = _SAMPLING.top_p,
    max_new_tokens: Annotated[int, typer.Option(help="Tokens per answer.")] = _SAMPLING.max_new_tokens,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = _SAMPLING.seed,
    batch_size: Annotated[int, typer.Option(help="Samples per engine call.")] = _ENGINE["batch_size"],
    prompt_template: Annotated[list[str] | None, typer.Option(help="FILE (every task) or TASK=FILE; repeat. "
                                                                     "Default: the packaged templates.")] = None,
    max_pixels: Annotated[int | None, typer.Option(help="Per-frame pixel budget for the model. Default: the "
                                                        "processor's.")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda[:N] (transformers).")] = _ENGINE["device"],
    dtype: Annotated[str, typer.Option(help="auto, bfloat16, float16, float32.")] = _ENGINE["dtype"],
    tensor_parallel: Annotated[int, typer.Option(help="GPUs per model (vllm).")] = _ENGINE["tensor_parallel"],
    base_url: Annotated[str, typer.Option(help="OpenAI-compatible server (openai).")] = _ENGINE["base_url"],
    api_key_env: Annotated[str, typer.Option(help="Variable holding the API key.")] = _ENGINE["api_key_env"],
    concurrency: Annotated[int, typer.Option(help="Parallel requests (openai).")] = _ENGINE["concurrency"],
    shard_size: ShardSize = "256MB",
    as_json: Json = False,
) -> None:
    """Pass rate of each sample under a policy (K answers judged by the task reward); filter by it (resumable)."""
    from vdata.curate.difficulty import parse_range

    templates = template_overrides(prompt_template)
    policy = EngineConfig(
        model=model, name=engine, batch_size=batch_size, prompt_templates=templates,
        sampling=Sampling(temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens, seed=seed),
        max_pixels=max_pixels, device=device, dtype=dtype, tensor_parallel=tensor_parallel, base_url=base_url,
        api_key_env=api_key_env, concurrency=concurrency,
    )
    options = DifficultyOptions(engine=policy, samples=samples, reward=reward, threshold=threshold,
                                keep=parse_range(keep) if keep else None, drop_solved=drop_solved,
                                drop_unsolved=drop_unsolved)
    report = run("difficulty", options, [root], out, shard_size, as_json)
    if not as_json:
        s = report.summary
        console.print(f"asked the policy about {s['asked']} samples ({s['resumed']} answered before a restart, "
                      f"{s['reused']} scored already in meta.difficulty)")
        for key, title in (("histogram_by_task", "task"), ("histogram_by_source", "source")):
            print_table(f"pass rate by {title}", [title, *s["bins"]],
                        [[name, *(counts.get(b, 0) for b in s["bins"])] for name, counts in s[key].items()])


@app.command()
@friendly
def contamination(
    root: Annotated[Path, typer.Argument(help="Built training dataset folder.")],
    against: Annotated[list[Path], typer.Option(help="Benchmark dataset built by vdata; repeat.")],
    out: Out,
    match: Annotated[str, typer.Option(help="Kinds of match: video_id, frames, question (comma-separated).")]
    = ",".join(_CONTAMINATION["match"]),
    ngram: Annotated[int, typer.Option(help="Words per question n-gram.")] = _CONTAMINATION["ngram"],
    question_threshold: Annotated[float, typer.Option(help="Share of a question's n-grams found in one "
                                                           "benchmark question.")]
    = _CONTAMINATION["question_threshold"],
    max_distance: Annotated[int, typer.Option(help="Bits (of 64) within which two keyframe hashes match.")]
    = _CONTAMINATION["max_distance"],
    min_shared: Annotated[int, typer.Option(help="Keyframes two samples must share.")]
    = _CONTAMINATION["min_shared"],
    drop: Annotated[bool, typer.Option(help="Leave contaminated samples out of the output.")] = False,
    shard_size: ShardSize = "256MB",
    as_json: Json = False,
) -> None:
    """Training samples whose video or question appears in benchmark datasets; --drop writes the clean set."""
    options = ContaminationOptions(against=tuple(against), match=tuple(m.strip() for m in match.split(",") if m),
                                   ngram=ngram, question_threshold=question_threshold, max_distance=max_distance,
                                   min_shared=min_shared, drop=drop)
    report = run("contamination", options, [root], out, shard_size, as_json)
    if not as_json:
        s = report.summary
        console.print(f"{s['contaminated']} of {s['samples']} training samples match the benchmarks "
                      f"({', '.join(f'{k}: {v}' for k, v in s['by_kind'].items()) or 'none'})")


@app.command()
@friendly
def balance(
    root: Annotated[Path, typer.Argument(help="Built dataset folder.")],
    out: Out,
    max_per: Annotated[str | None, typer.Option(help="Caps KEY=N,... with KEY source, task, split or video_id. "
                                                     "Default: no cap.")] = None,
    answer_letters: Annotated[str, typer.Option(help="keep, or uniform: the correct option at every position "
                                                     "equally often (options reordered).")]
    = _BALANCE["answer_letters"],
    seed: Annotated[int, typer.Option(help="Seed of the cap order and the letter positions.")] = _BALANCE["seed"],
    shard_size: ShardSize = "256MB",
    as_json: Json = False,
) -> None:
    """Cap samples per source, task, split or video, and spread the correct option's letter uniformly."""
    from vdata.curate.balance import parse_caps

    options = BalanceOptions(max_per=parse_caps(max_per or ""), answer_letters=answer_letters, seed=seed)
    report = run("balance", options, [root], out, shard_size, as_json)
    if not as_json and report.summary["letters_after"]:
        s = report.summary
        letters = sorted(set(s["letters_before"]) | set(s["letters_after"]))
        print_table("correct option letter", ["", *letters],
                    [[when, *(s[f"letters_{when}"].get(x, 0) for x in letters)] for when in ("before", "after")])


@app.command("filter")
@friendly
def filter_(
    root: Annotated[Path, typer.Argument(help="Built dataset folder.")],
    out: Out,
    min_duration: Annotated[float, typer.Option(help="Drop clips shorter than this many seconds.")]
    = _FILTER["min_duration_s"],
    black_level: Annotated[float, typer.Option(help="Mean grey level (0-255) under which a keyframe is "
                                                    "near-black.")] = _FILTER["black_level"],
    black_share: Annotated[float, typer.Option(help="Drop samples with at least this share of near-black "
                                                    "keyframes.")] = _FILTER["black_share"],
    frozen_diff: Annotated[float, typer.Option(help="Drop samples whose consecutive keyframes all differ by less "
                                                    "(mean grey levels; 0 = off).")] = _FILTER["frozen_diff"],
    max_tokens: Annotated[int | None, typer.Option(help="Drop samples whose visual + text tokens exceed this. "
                                                        "Default: no budget.")] = None,
    family: Annotated[str, typer.Option(help="Model family of the token budget: qwen2-vl, qwen2.5-vl, qwen3-vl.")]
    = _FILTER["family"],
    max_pixels: Annotated[int | None, typer.Option(help="Per-frame pixel budget of the model. Default: the "
                                                        "family's.")] = None,
    tokenizer: Annotated[str | None, typer.Option(help="Local tokenizer for text tokens. Default: 4 characters "
                                                       "per token.")] = None,
    shard_size: ShardSize = "256MB",
    as_json: Json = False,
) -> None:
    """Quality filters: near-black or frozen keyframes, short clips, token budgets of a model family."""
    options = FilterOptions(min_duration_s=min_duration, black_level=black_level, black_share=black_share,
                            frozen_diff=frozen_diff, max_tokens=max_tokens, family=family, max_pixels=max_pixels,
                            tokenizer=tokenizer)
    run("filter", options, [root], out, shard_size, as_json)
