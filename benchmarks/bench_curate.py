"""`vdata curate dedup`: precision and recall on generated near-duplicates, and cost as the sample count grows.

Part 1, quality: `--originals` distinct generated videos (4 s, 96 x 64, 10 fps; `tests/curate/media.py`) and, for
the first `--derived` of them, the four near-duplicates the issue names (re-encoded at CRF 35, resized to 3/4,
cropped by 2 pixels a side, a 2-second clip cut out), built with the real `vdata build` (fps:2 keyframes) and
deduplicated by video. Truth: a derived video and its original are one cluster. Prints pair precision and
recall, recall per kind, and the hash's speed against `imagehash.phash` when imagehash is importable (the same
DCT hash, one frame at a time; `pip install imagehash` to compare).

Part 2, scale: synthetic keyframe hashes (8 per sample, random 64-bit; 10% of the samples are copies of another
with 0-6 bits flipped per keyframe) through the same matching (`exact_groups` + `matching_pairs`) at `--sizes`
samples (best of `--repeat` runs). Baseline, in the same process: the all-pairs comparison at the smallest size, which also gives the
index's recall against the exact answer. Growth should be about linear: time(100k) / time(10k) near 10.

    python benchmarks/bench_curate.py [--originals 160] [--derived 40] [--sizes 1000,10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.curate (the generated videos)

from tests.curate.media import build_dataset, derive, textured_video
from vdata.curate import STEPS, run_step
from vdata.curate.dedup import DedupOptions
from vdata.curate.keyframes import MAX_DISTANCE, Hashes, exact_groups, matching_pairs
from vdata.curate.phash import hamming, phash, thumbnails
from vdata.shards import read_table

KINDS = ("crf", "resize", "crop", "cut")


def quality(originals: int, derived: int, work: Path) -> None:
    started = time.perf_counter()
    videos = [textured_video(work / f"v{s:04d}.mp4", seed=s) for s in range(originals)]
    videos += [derive(videos[s], work / f"v{s:04d}_{k}.mp4", k) for s in range(derived) for k in KINDS]
    made_s = time.perf_counter() - started
    built = build_dataset(videos, work / "built")
    built_s = time.perf_counter() - started - made_s
    t = time.perf_counter()
    run_step(STEPS.get("dedup")(DedupOptions(by="video")), [built], work / "out")
    dedup_s = time.perf_counter() - t
    report = read_table(built, columns=["id", "video_id"]).to_pylist()
    video_of = {r["id"]: r["video_id"] for r in report}
    import duckdb

    rows = duckdb.sql(f"SELECT id, cluster FROM '{work / 'out' / 'curate-dedup.parquet'}'").fetchall()
    cluster = {video_of[i]: c for i, c in rows}
    names = sorted(cluster)
    truth = {frozenset(p) for p in itertools.combinations(names, 2) if p[0].split("_")[0] == p[1].split("_")[0]}
    found = {frozenset(p) for p in itertools.combinations(names, 2)
             if cluster[p[0]] is not None and cluster[p[0]] == cluster[p[1]]}
    tp = len(truth & found)
    print(f"quality: {len(videos)} videos ({originals} distinct, {derived * len(KINDS)} near-duplicates); "
          f"generated in {made_s:.1f}s, built in {built_s:.1f}s, dedup {dedup_s:.2f}s")
    print(f"  pair precision {tp / max(len(found), 1):.3f} ({tp} of {len(found)} pairs found are true), "
          f"recall {tp / max(len(truth), 1):.3f} ({tp} of {len(truth)} true pairs)")
    for kind in KINDS:
        hits = sum(cluster[f"v{s:04d}_{kind}"] is not None and cluster[f"v{s:04d}_{kind}"] == cluster[f"v{s:04d}"]
                   for s in range(derived))
        print(f"  {kind:>6}: {hits}/{derived} joined their original")
    hash_speed(built)


def hash_speed(built: Path) -> None:
    jpegs = [f["bytes"] for r in read_table(built, columns=["frames"]).to_pylist() for f in r["frames"]]
    t = time.perf_counter()
    ours = phash(thumbnails(jpegs))
    ours_s = time.perf_counter() - t
    try:
        import io

        import imagehash
        from PIL import Image
    except ImportError:
        print(f"  hash: {len(jpegs) / ours_s:.0f} keyframes/s (imagehash not installed: no comparison)")
        return
    t = time.perf_counter()
    theirs = np.array([int(str(imagehash.phash(Image.open(io.BytesIO(b)))), 16) for b in jpegs], dtype=np.uint64)
    theirs_s = time.perf_counter() - t
    differ = hamming(ours, theirs)
    print(f"  hash: {len(jpegs) / ours_s:.0f} keyframes/s vs imagehash.phash {len(jpegs) / theirs_s:.0f}/s "
          f"(x{theirs_s / ours_s:.1f}); bits that differ from imagehash: mean {differ.mean():.2f}, max {differ.max()}")


def synthetic(samples: int, seed: int = 0) -> Hashes:
    """8 random keyframe hashes per sample; every tenth sample copies an earlier one with 0-6 bits flipped."""
    rng = np.random.default_rng(seed)
    hashes = rng.integers(0, 2**63, (samples, 8), dtype=np.uint64) ^ (rng.integers(0, 2, (samples, 8), dtype=np.uint64)
                                                                       << np.uint64(63))
    for s in range(10, samples, 10):
        flips = np.zeros(8, np.uint64)
        for f in range(8):
            for bit in rng.choice(64, rng.integers(0, 7), replace=False):
                flips[f] |= np.uint64(1) << np.uint64(bit)
        hashes[s] = hashes[rng.integers(0, s)] ^ flips
    return Hashes(np.repeat(np.arange(samples), 8), hashes.ravel(), [8] * samples)


def all_pairs(h: Hashes) -> set[tuple[int, int]]:
    """The exact answer by comparing every keyframe with every other (chunked)."""
    n = len(h.counts)
    per = h.frame_hash.reshape(n, 8)
    out = set()
    for a in range(n):
        close = hamming(per[a][None, :, None], per[a + 1:, None, :]) <= MAX_DISTANCE  # [rest, 8, 8]
        m_ab, m_ba = close.any(axis=2).sum(axis=1), close.any(axis=1).sum(axis=1)
        hit = (np.maximum(m_ab, m_ba) >= 2) & (np.minimum(m_ab, m_ba) >= 1)
        out.update((a, a + 1 + int(b)) for b in np.nonzero(hit)[0])
    return out


def scale(sizes: list[int], repeat: int) -> None:
    times = {}
    for n in sizes:
        h = synthetic(n)
        runs = []
        for _ in range(repeat):  # the best of `repeat` runs: the machine may be shared
            t = time.perf_counter()
            pairs = matching_pairs(h, exact_groups(h))
            runs.append(time.perf_counter() - t)
        times[n] = min(runs)
        print(f"scale: {n:>7} samples ({8 * n} keyframes): {times[n]:.2f}s, {len(pairs)} matching pairs")
        if n == sizes[0]:
            t = time.perf_counter()
            exact = all_pairs(h)
            base_s = time.perf_counter() - t
            got = {(a, b) for a, b, _ in pairs}
            print(f"  baseline all-pairs at {n}: {base_s:.2f}s (index x{base_s / times[n]:.1f} faster); index recall "
                  f"{len(got & exact) / max(len(exact), 1):.3f}, extra pairs {len(got - exact)}")
    for small, big in itertools.pairwise(sizes):
        print(f"  growth {small} -> {big} samples (x{big / small:.0f}): time x{times[big] / times[small]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--originals", type=int, default=160)
    parser.add_argument("--derived", type=int, default=40)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    if not args.skip_quality:
        with tempfile.TemporaryDirectory() as work:
            quality(args.originals, args.derived, Path(work))
    scale([int(s) for s in args.sizes.split(",")], args.repeat)


if __name__ == "__main__":
    main()
