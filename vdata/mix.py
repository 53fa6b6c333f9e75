"""`vdata mix`: a weighted mixture of built datasets, made by copying rows (no video is decoded again).

`mix(out, [(dir_a, 0.5), (dir_b, 0.5)], total=1000, seed=0)` takes `total` rows: each source's share is its
weight over the sum of the weights (largest-remainder rounding, so the shares add up to `total` exactly); the
rows a source gives are a seeded random choice without replacement. A source asked for more rows than it holds
gives all of them, again and again (each pass a new random order); a repeated row's `id` gets `#r<k>` (k = 1,
2, ...) so ids stay unique. The output interleaves the sources at random (seeded) while each source's rows
keep their original order; memory holds one row group per source. `out` gets the same layout as a build:
`data/{split}-NNNNN-of-NNNNN.parquet`, an empty `errors.parquet` and `vdata.json`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

import vdata
from vdata.errors import ConfigError
from vdata.options import parse_size
from vdata.schemas import COLUMNS, SCHEMA_VERSION
from vdata.shards import MANIFEST_NAME, ShardInfo, ShardWriter, read_manifest, shard_paths

log = logging.getLogger(__name__)

#: Rows read from a source shard at a time.
BATCH_ROWS = 64


@dataclass
class MixReport:
    """What `mix` wrote: `rows` in all, and per source `taken` (rows copied) and `repeated` (copies beyond
    the source's own size). `already_built` is True when `out` already held this exact mixture."""

    out: Path
    rows: int = 0
    taken: dict[str, int] = field(default_factory=dict)
    repeated: dict[str, int] = field(default_factory=dict)
    rows_by_split: dict[str, int] = field(default_factory=dict)
    rows_by_task: dict[str, int] = field(default_factory=dict)
    already_built: bool = False


def shares(weights: Sequence[float], total: int) -> list[int]:
    """Split `total` by `weights` into integers that sum to `total` (largest remainder; ties to the first).

    >>> shares([0.5, 0.3, 0.2], 7)
    [4, 2, 1]
    """
    exact = [total * w / sum(weights) for w in weights]
    counts = [int(np.floor(x)) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def mix(
    out: str | Path, sources: Sequence[tuple[str | Path, float]], total: int, seed: int, shard_size: str = "256MB"
) -> MixReport:
    """Write a mixture of `total` rows drawn from built datasets `sources` (`(folder, weight)` pairs) to `out`.

    Weights are positive numbers (relative, need not sum to 1). Raises `ConfigError` for a bad weight or
    total, a source that is not a finished vdata dataset, or an `out` that holds a different finished dataset.
    Running the same mixture again is a no-op; an interrupted one resumes.
    """
    if not sources:
        raise ConfigError("give at least one --from DIR:WEIGHT")
    if total < 1:
        raise ConfigError(f"--total must be >= 1, got {total}")
    for path, weight in sources:
        if not weight > 0:
            raise ConfigError(f"--from {path}: weight must be > 0, got {weight}")
    out = Path(out)
    roots = [Path(p).expanduser().resolve() for p, _ in sources]
    for root in roots:
        read_manifest(root)  # a clear error for a folder that is not a finished dataset
    sizes = [sum(pq.ParquetFile(p).metadata.num_rows for p in shard_paths(r)) for r in roots]
    for root, size in zip(roots, sizes, strict=True):
        if size == 0:
            raise ConfigError(f"--from {root}: the dataset has no rows")
    counts = shares([w for _, w in sources], total)
    fingerprint = {
        "mix": [[str(r), float(w)] for r, (_, w) in zip(roots, sources, strict=True)],
        "total": total,
        "seed": seed,
    }
    if (out / MANIFEST_NAME).exists():
        manifest = read_manifest(out)
        if manifest.get("mix", {}).get("fingerprint") == fingerprint:
            return _report(out, manifest, already_built=True)
        raise ConfigError(f"{out} already holds a finished dataset; use another output folder")

    rng = np.random.default_rng(seed)
    picks = [_pick(rng, size, count) for size, count in zip(sizes, counts, strict=True)]
    streams = [_rows(root, pick) for root, pick in zip(roots, picks, strict=True)]
    writer = ShardWriter(out, fingerprint, parse_size(shard_size))
    report = MixReport(out)
    remaining = np.array(counts, dtype=float)
    split_counts: Counter[str] = Counter()
    task_counts: Counter[str] = Counter()
    while remaining.sum() > 0:
        i = int(rng.choice(len(streams), p=remaining / remaining.sum()))
        remaining[i] -= 1
        row = next(streams[i])
        key = str(roots[i])
        report.taken[key] = report.taken.get(key, 0) + 1
        split_counts[row["split"]] += 1
        task_counts[row["task"]] += 1
        if row["id"] not in writer.done_ids:
            writer.add(row)
    for root, size, count in zip(roots, sizes, counts, strict=True):
        report.repeated[str(root)] = max(0, count - size)
        if count > size:
            log.warning("mix: %s holds %d rows, %d asked: %d rows repeated", root, size, count, count - size)
    report.rows, report.rows_by_split, report.rows_by_task = total, dict(split_counts), dict(task_counts)

    def describe(shards: list[ShardInfo]) -> dict[str, Any]:
        return {
            "format": "vdata",
            "schema_version": SCHEMA_VERSION,
            "vdata_version": vdata.__version__,
            "mix": {
                "fingerprint": fingerprint,
                "sources": [
                    {"path": str(r), "weight": float(w), "rows_available": n, "rows_taken": c, "repeated": max(0, c - n)}
                    for r, (_, w), n, c in zip(roots, sources, sizes, counts, strict=True)
                ],
            },
            "counts": {
                "rows": report.rows,
                "rows_by_split": report.rows_by_split,
                "rows_by_task": report.rows_by_task,
                "bytes": sum(s.bytes for s in shards),
            },
        }

    writer.finish(describe)
    return report


def _pick(rng: np.random.Generator, size: int, count: int) -> np.ndarray:
    """How many times each of `size` rows is taken: `count` draws without replacement, pass after pass."""
    times = np.zeros(size, dtype=np.int64)
    full, rest = divmod(count, size)
    times += full
    times[rng.permutation(size)[:rest]] += 1
    return times


def _rows(root: Path, times: np.ndarray) -> Iterator[dict[str, Any]]:
    """The source's rows in their stored order, each `times[i]` times; copies after the first get `#r<k>` ids."""
    index = 0
    for path in shard_paths(root):
        with pq.ParquetFile(path) as f:
            for batch in f.iter_batches(batch_size=BATCH_ROWS, columns=list(COLUMNS)):
                for row in batch.to_pylist():
                    for k in range(int(times[index])):
                        yield row if k == 0 else {**row, "id": f"{row['id']}#r{k}"}
                    index += 1


def _report(out: Path, manifest: dict[str, Any], already_built: bool) -> MixReport:
    sources = manifest["mix"]["sources"]
    counts = manifest.get("counts", {})
    return MixReport(
        out,
        rows=counts.get("rows", 0),
        taken={s["path"]: s["rows_taken"] for s in sources},
        repeated={s["path"]: s["repeated"] for s in sources},
        rows_by_split=counts.get("rows_by_split", {}),
        rows_by_task=counts.get("rows_by_task", {}),
        already_built=already_built,
    )
