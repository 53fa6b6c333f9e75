"""What every build engine shares: one item to one outcome (`attempt`), the error rows, the engine registry,
and the driver loop (`build`) that feeds an engine's outcomes, in input order, to the shard writer and its
journal.

An engine (`vdata.build.local`, `vdata.build.ray`) only decides where `attempt` runs: it takes the items still
to do and yields one `Outcome` per entry, in input order, so the same command writes the same rows into the
same shards on every engine, and a build killed on one engine resumes on another.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from vdata import builders
from vdata.build.fingerprint import build_fingerprint, describe_change
from vdata.build.report import BuildReport, fail_if_empty, report_from_disk, summarise
from vdata.builders.base import BadRow, Item
from vdata.errors import ConfigError, ItemError
from vdata.options import BuildOptions
from vdata.process import process_item
from vdata.registry import Registry
from vdata.shards import MANIFEST_NAME, FingerprintMismatch, ShardWriter, read_manifest
from vdata.shards.writer import WORK_DIR
from vdata.urls import corpus_path, is_url, local_path

log = logging.getLogger(__name__)

#: Called after each item with (items done this run, items this run in all, rows written, errors).
ProgressFn = Callable[[int, int, int, int], None]
#: (True, row) for a built item, (False, error row for errors.parquet) for a failed one.
Outcome = tuple[bool, dict[str, Any]]


class Engine:
    """Where items run: `run(todo, options)` yields one `Outcome` per entry of `todo`, in input order, each
    made by `attempt` (or an error row when the engine lost the item: a timeout, a dead worker)."""

    name: ClassVar[str]

    def run(self, todo: Iterator[Item | BadRow], options: BuildOptions) -> Iterator[Outcome]:
        raise NotImplementedError


#: The `--engine` choices by name (registered by `vdata.build.local` and `vdata.build.ray`).
ENGINES: Registry[type[Engine]] = Registry("build engine")


def attempt(entry: Item | BadRow, options: BuildOptions, cuts: list[int] | None = None) -> Outcome:
    """(True, row) for a good item, (False, error row) for a bad one; never raises for a bad item. `cuts`: as
    for `process_item`."""
    if isinstance(entry, BadRow):
        return False, {"id": entry_id(entry), "source": entry.source, "split": "", "video": entry.video,
                       "source_file": entry.source_file, "code": entry.code, "message": entry.message}
    try:
        return True, process_item(entry, options, cuts)
    except ItemError as e:
        return False, error_row(entry, e.code, e.message, e.source_file)
    except Exception as e:
        log.exception("internal error on %s", entry.video)
        return False, error_row(entry, "internal", f"{type(e).__name__}: {e}")


def error_row(item: Item, code: str, message: str, source_file: str = "") -> dict[str, Any]:
    """The `errors.parquet` row of an item that failed with `code` (one of `vdata.errors.ERROR_CODES`)."""
    return {"id": item.id, "source": item.source, "split": item.split, "source_file": source_file or str(item.video),
            "video": item.video_rel, "code": code, "message": message}


def entry_id(entry: Item | BadRow) -> str:
    """The sample id an item or a bad annotation row is journaled under."""
    return entry.id if isinstance(entry, Item) else builders.sample_id(entry.source, "", entry.key)


def build(
    sources: list[str], out: str | Path, options: BuildOptions, on_progress: ProgressFn | None = None
) -> BuildReport:
    """Build `sources` (`FORMAT:PATH` each; a path, a `file://` URL or an fsspec URL such as `s3://...`) into
    the dataset folder `out` (the same) on `options.engine`; resumes an interrupted build with the same
    fingerprint (sources, options, vdata version and row-making code; on either engine) and is a no-op on a
    finished one. Raises `ConfigError` when `out` holds a build with another fingerprint, `VdataError` when
    nothing at all could be built. URLs: see `vdata.urls`."""
    remote = is_url(out)
    out = str(out).rstrip("/") if remote else local_path(out)
    if not sources:
        raise ConfigError("give at least one --source FORMAT:PATH")
    engine = ENGINES.get(options.engine)()
    specs = [(name, corpus_path(path)) for name, path in map(builders.parse_source, sources)]
    corpus = [builders.get(name)(path, split=options.split) for name, path in specs]
    fingerprint = build_fingerprint([f"{n}:{_source_key(p)}" for n, p in specs], {type(b) for b in corpus}, options)
    manifest = _finished_manifest(out)
    if manifest is not None:
        found = manifest.get("build", {}).get("fingerprint")
        if found == fingerprint:
            return fail_if_empty(report_from_disk(out, already_built=True))
        raise ConfigError(f"{out} already holds a finished build with {describe_change(found, fingerprint)[0]}; "
                          "use another --out")

    started = time.perf_counter()
    writer = _writer(out, fingerprint, options)
    report = BuildReport(out, items_skipped=0)

    def items() -> Iterator[Item | BadRow]:
        stream = itertools.chain.from_iterable(b.items() for b in corpus)
        return itertools.islice(stream, options.limit) if options.limit else stream

    todo_count = 0
    for entry in items():
        if entry_id(entry) in writer.done_ids:
            report.items_skipped += 1
        else:
            todo_count += 1
    todo = (e for e in items() if entry_id(e) not in writer.done_ids)
    rows = errors = 0
    for ok, result in engine.run(todo, options):
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
    return fail_if_empty(summarise(writer, out, fingerprint, report))


def _writer(out: Path | str, fingerprint: dict[str, Any], options: BuildOptions) -> ShardWriter:
    """The shard writer of `out`, resuming its journal; a journal with another fingerprint is refused, naming
    what changed."""
    try:
        if isinstance(out, str):
            from vdata.shards.remote import RemoteShardWriter

            return RemoteShardWriter(out, fingerprint, options.shard_size_bytes)
        return ShardWriter(out, fingerprint, options.shard_size_bytes)
    except FingerprintMismatch as e:
        what, code_changed = describe_change(e.found, fingerprint)
        work = f"{out}/{WORK_DIR}"
        if code_changed:
            raise ConfigError(f"{out} holds an unfinished build made by {what}; finishing it would mix rows of "
                              f"both: build into a new --out, or delete {work} to start over") from None
        raise ConfigError(f"{out} holds an unfinished build with {what}; re-run it with the same ones to resume, "
                          f"or delete {work} to start over") from None


def _source_key(path: Any) -> str:
    """A corpus as the fingerprint names it: the resolved local path, or the URL."""
    return str(path.expanduser().resolve()) if isinstance(path, Path) else str(path)


def _finished_manifest(out: Path | str) -> dict[str, Any] | None:
    """The manifest of the finished dataset at `out`, or None when there is none yet."""
    if isinstance(out, str):
        from vdata.shards.remote import read_remote_manifest

        return read_remote_manifest(out)
    return read_manifest(out) if (out / MANIFEST_NAME).exists() else None
