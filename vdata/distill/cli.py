"""`vdata distill` (mounted by `vdata.cli`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from vdata.console import console, err_console, friendly, print_table, progress_bar
from vdata.distill.config import DistillConfig
from vdata.engines import EngineConfig, Sampling
from vdata.engines.config import template_overrides
from vdata.rewards.weights import DEFAULT_REWARDS

_DISTILL = {f.name: f.default for f in DistillConfig.__dataclass_fields__.values()}
_ENGINE = {f.name: f.default for f in EngineConfig.__dataclass_fields__.values()}
_SAMPLING = Sampling()


@friendly
def distill(
    root: Annotated[Path, typer.Argument(help="Built dataset folder.")],
    teacher: Annotated[str, typer.Option(help="Model id or path; served model name (openai); JSON script (scripted).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output dataset folder.")],
    engine: Annotated[str, typer.Option(help="transformers, vllm, openai or scripted.")] = _ENGINE["name"],
    samples: Annotated[int, typer.Option(help="Candidates per item (K).")] = _DISTILL["samples"],
    temperature: Annotated[float, typer.Option(help="Sampling temperature (0 = greedy).")] = _SAMPLING.temperature,
    top_p: Annotated[float, typer.Option(help="Nucleus sampling top-p.")] = _SAMPLING.top_p,
    max_new_tokens: Annotated[int, typer.Option(help="Tokens per candidate.")] = _SAMPLING.max_new_tokens,
    seed: Annotated[int, typer.Option(help="Sampling seed.")] = _SAMPLING.seed,
    batch_size: Annotated[int, typer.Option(help="Items per engine call.")] = _ENGINE["batch_size"],
    tensor_parallel: Annotated[int, typer.Option(help="GPUs per model (vllm).")] = _ENGINE["tensor_parallel"],
    keep: Annotated[str, typer.Option(help="best: one row per item; all: every passing candidate.")]
    = _DISTILL["keep"],
    keep_rejected: Annotated[bool, typer.Option(help="Write items with no passing candidate to split rejected.")]
    = False,
    verify: Annotated[str, typer.Option(help="Rewards as verifier: NAME[:WEIGHT],...")] = DEFAULT_REWARDS,
    threshold: Annotated[list[str] | None, typer.Option(help="Pass threshold (weighted mean), or TASK=VALUE; repeat "
                                                          f"(default: {_DISTILL['threshold']} for every task).")]
    = None,
    prompt_template: Annotated[list[str] | None, typer.Option(help="FILE (every task) or TASK=FILE; repeat (default: the packaged templates).")]
    = None,
    tasks: Annotated[str | None, typer.Option(help="Only these tasks, comma-separated (default: every task).")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N matching items (default: all).")] = None,
    max_pixels: Annotated[int | None, typer.Option(help="Per-frame pixel budget for the model (default: the processor's).")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda[:N] (transformers).")] = _ENGINE["device"],
    dtype: Annotated[str, typer.Option(help="auto, bfloat16, float16, float32.")] = _ENGINE["dtype"],
    base_url: Annotated[str, typer.Option(help="OpenAI-compatible server (openai).")] = _ENGINE["base_url"],
    api_key_env: Annotated[str, typer.Option(help="Variable holding the API key.")] = _ENGINE["api_key_env"],
    concurrency: Annotated[int, typer.Option(help="Parallel requests (openai).")] = _ENGINE["concurrency"],
    timeout: Annotated[float, typer.Option(help="Seconds per request (openai).")] = _ENGINE["timeout_s"],
    max_retries: Annotated[int, typer.Option(help="Retries with backoff (openai).")] = _ENGINE["max_retries"],
    shard_size: Annotated[str, typer.Option(help="Target shard size, e.g. 256MB.")] = _DISTILL["shard_size"],
    replicas: Annotated[int, typer.Option(help="Teacher copies on a Ray cluster; a batch is split among them.")]
    = _DISTILL["replicas"],
    ray_address: Annotated[str | None, typer.Option(help="Ray cluster for --replicas (auto, HOST:6379). "
                                                         "Default: RAY_ADDRESS, else a local instance.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Distill CoT traces from a teacher, kept only when the verifier rewards pass (resumable)."""
    from vdata.distill import distill as run_distill
    from vdata.distill import parse_thresholds
    from vdata.rewards.weights import parse_weights

    default_threshold, per_task = parse_thresholds(threshold or [])
    templates = template_overrides(prompt_template)
    teacher_engine = EngineConfig(
        model=teacher, name=engine,
        sampling=Sampling(temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens, seed=seed),
        batch_size=batch_size, prompt_templates=templates,
        max_pixels=max_pixels, device=device, dtype=dtype, tensor_parallel=tensor_parallel, base_url=base_url,
        api_key_env=api_key_env, concurrency=concurrency, timeout_s=timeout, max_retries=max_retries,
    )
    config = DistillConfig(
        input=root, out=out, engine=teacher_engine, samples=samples, keep=keep, keep_rejected=keep_rejected,
        verify=parse_weights(verify, flag="--verify", positive=True),
        threshold=_DISTILL["threshold"] if default_threshold is None else default_threshold,
        task_thresholds=per_task, tasks=tuple(t.strip() for t in tasks.split(",")) if tasks else None, limit=limit,
        shard_size=shard_size, replicas=replicas, ray_address=ray_address,
    )
    with progress_bar("distilling", quiet=as_json) as progress:
        bar = progress.add_task("distill", total=None, stats="")

        def update(p: Any) -> None:
            stats = f"{p.items_per_s:.2f} items/s  {p.candidates_per_s:.1f} cand/s  pass {p.pass_rate:.0%}"
            progress.update(bar, completed=p.done, total=p.total, stats=stats)

        report = run_distill(config, on_progress=update)
    if as_json:
        console.print_json(json.dumps(report.to_json()))
        if report.passed == 0:
            err_console.print(f"[red]error:[/red] {escape(_nothing_passed(report, verify))}", highlight=False,
                              soft_wrap=True)
            raise typer.Exit(1)
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
    if report.passed == 0:
        err_console.print(f"[red]error:[/red] {escape(_nothing_passed(report, verify))}", highlight=False,
                          soft_wrap=True)
        raise typer.Exit(1)


def _nothing_passed(report: Any, verify: str) -> str:
    """The one-line error and hint of a run whose output holds no passing row (exit code 1)."""
    if report.items == 0:
        return (f"no item of the input matched (--tasks, --limit): {report.out} holds no rows; "
                "check the tasks with `vdata info`")
    return (f"no item passed the verifier ({report.items} items, {report.candidates} candidates, --verify {verify}): "
            f"{report.out} holds no training rows; lower --threshold, raise --samples, or check the prompts "
            "(--keep-rejected keeps the failed candidates to read)")
