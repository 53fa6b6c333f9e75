"""`vdata infer` (mounted by `vdata.cli`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from vdata.console import console, friendly, progress_bar
from vdata.engines import EngineConfig, Sampling
from vdata.engines.config import template_overrides
from vdata.infer.run import InferConfig

_INFER = {f.name: f.default for f in InferConfig.__dataclass_fields__.values()}
_ENGINE = {f.name: f.default for f in EngineConfig.__dataclass_fields__.values()}
_SAMPLING = Sampling()


@friendly
def infer(
    data: Annotated[Path, typer.Option(help="Built dataset folder.")],
    model: Annotated[str, typer.Option(help="Model id or path; served model name (openai); JSON script (scripted).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Predictions JSONL (resumes: ids already there are kept).")],
    engine: Annotated[str, typer.Option(help="transformers, vllm, openai or scripted.")] = _ENGINE["name"],
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
    split: Annotated[str | None, typer.Option(help="Answer only this split (default: every split).")] = None,
    tasks: Annotated[str | None, typer.Option(help="Only these tasks, comma-separated (default: every task).")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N matching items (default: all).")] = None,
    batch_size: Annotated[int, typer.Option(help="Items per engine call.")] = _ENGINE["batch_size"],
    max_pixels: Annotated[int | None, typer.Option(help="Per-frame pixel budget for the model (default: the processor's).")] = None,
    prompt_template: Annotated[list[str] | None, typer.Option(help="FILE (every task) or TASK=FILE; repeat (default: "
                                                                     "the packaged templates).")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda[:N] (transformers).")] = _ENGINE["device"],
    dtype: Annotated[str, typer.Option(help="auto, bfloat16, float16, float32.")] = _ENGINE["dtype"],
    base_url: Annotated[str, typer.Option(help="OpenAI-compatible server (openai).")] = _ENGINE["base_url"],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Answer a built dataset with test-time scaling; writes the predictions JSONL that vdata eval reads."""
    from dataclasses import asdict

    from vdata.infer import infer as run_infer

    sampling = Sampling(temperature=(0.0 if n == 1 else 0.7) if temperature is None else temperature, top_p=top_p,
                        max_new_tokens=max_new_tokens, seed=seed)
    model_engine = EngineConfig(model=model, name=engine, sampling=sampling, batch_size=batch_size,
                                max_pixels=max_pixels, device=device, dtype=dtype, base_url=base_url,
                                prompt_templates=template_overrides(prompt_template))
    config = InferConfig(
        data=data, out=out, engine=model_engine, n=n, select=select, verifier=verifier, adaptive=adaptive,
        min_frames=min_frames, max_frames=max_frames, agree=agree, split=split,
        tasks=tuple(t.strip() for t in tasks.split(",")) if tasks else None, limit=limit,
    )
    with progress_bar("answering", quiet=as_json) as progress:
        bar = progress.add_task("infer", total=None, stats="")

        def update(done: int, total: int) -> None:
            elapsed = progress.tasks[0].elapsed or 0
            progress.update(bar, completed=done, total=total, stats=f"{done / elapsed:.2f} items/s" if elapsed else "")

        report = run_infer(config, on_progress=update)
    if as_json:
        console.print_json(json.dumps({**asdict(report), "out": str(out)}))
        return
    console.print(f"answered {report.items} items in {report.wall_s:.1f}s ({report.candidates} candidates, "
                  f"{report.mean_frames:.1f} frames on average, {report.stopped_early} stopped early)"
                  + (f", {report.resumed} already in {out}" if report.resumed else "") + f" -> {out}")
