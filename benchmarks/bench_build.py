"""Benchmark `vdata build` against `ffmpeg -i X -f null -` on the same generated corpus, all cores for both.

Corpus (cached in `bench-out/corpus-CONTENT/`): 20 H.264 videos of 60 s, 640x360 at 30 fps, a keyframe every
2 s (60 frames: a realistic streaming GOP, as YouTube/HLS-style encoders use) and a scene cut every 7.5 s.
`--content textured` (default) adds a panning film-grain texture to vdata's barcode frames, so the files decode
like real 360p video (about 1.3 Mbit/s; ffmpeg decodes about 1,700 frames/s per core); `--content flat` keeps
the flat synthetic frames (about 50 kbit/s, 6,000 frames/s per core), which makes ffmpeg's baseline unrealistically
cheap and vdata's fixed costs per video dominate.
In one run it times, each over every file:
- `vdata build --scenes content` (default frames uniform:16; scenes need every frame of the clip decoded),
- `vdata build --scenes none` (default frames uniform:16: seeks, decodes only around the kept frames),
- ffmpeg decoding every frame, one `ffmpeg -threads 1` process per core at a time (its best throughput).
It prints video-seconds processed per wall second for each, the ratios to ffmpeg, and the peak memory of each
build: the sum of the resident set sizes of the build process and its workers, sampled every 50 ms (an upper
bound: pages shared between forked workers count once per process), and the largest single process
(`getrusage(RUSAGE_CHILDREN).ru_maxrss` of a wrapper process). Goals (issue 2): scenes >= 0.8x ffmpeg,
no scenes >= 1.5x, peak RSS < 1.5 GB.

    python benchmarks/bench_build.py [--videos 20] [--seconds 60] [--content textured|flat] [--workers N]
        [--repeat 2] [--out bench-out]

Each timing is the best of `--repeat` runs (the three commands alternate), which damps noise from other load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

WIDTH, HEIGHT, FPS = 640, 360, 30
GOP_S = 2.0
SCENE_S = 7.5
GOALS = {"scenes content": 0.8, "scenes none": 1.5}
RSS_GOAL_BYTES = 1.5e9


def make_video(path: Path, seconds: float, seed: int, content: str) -> Path:
    """One corpus video (written under a temporary name, then renamed: a cached file is always complete)."""
    frames = round(seconds * FPS)
    cuts = [c for c in (round(k * SCENE_S * FPS) + 3 * seed for k in range(1, int(seconds / SCENE_S) + 1))
            if c < frames]
    tmp = path.with_suffix(".tmp.mp4")
    if content == "flat":
        from vdata.synthetic import write_video

        write_video(tmp, fps=FPS, num_frames=frames, width=WIDTH, height=HEIGHT, cuts=cuts, gop=round(GOP_S * FPS))
    else:
        _write_textured(tmp, frames, cuts, seed)
    tmp.rename(path)
    return path


def _write_textured(path: Path, frames: int, cuts: list[int], seed: int) -> None:
    """vdata's barcode frames plus film grain (+-32 levels) that pans 2 px per frame: real residuals to decode."""
    import av
    import numpy as np

    from vdata.synthetic import make_frame

    grain = np.random.default_rng(seed).integers(-32, 32, (HEIGHT + 64, WIDTH + 256, 1), dtype=np.int16)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.gop_size = round(GOP_S * FPS)
        for i in range(frames):
            dx, dy = (2 * i) % 256, (i // 7) % 64
            pixels = make_frame(i, WIDTH, HEIGHT, cuts).astype(np.int16) + grain[dy : dy + HEIGHT, dx : dx + WIDTH]
            frame = av.VideoFrame.from_ndarray(np.clip(pixels, 0, 255).astype(np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def make_corpus(root: Path, videos: int, seconds: float, content: str, workers: int) -> list[Path]:
    """The corpus videos, generated once and cached under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    paths = [root / f"video_{i:02d}_{int(seconds)}s.mp4" for i in range(videos)]
    todo = [(p, i) for i, p in enumerate(paths) if not p.exists()]
    if todo:
        print(f"generating {len(todo)} {content} videos in {root} (once; cached) ...", flush=True)
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(make_video, [p for p, _ in todo], [seconds] * len(todo), [i for _, i in todo],
                          [content] * len(todo)))
    return paths


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(parents.get(p, []))
    return out


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def run_measured(command: list[str]) -> tuple[float, int, int]:
    """Run `command` in a wrapper process; (wall seconds, peak summed RSS of its process tree, largest child)."""
    wrapper = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024); sys.exit(r.returncode)")
    peak = [0]
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", wrapper, *command], stdout=subprocess.PIPE, text=True)

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], sum(_rss_bytes(p) for p in _descendants(process.pid)[1:]))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
    return wall, peak[0], int(stdout.strip().splitlines()[-1])


def vdata_command() -> str:
    found = Path(sys.executable).with_name("vdata")
    return str(found) if found.exists() else (shutil.which("vdata") or "vdata")


def time_build(corpus: Path, out: Path, scenes: str, workers: int) -> tuple[float, int, int, dict]:
    shutil.rmtree(out, ignore_errors=True)
    wall, peak, largest = run_measured([vdata_command(), "build", "--source", f"folder:{corpus}", "--out", str(out),
                                        "--scenes", scenes, "--workers", str(workers), "--json"])
    manifest = json.loads((out / "vdata.json").read_text())
    return wall, peak, largest, manifest


def time_ffmpeg(paths: list[Path], workers: int) -> float:
    def decode(path: Path) -> None:
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-threads", "1", "-i", str(path),
                        "-f", "null", "-"], check=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(decode, paths))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--content", choices=("textured", "flat"), default="textured")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        raise SystemExit("ffmpeg not found: `make bench` installs it (apt-get install -y ffmpeg)")

    corpus = args.out / f"corpus-{args.content}"
    paths = make_corpus(corpus, args.videos, args.seconds, args.content, args.workers)
    video_s = args.videos * args.seconds
    print(f"corpus: {args.videos} x {args.seconds:g} s {args.content} H.264 {WIDTH}x{HEIGHT} {FPS} fps, keyframe "
          f"every {GOP_S:g} s; {args.workers} cores; best of {args.repeat}", flush=True)

    ffmpeg_wall = float("inf")
    results: dict[str, tuple[float, int, int]] = {}
    for _ in range(args.repeat):
        ffmpeg_wall = min(ffmpeg_wall, time_ffmpeg(paths, args.workers))
        for scenes in ("content", "none"):
            out = args.out / f"build-{args.content}-scenes-{scenes}"
            wall, peak, largest, manifest = time_build(corpus, out, scenes, args.workers)
            rows = manifest["counts"]["rows"]
            if rows != args.videos:
                raise SystemExit(f"--scenes {scenes}: built {rows} of {args.videos} videos; see {out}/errors.parquet")
            best = results.get(f"scenes {scenes}", (float("inf"), 0, 0))
            results[f"scenes {scenes}"] = (min(wall, best[0]), max(peak, best[1]), max(largest, best[2]))

    ffmpeg_rate = video_s / ffmpeg_wall
    print(f"\n{'run':<26}{'wall s':>9}{'video-s/s':>11}{'vs ffmpeg':>11}{'goal':>7}{'peak RSS sum':>15}"
          f"{'largest proc':>14}")
    print(f"{'ffmpeg -f null (all cores)':<26}{ffmpeg_wall:>9.1f}{ffmpeg_rate:>11.1f}{1.0:>10.2f}x")
    failed = []
    for name, (wall, peak, largest) in results.items():
        ratio = ffmpeg_wall / wall
        ok = ratio >= GOALS[name] and peak < RSS_GOAL_BYTES
        failed += [] if ok else [name]
        print(f"{'vdata build --' + name:<26}{wall:>9.1f}{video_s / wall:>11.1f}{ratio:>10.2f}x"
              f"{GOALS[name]:>6.1f}x{peak / 1e6:>12.0f} MB{largest / 1e6:>11.0f} MB")
    print(f"\ngoals: scenes content >= {GOALS['scenes content']}x ffmpeg, scenes none >= {GOALS['scenes none']}x, "
          f"peak RSS < {RSS_GOAL_BYTES / 1e9:g} GB: {'met' if not failed else 'missed by ' + ', '.join(failed)}")


if __name__ == "__main__":
    main()
