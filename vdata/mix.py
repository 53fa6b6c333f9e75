"""`vdata mix`: a weighted mixture of built datasets, made by copying rows (no video is decoded again).

`mix(out, [(dir_a, 0.5), (dir_b, 0.5)], total=1000, seed=0)` takes `total` rows: each source's share is its
weight over the sum of the weights (largest-remainder rounding, so the shares add up to `total` exactly); the
rows a source gives are a seeded random choice without replacement. A source asked for more rows than it holds
gives all of them, again and again (each pass a new random order); a repeated row's `id` gets `#r<k>` (k = 1,
2, ...) so ids stay unique. The output interleaves the sources at random (seeded) while each source's rows
keep their original order. Rows are copied in Arrow (`take`/`concat` of record batches, never one Python dict per
row), about `CHUNK_BYTES` of output at a time; memory holds about that much per source plus the output chunk.
The report's counts by split and task come from the sources' metadata index. `out` gets the same layout as a
build: `data/{split}-NNNNN-of-NNNNN.parquet`, an empty `errors.parquet`, `index.parquet` and `vdata.json`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import vdata
from vdata.errors import ConfigError
from vdata.options import parse_size
from vdata.schemas import SCHEMA_VERSION, columns_of, upgrade
from vdata.shards import MANIFEST_NAME, ShardInfo, ShardWriter, read_manifest, read_metadata, shard_paths
from vdata.shards.reader import check_shard_schema

log = logging.getLogger(__name__)

#: Bytes of rows (uncompressed) assembled into the output at a time; sources are read in batches of as many rows.
CHUNK_BYTES = 64 << 20
#: At most this many output rows at a time, whatever their size.
MAX_CHUNK_ROWS = 65_536
#: At most this many rows per batch read from a source.
BATCH_ROWS_MAX = 65_536


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
    order = _interleave(rng, counts)
    writer = ShardWriter(out, fingerprint, parse_size(shard_size))
    chunk_rows = _chunk_rows(roots)
    done = pa.array(sorted(writer.done_ids), pa.string())  # a resumed mixture: rows committed before
    for table in _mixed_tables(roots, picks, order, chunk_rows):
        if len(done):
            table = table.filter(pc.invert(pc.is_in(table.column("id"), value_set=done)))
        writer.add_table(table)
    report = MixReport(out, rows=total)
    split_counts: Counter[str] = Counter()
    task_counts: Counter[str] = Counter()
    for root, size, count, times in zip(roots, sizes, counts, picks, strict=True):
        report.taken[str(root)] = count
        report.repeated[str(root)] = max(0, count - size)
        if count > size:
            log.warning("mix: %s holds %d rows, %d asked: %d rows repeated", root, size, count, count - size)
        metadata = read_metadata(root, columns=["split", "task"])  # the index when there is one
        for column, counter in (("split", split_counts), ("task", task_counts)):
            counter.update(_weighted_counts(metadata.column(column), times))
    report.rows_by_split, report.rows_by_task = dict(split_counts.most_common()), dict(task_counts.most_common())

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


def _interleave(rng: np.random.Generator, counts: Sequence[int]) -> np.ndarray:
    """Which source each output row comes from, `[sum(counts)]`: at each row a source is drawn with
    probability proportional to the rows it has left. The same draws, and the same floating-point steps, as
    `rng.choice(len(counts), p=remaining / remaining.sum())` once per row (one `rng.random()` each, the
    cumulative sum normalised by its last value, `searchsorted(side="right")`), without a numpy call per row."""
    total = int(sum(counts))
    remaining = [float(c) for c in counts]
    left = float(total)  # integers below 2**53: every sum is exact, whatever its order
    order: list[int] = []
    for u in rng.random(total).tolist():
        cdf, acc = [], 0.0
        for r in remaining:
            acc += r / left
            cdf.append(acc)
        i = 0
        while cdf[i] / acc <= u:  # the last entry is 1.0 > u
            i += 1
        order.append(i)
        remaining[i] -= 1.0
        left -= 1.0
    return np.array(order, dtype=np.int64)


def _chunk_rows(roots: Sequence[Path]) -> int:
    """Output rows assembled at a time: about `CHUNK_BYTES` of the largest rows (uncompressed, from the shard
    footers), between 1 and `MAX_CHUNK_ROWS`."""
    widest = 1.0
    for root in roots:
        rows = size = 0
        for path in shard_paths(root):
            meta = pq.ParquetFile(path).metadata
            rows += meta.num_rows
            size += sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
        widest = max(widest, size / max(1, rows))
    return int(max(1, min(MAX_CHUNK_ROWS, CHUNK_BYTES // widest)))


class _Source:
    """One source's rows in stored order as schema-v2 tables (v1 shards upgraded, `vdata.schemas.upgrade`),
    read forward in record batches; `rows(lo, hi)` is rows `lo..hi-1` (never below an earlier `lo`): memory
    holds the batches that cover the last range asked."""

    def __init__(self, root: Path, batch_rows: int) -> None:
        self._tables = (t for path in shard_paths(root) for t in _shard_tables(path, batch_rows))
        self._held: list[pa.Table] = []
        self._first = 0  # source row number of the first held row

    def rows(self, lo: int, hi: int) -> pa.Table:
        while self._held and self._first + self._held[0].num_rows <= lo:
            self._first += self._held.pop(0).num_rows
        while self._first + sum(t.num_rows for t in self._held) < hi:
            table = next(self._tables)
            if self._first + sum(t.num_rows for t in self._held) + table.num_rows <= lo:
                self._first += table.num_rows
                continue
            self._held.append(table)
        return pa.concat_tables(self._held).slice(lo - self._first, hi - lo)


def _shard_tables(path: Path, batch_rows: int) -> Iterator[pa.Table]:
    """The shard's rows, `batch_rows` at a time, as schema-v2 tables of every column."""
    version = check_shard_schema(path)
    with pq.ParquetFile(path) as f:
        metadata = f.schema_arrow.metadata
        for batch in f.iter_batches(batch_size=batch_rows, columns=list(columns_of(version))):
            table = pa.Table.from_batches([batch]).replace_schema_metadata(metadata)
            yield table if version == SCHEMA_VERSION else upgrade(table)


