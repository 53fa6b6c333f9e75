"""Metadata queries and `vdata mix` on 1,000,000 rows: vdata (the metadata index) against raw DuckDB on the shards.

Writes a synthetic dataset through the real `ShardWriter` (Arrow tables of current-schema rows with one tiny frame
each: the metadata columns are realistic, the frame bytes are not), then times, best of `--repeat`:
- `GROUP BY task` and a span filter (temporal-grounding rows whose first span overlaps 20-30 s, rows returned)
  with `vdata.query.query` (reads `index.parquet`) and with raw DuckDB `read_parquet` over the same shard files;
- the same two queries with raw DuckDB over a copy written as vdata wrote shards before issue 18 (64-row row
  groups), the layout that took 10-15 s;
- `vdata.mix.mix` of 1,000,000 rows from two sources (the dataset and another of half its size, weights 1:1).
Goals (issue 18): a metadata query under 1 s; mix under 30 s.

    python benchmarks/bench_query.py [--rows 1000000] [--repeat 3] [--keep DIR]

Measured on the 2-core development machine (load ~0.3, schema v2),
`python benchmarks/bench_query.py --rows 1000000 --keep /tmp/bq2`:

    write 1,000,000 rows: 3.6 s
    write 1,000,000 rows, 64-row row groups: 27.9 s
    shards 47 MB, index 43 MB
    query          vdata s  raw DuckDB s   ratio  64-row groups s   ratio
    GROUP BY         0.025         0.022    0.9x            0.839   34.2x   (11 rows)
    span filter      0.051         0.046    0.9x            1.276   25.1x   (14,923 rows)
    mix 1,000,000 rows from 2 sources: 3.5 s wall, 3.9 CPU-s (goal < 30 s; row by row it took ~115 CPU-s per million)

Runs differ by +-30% (an earlier one: GROUP BY 0.024 s vs raw 0.031 s, span filter 0.075 s vs 0.094 s).
(Under heavy load from other jobs, load average ~13: GROUP BY 0.058 s, span filter 0.227 s, mix 18 s wall.) The
frame bytes here are tiny, so the shards are barely larger than the index; on real shards (GBs of JPEG) the index
is the only small file a metadata query reads.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from vdata.mix import mix
from vdata.query import query
from vdata.schemas import SCHEMA, SPAN, TASKS
from vdata.shards import ShardWriter, shard_paths
from vdata.shards.writer import ROW_OVERHEAD_BYTES

GROUP_BY = "SELECT task, count(*) AS n FROM samples GROUP BY task ORDER BY task"
SPAN_FILTER = ("SELECT id, spans[1].start_s, spans[1].end_s FROM samples "
               "WHERE task = 'temporal_grounding' AND spans[1].start_s < 30 AND spans[1].end_s > 20")
CHUNK = 50_000
FRAME = b"\xff\xd8" + bytes(62)  # a 64-byte stand-in JPEG


def synthetic_table(start: int, n: int, rng: np.random.Generator) -> pa.Table:
    """`n` schema-v1 rows with ids `s{start}`...: tasks, splits, durations and spans drawn at random."""
    tasks = np.array(TASKS)[rng.integers(0, len(TASKS), n)]
    duration = rng.uniform(5, 600, n)
    clip_start = rng.uniform(0, 1, n) * duration / 2
    clip_end = np.minimum(duration, clip_start + rng.uniform(2, 120, n))
    grounding = tasks == "temporal_grounding"
    span_start = clip_start + rng.uniform(0, 1, n) * (clip_end - clip_start) / 2
    span_end = span_start + rng.uniform(0.5, 1, n) * (clip_end - span_start)
    spans = pa.ListArray.from_arrays(
        pa.array(np.arange(n + 1, dtype=np.int32)),
        pa.StructArray.from_arrays([pa.array(span_start), pa.array(span_end)], fields=list(SPAN)),
        mask=pa.array(~grounding),
    )
    one = pa.array(np.arange(n + 1, dtype=np.int32))  # one frame per row
    frames = pa.ListArray.from_arrays(one, pa.StructArray.from_arrays(
        [pa.array([FRAME] * n, pa.binary()), pa.nulls(n, pa.string())], names=["bytes", "path"]))
    videos = [f"videos/v{k}.mp4" for k in rng.integers(0, 50_000, n)]
    columns: dict[str, Any] = {
        "id": [f"s{i}" for i in range(start, start + n)],
        "source": ["jsonl"] * n,
        "split": np.where(rng.random(n) < 0.05, "test", "train"),
        "video": videos,
        "video_id": [v[7:-4] for v in videos],
        "duration_s": duration,
        "fps": np.full(n, 30.0),
        "width": np.full(n, 1280, dtype=np.int32),
        "height": np.full(n, 720, dtype=np.int32),
        "num_frames": (duration * 30).astype(np.int64),
        "clip_start_s": clip_start,
        "clip_end_s": clip_end,
        "frames": frames,
        "frame_timestamps_s": pa.ListArray.from_arrays(one, pa.array(clip_start)),
        "frame_indices": pa.ListArray.from_arrays(one, pa.array((clip_start * 30).astype(np.int64))),
        "scenes": pa.nulls(n, SCHEMA.field("scenes").type),
        "task": tasks,
        "question": [f"question {i % 977}" for i in range(start, start + n)],
        "options": pa.nulls(n, SCHEMA.field("options").type),
        "answer": pa.nulls(n, pa.string()),
        "spans": spans,
        "boxes": pa.nulls(n, SCHEMA.field("boxes").type),
        "cot": pa.nulls(n, pa.string()),
        "meta": pa.nulls(n, pa.string()),
    }
    if "media" in SCHEMA.names:  # schema v2: video rows; its other new columns (subtitles, audio) stay null
        columns["media"] = ["video"] * n
    arrays = [columns[f.name] if isinstance(columns.get(f.name), pa.Array)
              else pa.array(columns[f.name], f.type) if f.name in columns else pa.nulls(n, f.type) for f in SCHEMA]
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def write_dataset(out: Path, rows: int, row_group_bytes: int | None = None, first_id: int = 0) -> float:
    """Write `rows` synthetic rows with ids from `s{first_id}` through `ShardWriter` (seeded: the same
    arguments write the same rows); seconds."""
    start = time.perf_counter()
    extra = {} if row_group_bytes is None else {"row_group_bytes": row_group_bytes}
    writer = ShardWriter(out, {"bench": rows}, shard_size_bytes=256_000_000, **extra)
    rng = np.random.default_rng(first_id)
    for i in range(0, rows, CHUNK):
        writer.add_table(synthetic_table(first_id + i, min(CHUNK, rows - i), rng))
    writer.finish(lambda shards: {"format": "vdata", "schema_version": "1"})
    return time.perf_counter() - start


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def raw_duckdb(root: Path, sql: str) -> list[tuple[Any, ...]]:
    """`sql` with `samples` replaced by `read_parquet` over the shard files, in a fresh connection."""
    import duckdb

    files = ", ".join(f"'{p}'" for p in shard_paths(root))
    return duckdb.connect().execute(sql.replace("FROM samples", f"FROM read_parquet([{files}])")).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the datasets here and keep them (default: a temp dir)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-query-"))
    try:
        ds, old, other = work / "dataset", work / "old-layout", work / "other"
        if not ds.exists():
            print(f"write {args.rows:,} rows: {write_dataset(ds, args.rows):.1f} s")
        if not other.exists():
            write_dataset(other, args.rows // 2, first_id=args.rows)
        if not old.exists():
            per_row = ROW_OVERHEAD_BYTES + len(FRAME)
            print(f"write {args.rows:,} rows, 64-row row groups: {write_dataset(old, args.rows, 64 * per_row):.1f} s")
        size = sum(p.stat().st_size for p in shard_paths(ds))
        print(f"shards {size / 1e6:.0f} MB, index {(ds / 'index.parquet').stat().st_size / 1e6:.0f} MB")
        print(f"{'query':<12}{'vdata s':>10}{'raw DuckDB s':>14}{'ratio':>8}{'64-row groups s':>17}{'ratio':>8}")
        for name, sql in (("GROUP BY", GROUP_BY), ("span filter", SPAN_FILTER)):
            ours, (_, rows) = best(lambda sql=sql: query(ds, sql), args.repeat)
            raw, raw_rows = best(lambda sql=sql: raw_duckdb(ds, sql), args.repeat)
            before, old_rows = best(lambda sql=sql: raw_duckdb(old, sql), args.repeat)
            assert rows == raw_rows == old_rows, f"{name}: the answers differ"
            print(f"{name:<12}{ours:>10.3f}{raw:>14.3f}{raw / ours:>7.1f}x{before:>17.3f}{before / ours:>7.1f}x"
                  f"   ({len(rows):,} rows)")
        out = work / "mixed"
        shutil.rmtree(out, ignore_errors=True)
        start, cpu = time.perf_counter(), time.process_time()
        report = mix(out, [(ds, 1.0), (other, 1.0)], total=args.rows, seed=0)
        print(f"mix {report.rows:,} rows from 2 sources: {time.perf_counter() - start:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} CPU-s (goal < 30 s; row by row it took ~115 CPU-s per million)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
