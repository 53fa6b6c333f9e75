"""Ray engine overhead: `vdata build --engine ray` against the local engine on this machine, same corpus.

Goal: Ray build wall time < 1.2x the local engine's, with the same number of workers (Ray: a local instance with
as many CPUs as the local pool has workers). The corpus is generated (`vdata.synthetic.write_video`), videos of
mixed lengths; both engines build it with the default options plus `--scenes content` (a full decode per item,
so an item costs what a real one does; `--scenes none` measures the lighter seek-only path). Each engine runs
`--repeats` times, alternating, and the best time counts (the machine may be shared). Ray's start-up
(`ray.init`, a few seconds, paid once per driver, not per build) is reported apart; the Ray builds include
starting its worker processes. Ray runs each task with `OMP_NUM_THREADS=1`; the benchmark sets the same for the
local pool (`--omp-threads`), so the ratio measures the engine and not thread oversubscription (on 2 cores the
local pool with OpenMP's default threads is about 2x slower with `--scenes content`).

    python benchmarks/bench_ray.py [--videos 32] [--seconds 12] [--repeats 3] [--scenes content] [--omp-threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path


def make_corpus(root: Path, videos: int, seconds: float) -> Path:
    """`videos` 480x270 25 fps clips, lengths cycling through 0.5x, 1x, 1.5x and 2x `seconds`."""
    from vdata.synthetic import write_video

    root.mkdir(parents=True, exist_ok=True)
    for v in range(videos):
        frames = int(25 * seconds * (0.5 + 0.5 * (v % 4)))
        write_video(root / f"video_{v:03d}.mp4", fps=25.0, num_frames=frames, width=480, height=270,
                    cuts=[frames // 3, 2 * frames // 3], gop=50)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenes", default="content", help="none, content or adaptive")
    parser.add_argument("--omp-threads", default="1", help="OMP_NUM_THREADS for the local pool ('' = unset)")
    args = parser.parse_args()
    if args.omp_threads:
        os.environ["OMP_NUM_THREADS"] = args.omp_threads  # before numpy / OpenCV load

    import ray

    from vdata.build import build
    from vdata.options import BuildOptions, default_workers

    workers = default_workers()
    work = Path(tempfile.mkdtemp(prefix="vdata-bench-ray-"))
    try:
        corpus = make_corpus(work / "corpus", args.videos, args.seconds)
        local = BuildOptions(workers=workers, scenes=args.scenes)
        started = time.perf_counter()
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        init_s = time.perf_counter() - started
        times: dict[str, list[float]] = {"local": [], "ray": []}
        rows: dict[str, int] = {}
        for run in range(args.repeats):
            for engine in ("local", "ray"):
                out = work / f"{engine}-{run}"
                started = time.perf_counter()
                report = build([f"folder:{corpus}"], out, replace(local, engine=engine))
                times[engine].append(time.perf_counter() - started)
                rows[engine] = report.rows
                shutil.rmtree(out)
        ray.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    best = {engine: min(ts) for engine, ts in times.items()}
    result = {
        "videos": args.videos,
        "video_s": round(sum(args.seconds * (0.5 + 0.5 * (v % 4)) for v in range(args.videos)), 1),
        "workers": workers,
        "scenes": args.scenes,
        "omp_num_threads_local": args.omp_threads or "unset",
        "rows": rows,
        "local_s": [round(t, 2) for t in times["local"]],
        "ray_s": [round(t, 2) for t in times["ray"]],
        "ray_init_s": round(init_s, 2),
        "overhead_ratio": round(best["ray"] / best["local"], 3),
        "goal": "< 1.2",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
