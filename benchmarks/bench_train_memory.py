"""Peak memory of the trainer's data path at 1x, 10x and 100x the rows: `vdata.train.stream` against reading the
whole split into a list (`list(vdata.shards.iter_rows(...))`, what the trainer did before issue 15).

A base dataset of `--rows` rows (`tests.distill.helpers.make_row` with 6 noise JPEG keyframes of 160x120, about
90 KB a row) is made once and grown
with `vdata mix` (rows copied, no video decoded) to 10x and 100x. Each measurement runs in a fresh Python process
and reports its peak resident set size (`ru_maxrss`): the stream reads one epoch, every row through the worker-side
`Prepare` (prompt built, keyframes decoded to RGB) with `--workers 0` so all of it happens in the measured
process; the baseline imports the same modules and keeps every row (frames as JPEG bytes, as the old trainer's
`load_rows` did). The ratio is baseline / stream (higher = the stream saves more); the goal
is a stream peak that stays flat as the rows grow.

    python benchmarks/bench_train_memory.py [--rows 100] [--out bench-out/train-memory]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
mode, data = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if mode == "stream":
    from vdata.train.data import Prepare
    from vdata.train.stream import Position, RowStream, StreamState
    stream = RowStream(data, "train", StreamState(workers=0, shuffle_buffer=256), transform=Prepare())
    units = stream.units
    position = Position(stream)
    rows = sum(u.rows for u in units)
    for _ in range(rows):
        sample = position.next()
else:  # the same imports (torch, transformers' processor code, PIL), then every row kept in a list
    from vdata.train.data import Prepare
    from vdata.train.stream import RowStream
    from vdata.shards import iter_rows
    kept = list(iter_rows(data, split="train"))
    rows = len(kept)
print(json.dumps({{"rows": rows, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": time.perf_counter() - start}}))
"""


def measure(mode: str, data: Path) -> dict:
    code = CHILD.format(root=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code, mode, str(data)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_datasets(out: Path, rows: int) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    import io

    import numpy as np
    from PIL import Image

    from tests.distill.helpers import make_row, write_dataset
    from vdata.mix import mix

    def noise_jpeg(seed: int) -> bytes:  # 160x120 noise: about 15 KB, so the rows weigh what real keyframes do
        pixels = np.random.default_rng(seed).integers(0, 255, (120, 160, 3), dtype=np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="JPEG", quality=85)
        return buffer.getvalue()

    base = out / "x1"
    if not (base / "vdata.json").exists():
        made = []
        for i in range(rows):
            row = make_row(f"r{i}", "numeric", question="How many?", answer=str(i))
            row["frames"] = [{"bytes": noise_jpeg(i * 10 + k), "path": None} for k in range(len(row["frames"]))]
            made.append(row)
        write_dataset(base, made)
    sets = [base]
    for factor in (10, 100):
        path = out / f"x{factor}"
        if not (path / "vdata.json").exists():
            mix(path, [(base, 1.0)], total=rows * factor, seed=0)
        sets.append(path)
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("bench-out/train-memory"))
    args = parser.parse_args()
    print(f"{'rows':>8} {'stream MB':>10} {'stream s':>9} {'load-all MB':>12} {'ratio':>6}")
    for data in make_datasets(args.out, args.rows):
        stream, baseline = measure("stream", data), measure("load", data)
        ratio = baseline["peak_mb"] / stream["peak_mb"]
        print(f"{stream['rows']:>8} {stream['peak_mb']:>10.0f} {stream['seconds']:>9.1f} "
              f"{baseline['peak_mb']:>12.0f} {ratio:>5.2f}x", flush=True)


if __name__ == "__main__":
    main()