def _mixed_tables(roots: Sequence[Path], picks: Sequence[np.ndarray], order: np.ndarray,
                  chunk_rows: int) -> Iterator[pa.Table]:
    """The output rows in order, `chunk_rows` at a time: source `order[j]` gives output row `j`, each source
    giving its rows in stored order, row `r` `picks[s][r]` times in a row, the copies after the first with the
    id `<id>#r<k>`."""
    streams = []  # per source: the source row and the copy number of each row it gives
    for times in picks:
        rows = np.repeat(np.arange(len(times)), times)
        first = np.repeat(np.cumsum(times) - times, times)
        streams.append((rows, np.arange(len(rows)) - first))
    position = np.empty(len(order), dtype=np.int64)  # output row j is row position[j] of its source's stream
    for s in range(len(roots)):
        mine = order == s
        position[mine] = np.arange(int(mine.sum()))
    sources = [_Source(root, min(chunk_rows, BATCH_ROWS_MAX)) for root in roots]
    for c0 in range(0, len(order), chunk_rows):
        which, where = order[c0 : c0 + chunk_rows], position[c0 : c0 + chunk_rows]
        parts, offsets, offset = [], np.zeros(len(roots), dtype=np.int64), 0
        for s, (rows, copies) in enumerate(streams):
            taken = where[which == s]
            offsets[s] = offset - (taken[0] if len(taken) else 0)
            if not len(taken):
                continue
            p0, p1 = int(taken[0]), int(taken[-1]) + 1  # a source's stream positions in a chunk are consecutive
            lo, hi = int(rows[p0]), int(rows[p1 - 1]) + 1
            part = sources[s].rows(lo, hi).take(pa.array(rows[p0:p1] - lo))
            parts.append(_with_copy_ids(part, copies[p0:p1]))
            offset += p1 - p0
        yield pa.concat_tables(parts).take(pa.array(offsets[which] + where))


def _with_copy_ids(table: pa.Table, copies: np.ndarray) -> pa.Table:
    """`table` with the id of each row whose copy number `k` is above 0 made `<id>#r<k>`."""
    if not copies.any():
        return table
    ids = table.column("id")
    renamed = pc.binary_join_element_wise(ids, pa.array(copies.astype(str)), "#r")
    return table.set_column(table.schema.get_field_index("id"), "id",
                            pc.if_else(pa.array(copies > 0), renamed, ids))


def _weighted_counts(values: pa.ChunkedArray, times: np.ndarray) -> dict[str, int]:
    """`{value: sum of times[i] over the rows i holding it}`."""
    encoded = pc.dictionary_encode(values).combine_chunks()
    totals = np.bincount(encoded.indices.to_numpy(zero_copy_only=False), weights=times,
                         minlength=len(encoded.dictionary))
    return {str(v): int(t) for v, t in zip(encoded.dictionary.to_pylist(), totals, strict=True) if t}


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
