"""Throughput and peak memory of `vdata train sft` and `vdata train grpo` against TRL's `SFTTrainer` and
`GRPOTrainer` on the same tiny model (`vdata debug-model`), the same rows and the same batch, in one run.

The rows (multiple choice with a short CoT, 6 JPEG keyframes each) are written once; TRL reads them through
`vdata export --to trl` (keyframes as interleaved images, TRL's conversational VLM format), vdata reads the shards
(keyframes as one video). Each trainer runs in its own fresh process for `--steps` optimizer steps; the first step
(lazy imports, allocator warm-up) is left out of the rate. Tokens are every token the model's forward passes read
(prompt with its vision tokens, plus completion), counted by a forward pre-hook on the model, the same hook for
both. Peak memory is the process's peak resident set size (`ru_maxrss`), and peak CUDA memory when on a GPU.
The ratio is vdata / TRL for tokens/s (higher is better; goal >= 1.0x on SFT) and TRL / vdata for memory.

    python benchmarks/bench_train.py [--steps 6] [--batch-size 4] [--size tiny] [--out bench-out/train]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import torch
trainer_name, stage, model, data, export, out, steps, batch = sys.argv[1:9]
steps, batch = int(steps), int(batch)
tokens, times = [0], []

def count(module, args, kwargs):
    ids = kwargs.get("input_ids")
    if ids is not None:
        tokens[0] += int(ids.numel())

if trainer_name == "vdata":
    import vdata.train.setup as setup
    from vdata.train import GRPOConfig, SFTConfig, train_grpo, train_sft
    start = setup.start
    def hooked(*a, **k):
        run = start(*a, **k)
        run.model.register_forward_pre_hook(count, with_kwargs=True)
        return run
    setup.start = hooked
    marks = []
    def on_step(record):
        marks.append((time.perf_counter(), tokens[0]))
    common = dict(data=data, model=model, out=out, max_steps=steps, batch_size=batch, num_workers=1, seed=0)
    if stage == "sft":
        train_sft(SFTConfig(lr=1e-4, **common), on_step=on_step)
    else:
        train_grpo(GRPOConfig(num_generations=4, max_new_tokens=16, beta=0.0, rewards="format,accuracy", **common),
                   on_step=on_step)
else:
    import datasets, trl
    from transformers import AutoModelForImageTextToText, AutoProcessor, TrainerCallback
    marks = []
    class Marks(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            marks.append((time.perf_counter(), tokens[0]))
    train = datasets.load_dataset("parquet", data_files={{"train": export}})["train"]
    policy = AutoModelForImageTextToText.from_pretrained(model)
    policy.register_forward_pre_hook(count, with_kwargs=True)
    processor = AutoProcessor.from_pretrained(model)
    common = dict(output_dir=out, use_cpu=not torch.cuda.is_available(), bf16=torch.cuda.is_available(),
                  report_to="none", max_steps=steps, save_strategy="no", seed=0, logging_steps=1)
    if stage == "sft":
        args = trl.SFTConfig(per_device_train_batch_size=batch, max_length=None, learning_rate=1e-4, **common)
        trainer = trl.SFTTrainer(model=policy, args=args, train_dataset=train, processing_class=processor,
                                 callbacks=[Marks()])
    else:
        from vdata.rewards.trl import reward_funcs
        args = trl.GRPOConfig(per_device_train_batch_size=batch * 4, num_generations=4, max_completion_length=16,
                              beta=0.0, **common)
        trainer = trl.GRPOTrainer(model=policy, processing_class=processor, args=args, train_dataset=train,
                                  reward_funcs=reward_funcs(["format", "accuracy"]), callbacks=[Marks()])
    trainer.train()
(t0, n0), (t1, n1) = marks[0], marks[-1]
print(json.dumps({{"tokens_per_s": (n1 - n0) / (t1 - t0), "steps": len(marks),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "peak_cuda_gb": torch.cuda.max_memory_allocated() / 1e9 if torch.cuda.is_available() else None}}))
"""


def prepare(out: Path, size: str, rows: int) -> tuple[Path, Path, Path]:
    sys.path.insert(0, str(ROOT))
    from tests.distill.helpers import write_dataset
    from tests.train.conftest import cot_rows
    from vdata.export import export
    from vdata.train.debug_model import build_debug_model

    model = out / f"model-{size}"
    if not (model / "config.json").exists():
        build_debug_model(model, arch="qwen2.5-vl", size=size)
    data = out / "data"
    if not (data / "vdata.json").exists():
        write_dataset(data, cot_rows(rows))
    shutil.rmtree(out / "trl-export", ignore_errors=True)
    exported = export(data, "trl", out / "trl-export")
    files = exported.extra["files"]["train"]
    return model, data, Path(files if isinstance(files, str) else files[0])


def run(trainer: str, stage: str, model: Path, data: Path, export: Path, out: Path, steps: int, batch: int) -> dict:
    code = CHILD.format(root=str(ROOT))
    argv = [trainer, stage, str(model), str(data), str(export), str(out / f"{trainer}-{stage}"), str(steps), str(batch)]
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{trainer} {stage} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=4, help="rows (SFT) or prompts (GRPO) per step")
    parser.add_argument("--size", default="tiny", choices=["tiny", "small"])
    parser.add_argument("--stages", default="sft,grpo")
    parser.add_argument("--out", type=Path, default=Path("bench-out/train"))
    args = parser.parse_args()
    model, data, export = prepare(args.out, args.size, rows=max(8, 2 * args.batch_size))
    print(f"{'stage':<6} {'trainer':<6} {'tokens/s':>10} {'peak RSS MB':>12} {'peak CUDA GB':>13}")
    for stage in args.stages.split(","):
        results = {t: run(t, stage, model, data, export, args.out, args.steps, args.batch_size) for t in ("vdata", "trl")}
        for name, r in results.items():
            cuda = f"{r['peak_cuda_gb']:.2f}" if r["peak_cuda_gb"] is not None else "-"
            print(f"{stage:<6} {name:<6} {r['tokens_per_s']:>10.0f} {r['peak_rss_mb']:>12.0f} {cuda:>13}", flush=True)
        speed = results["vdata"]["tokens_per_s"] / results["trl"]["tokens_per_s"]
        memory = results["trl"]["peak_rss_mb"] / results["vdata"]["peak_rss_mb"]
        print(f"{stage:<6} ratio  tokens/s vdata/TRL {speed:.2f}x, peak RSS TRL/vdata {memory:.2f}x", flush=True)


if __name__ == "__main__":
    main()
