"""Distill throughput with the `transformers` engine on CPU and the tiny local Qwen2.5-VL.

Goal: under 10% of wall time outside generation (reading frames, building prompts, scoring, writing).
Baseline, in the same process: the same engine generating for the same prompts, built beforehand, with nothing
else around it. Prints items/s, generated tokens/s, the share of wall time outside `engine.generate` (the loop's
own accounting) and the ratio of the full run's wall time to the baseline's.

    python benchmarks/bench_distill.py [--items 32] [--frames 8] [--samples 4] [--max-new-tokens 64]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.distill (the tiny model, test rows)

from tests.distill.helpers import make_row, write_dataset
from tests.distill.tiny_qwen import build_tiny_qwen25_vl
from vdata.distill import DistillConfig, distill
from vdata.engines import EngineConfig, Sampling, Templates, create_engine


def rows(n_items: int, n_frames: int, width: int, height: int) -> list[dict]:
    from tests.distill.helpers import jpeg

    out = []
    for i in range(n_items):
        row = make_row(f"item{i:04d}", "multiple_choice", question=f"What happens in clip {i}?",
                       options=["a car passes", "a bus stops", "a cat jumps"], answer="B")
        times = [round(j * 6.0 / n_frames, 3) for j in range(n_frames)]
        row.update(frames=[{"bytes": jpeg((i * 13 + j * 29) % 256, width, height), "path": None} for j in range(n_frames)],
                   frame_timestamps_s=times, frame_indices=[round(t * row["fps"]) for t in times])
        out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=32)
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--width", type=int, default=224)
    parser.add_argument("--height", type=int, default=168)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model = build_tiny_qwen25_vl(root / "model")
        data = rows(args.items, args.frames, args.width, args.height)
        built = write_dataset(root / "built", data)
        sampling = Sampling(temperature=1.0, top_p=0.95, max_new_tokens=args.max_new_tokens, seed=0)
        teacher = EngineConfig(str(model), "transformers", device="cpu", batch_size=args.batch_size, sampling=sampling)
        config = DistillConfig(input=built, out=root / "out", engine=teacher, samples=args.samples, keep_rejected=True)

        # baseline: generation alone, prompts built beforehand
        engine = create_engine(config.engine)
        templates = Templates()
        prompts = [templates.prompt(r) for r in data]
        engine.generate(prompts[: args.batch_size], args.samples, sampling)  # warm-up (allocations, kernels)
        engine.stats.generated_tokens = 0
        start = time.perf_counter()
        for i in range(0, len(prompts), args.batch_size):
            engine.generate(prompts[i : i + args.batch_size], args.samples, sampling)
        base_s = time.perf_counter() - start
        base_tokens = engine.stats.generated_tokens
        engine.close()

        # the full run: read shards, prompts, generate, verify, journal, write shards, manifest
        report = distill(config)

    print(f"items={args.items} frames={args.frames} ({args.width}x{args.height}) samples={args.samples} "
          f"batch={args.batch_size} max_new_tokens={args.max_new_tokens} device=cpu")
    print(f"baseline generate only: {base_s:.2f}s  {args.items / base_s:.2f} items/s  {base_tokens / base_s:.0f} tokens/s")
    print(f"vdata distill:          {report.wall_s:.2f}s  {report.items_per_s:.2f} items/s  "
          f"{report.tokens_per_s:.0f} tokens/s  (model generate {report.model_s:.2f}s, "
          f"processor {report.preprocess_s:.2f}s, model load {report.load_s:.2f}s)")
    print(f"share of wall time outside engine.generate: {report.outside_engine_share:.1%} (goal < 10%)")
    busy_s = report.wall_s - report.load_s
    print(f"share outside the model's generate call:   {1 - report.model_s / busy_s:.1%} (processor included)")
    print(f"ratio distill / baseline wall time: {report.wall_s / base_s:.3f}")


if __name__ == "__main__":
    main()
