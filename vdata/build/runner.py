"""`vdata build`: builders' items -> rows (in a process pool) -> shards, resumable, memory bounded.

Items stream from the builders in order; at most `2 * workers` are in flight; results are taken in submission
order, so the same command gives the same rows in the same order. Each item runs under a wall-clock limit in
its worker (a hung or crashed decoder costs that item, recorded as `decode_timeout` / `decode_failed`).
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

import vdata
from vdata import builders
from vdata.builders.base import BadRow, Item
from vdata.errors import ConfigError, ItemError, VdataError
from vdata.options import BuildOptions
from vdata.process import process_item
from vdata.schemas import SCHEMA_VERSION
from vdata.shards import MANIFEST_NAME, ShardInfo, ShardWriter, read_manifest
from vdata.urls import corpus_path, is_url, local_path

log = logging.getLogger(__name__)

#: Called after each item with (items done this run, items this run in all, rows written, errors).
ProgressFn = Callable[[int, int, int, int], None]


@dataclass
class BuildReport:
    """What a build did. `rows_by_*` and `errors_by_code` cover the whole dataset (resumed runs included);
    `items_run` / `wall_s` / `video_s` are this run's, for throughput."""

    out: Path | str  # a local folder, or a URL
    rows: int = 0
    rows_by_split: dict[str, int] = field(default_factory=dict)
    rows_by_task: dict[str, int] = field(default_factory=dict)
    rows_by_source: dict[str, int] = field(default_factory=dict)
    errors_by_code: dict[str, int] = field(default_factory=dict)
    items_run: int = 0
    items_skipped: int = 0
    video_s: float = 0.0
    wall_s: float = 0.0
    already_built: bool = False

    @property
    def errors(self) -> int:
        return sum(self.errors_by_code.values())


def build(
    sources: list[str], out: str | Path, options: BuildOptions, on_progress: ProgressFn | None = None
) -> BuildReport:
    """Build `sources` (`FORMAT:PATH` each; a path, a `file://` URL or an fsspec URL such as `s3://...`) into
    the dataset folder `out` (the same) on `options.engine`; resumes an interrupted build with the same options
    (on either engine) and is a no-op on a finished one. Raises `VdataError` when nothing at all could be
    built. URLs: see `vdata.urls`."""
    remote = is_url(out)
    out = str(out).rstrip("/") if remote else local_path(out)
    if not sources:
        raise ConfigError("give at least one --source FORMAT:PATH")
    specs = [(name, corpus_path(path)) for name, path in map(builders.parse_source, sources)]
    corpus = [builders.get(name)(path, split=options.split) for name, path in specs]
    fingerprint = {"sources": [f"{n}:{_source_key(p)}" for n, p in specs], **options.fingerprint()}
    manifest = _finished_manifest(out)
    if manifest is not None:
        if manifest.get("build", {}).get("fingerprint") == fingerprint:
            return _fail_if_empty(_report_from_disk(out, already_built=True))
        raise ConfigError(f"{out} already holds a finished build with other sources or options; use another --out")

    started = time.perf_counter()
    if remote:
        from vdata.shards.remote import RemoteShardWriter

        writer: ShardWriter = RemoteShardWriter(str(out), fingerprint, options.shard_size_bytes)
    else:
        writer = ShardWriter(out, fingerprint, options.shard_size_bytes)
    report = BuildReport(out, items_skipped=0)

    def items() -> Iterator[Item | BadRow]:
        stream = itertools.chain.from_iterable(b.items() for b in corpus)
        return itertools.islice(stream, options.limit) if options.limit else stream

    todo_count = 0
    for entry in items():
        if _entry_id(entry) in writer.done_ids:
            report.items_skipped += 1
        else:
            todo_count += 1
    todo = (e for e in items() if _entry_id(e) not in writer.done_ids)
    rows = errors = 0
    for ok, result in _run(todo, options):
        if ok:
            writer.add(result)
            rows += 1
            report.video_s += result["clip_end_s"] - result["clip_start_s"]
        else:
            writer.add_error(result)
            errors += 1
            log.warning("%s [%s] %s", result["source_file"], result["code"], result["message"])
        report.items_run += 1
        if on_progress:
            on_progress(report.items_run, todo_count, rows, errors)

    report.wall_s = time.perf_counter() - started
    return _fail_if_empty(_summarise(writer, out, fingerprint, report))


def _source_key(path: Any) -> str:
    """A corpus as the fingerprint names it: the resolved local path, or the URL."""
    return str(path.expanduser().resolve()) if isinstance(path, Path) else str(path)


def _finished_manifest(out: Path | str) -> dict[str, Any] | None:
    """The manifest of the finished dataset at `out`, or None when there is none yet."""
    if isinstance(out, str):
        from vdata.shards.remote import read_remote_manifest

        return read_remote_manifest(out)
    return read_manifest(out) if (out / MANIFEST_NAME).exists() else None


def _fail_if_empty(report: BuildReport) -> BuildReport:
    """Raise `VdataError` when the dataset holds no rows but failed items (a re-run of it fails the same way)."""
    if report.rows == 0 and report.errors:
        raise VdataError(f"nothing could be built: all {report.errors} items failed; see {report.out}/errors.parquet")
    return report


def _entry_id(entry: Item | BadRow) -> str:
    return entry.id if isinstance(entry, Item) else builders.sample_id(entry.source, "", entry.key)


Outcome = tuple[bool, dict[str, Any]]  # (True, row) or (False, error row for errors.parquet)


def _run(todo: Iterator[Item | BadRow], options: BuildOptions) -> Iterator[Outcome]:
    """Outcomes in input order; bad annotation rows pass straight through without a worker."""
    if options.engine == "ray":
        from vdata.ray import run_items

        yield from run_items(todo, options)
        return
    if options.workers == 0:
        for entry in todo:
            yield _attempt(entry, options)
        return
    from concurrent.futures import TimeoutError as FutureTimeout

    from pebble import ProcessExpired, ProcessPool

    def collect(entry: Item | BadRow, future: Any) -> Outcome:
        if future is None:
            return _attempt(entry, options)
        try:
            return future.result()
        except FutureTimeout:
            return False, _error(entry, "decode_timeout", f"gave up after {options.timeout_s:g}s")
        except ProcessExpired as e:
            return False, _error(entry, "decode_failed", f"the worker process died (exit code {e.exitcode})")

    window: deque[tuple[Item | BadRow, Any]] = deque()
    with ProcessPool(max_workers=options.workers, initializer=_one_thread_per_worker) as pool:
        for entry in todo:
            future = None
            if isinstance(entry, Item):
                future = pool.schedule(_attempt, args=(entry, options), timeout=options.timeout_s)
            window.append((entry, future))
            if len(window) >= 2 * options.workers:
                yield collect(*window.popleft())
        while window:
            yield collect(*window.popleft())


def _one_thread_per_worker() -> None:
    """Pool workers already use every core between them: keep FFmpeg decoding, OpenMP and OpenCV (scene
    detection) to one thread each so they do not oversubscribe the cores, as Ray does for its tasks."""
    os.environ["OMP_NUM_THREADS"] = "1"
    from vdata.video import decode

    decode.THREAD_TYPE = "NONE"
    try:
        import cv2
    except ImportError:
        return
    cv2.setNumThreads(1)


def _attempt(entry: Item | BadRow, options: BuildOptions, cuts: list[int] | None = None) -> Outcome:
    """(True, row) for a good item, (False, error row) for a bad one; never raises for a bad item. `cuts`: as
    for `process_item`."""
    if isinstance(entry, BadRow):
        return False, {"id": _entry_id(entry), "source": entry.source, "split": "", "video": entry.video,
                       "source_file": entry.source_file, "code": entry.code, "message": entry.message}
    try:
        return True, process_item(entry, options, cuts)
    except ItemError as e:
        return False, _error(entry, e.code, e.message, e.source_file)
    except Exception as e:
        log.exception("internal error on %s", entry.video)
        return False, _error(entry, "internal", f"{type(e).__name__}: {e}")


def _error(item: Item, code: str, message: str, source_file: str = "") -> dict[str, Any]:
    return {"id": item.id, "source": item.source, "split": item.split, "source_file": source_file or str(item.video),
            "video": item.video_rel, "code": code, "message": message}


def _summarise(writer: ShardWriter, out: Path | str, fingerprint: dict[str, Any], report: BuildReport) -> BuildReport:
    run = {
        "wall_s": round(report.wall_s, 3),
        "items_run": report.items_run,
        "items_skipped_as_done": report.items_skipped,
        "items_per_s": round(report.items_run / report.wall_s, 3) if report.wall_s else None,
        "video_s_per_s": round(report.video_s / report.wall_s, 3) if report.wall_s else None,
    }

    def describe(shards: list[ShardInfo]) -> dict[str, Any]:
        final = _report_from_disk(out)
        return {
            "format": "vdata",
            "schema_version": SCHEMA_VERSION,
            "vdata_version": vdata.__version__,
            "build": {"fingerprint": fingerprint},
            "run": run,
            "counts": {
                "rows": final.rows,
                "rows_by_split": final.rows_by_split,
                "rows_by_task": final.rows_by_task,
                "rows_by_source": final.rows_by_source,
                "errors_by_code": final.errors_by_code,
                "bytes": sum(s.bytes for s in shards),
            },
        }

    writer.finish(describe)
    final = _report_from_disk(out)
    final.items_run, final.items_skipped = report.items_run, report.items_skipped
    final.video_s, final.wall_s = report.video_s, report.wall_s
    return final


def _report_from_disk(out: Path | str, already_built: bool = False) -> BuildReport:
    """Counts read back from the finished dataset at a local folder or a URL (metadata columns only)."""
    from vdata.shards import read_table

    columns = ["split", "task", "source"]
    if isinstance(out, str):
        from vdata.shards.remote import read_remote_tables

        table, errors = read_remote_tables(out, columns)
    else:
        table = read_table(out, columns=columns)
        errors = pq.read_table(out / "errors.parquet", columns=["code"]) if (out / "errors.parquet").exists() else None
    return BuildReport(
        out,
        rows=table.num_rows,
        rows_by_split=dict(Counter(table.column("split").to_pylist())),
        rows_by_task=dict(Counter(table.column("task").to_pylist())),
        rows_by_source=dict(Counter(table.column("source").to_pylist())),
        errors_by_code=dict(Counter(errors.column("code").to_pylist())) if errors is not None else {},
        already_built=already_built,
    )
