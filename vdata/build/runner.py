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
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from vdata import builders
from vdata.build.fingerprint import build_fingerprint, describe_change
from vdata.build.report import BuildReport, fail_if_empty, report_from_disk, summarise
from vdata.builders.base import BadRow, Item
from vdata.errors import RETRYABLE_CODES, ConfigError, ItemError, VdataError
from vdata.options import BuildOptions
from vdata.process import WindowScan, process_item
from vdata.registry import Registry
from vdata.shards import MANIFEST_NAME, FingerprintMismatch, ShardWriter, read_manifest
from vdata.shards.errors_table import relative_to_roots
from vdata.shards.lock import output_lock, remote_output_lock
from vdata.shards.writer import WORK_DIR
from vdata.urls import corpus_path, is_url, local_path, store_errors

T = TypeVar("T")

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


def attempt(entry: Item | BadRow, options: BuildOptions, windows: Sequence[WindowScan] | None = None) -> Outcome:
    """(True, row) for a good item, (False, error row) for a bad one; never raises for a bad item. `windows`:
    as for `process_item`."""
    if isinstance(entry, BadRow):
        return False, {"id": entry_id(entry), "source": entry.source, "split": "", "video": entry.video,
                       "source_file": entry.source_file, "code": entry.code, "message": entry.message}
    try:
        return True, process_item(entry, options, windows)
    except ItemError as e:
        return False, error_row(entry, e.code, e.message, e.source_file)
    except Exception as e:
        log.exception("internal error on %s", entry.video)
        return False, error_row(entry, "internal", f"{type(e).__name__}: {e}")


def error_row(item: Item, code: str, message: str, source_file: str = "") -> dict[str, Any]:
    """The `errors.parquet` row of an item that failed with `code` (one of `vdata.errors.ERROR_CODES`)."""
    return {"id": item.id, "source": item.source, "split": item.split, "source_file": source_file or str(item.video),
            "video": item.video_rel, "code": code, "message": message}


class _ItemTimeout(BaseException):
    """Raised by SIGALRM inside an item; a BaseException, so `attempt`'s `except Exception` lets it by."""


#: Set by the SIGALRM handler: native code (PyAV's Cython callbacks) can swallow the exception the handler
#: raises, so an item whose alarm fired is a timeout even when its work then returned normally.
_alarm_fired = threading.Event()


def _raise_timeout(signum: int, frame: Any) -> None:
    _alarm_fired.set()
    raise _ItemTimeout


def under_timeout(work: Callable[..., T], entry: Item, options: BuildOptions, *args: Any) -> T | Outcome:
    """`work(entry, options, *args)` under `options.timeout_s` seconds, by SIGALRM when this is the main thread
    (a pool worker, a Ray task, `--workers 0`); past it, the item's `decode_timeout` outcome. Code that never
    returns to Python (a C call that hangs) is not interrupted: engines add their own backstop."""
    timed_out = False, error_row(entry, "decode_timeout", f"gave up after {options.timeout_s:g}s")
    in_main = threading.current_thread() is threading.main_thread()
    _alarm_fired.clear()
    previous = None
    if in_main:
        previous = signal.signal(signal.SIGALRM, _raise_timeout)
        signal.setitimer(signal.ITIMER_REAL, options.timeout_s)
    try:
        outcome = work(entry, options, *args)
        return timed_out if _alarm_fired.is_set() else outcome
    except _ItemTimeout:
        return timed_out
    finally:
        if in_main:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


def entry_id(entry: Item | BadRow) -> str:
    """The sample id an item or a bad annotation row is journaled under."""
    return entry.id if isinstance(entry, Item) else builders.sample_id(entry.source, "", entry.key)


def build(
    sources: list[str], out: str | Path, options: BuildOptions, on_progress: ProgressFn | None = None
) -> BuildReport:
    """Build `sources` (`FORMAT:PATH` each; a path, a `file://` URL or an fsspec URL such as `s3://...`) into
    the dataset folder `out` (the same) on `options.engine`; resumes an interrupted build with the same
    fingerprint (sources, options, vdata version and row-making code; on either engine) and is a no-op on a
    finished one. Raises `ConfigError` when `out` holds a build with another fingerprint or another build is
    writing into it, `BuildIncomplete` when items were lost to the infrastructure (a re-run retries them),
    `VdataError` when nothing at all could be built. A later line whose id an earlier line has is a
    `duplicate_id` error row. URLs: see `vdata.urls`."""
    remote = is_url(out)
    out = str(out).rstrip("/") if remote else local_path(out)
    if not sources:
        raise ConfigError("give at least one --source FORMAT:PATH")
    urls = [s.split(":", 1)[-1] for s in sources if is_url(s.split(":", 1)[-1])] + ([str(out)] if remote else [])
    if not urls:
        return _build(sources, out, options, on_progress)
    with store_errors(" / ".join(urls)):
        return _build(sources, out, options, on_progress)


def _build(sources: list[str], out: Path | str, options: BuildOptions, on_progress: ProgressFn | None) -> BuildReport:
    engine = ENGINES.get(options.engine)()
    specs = [(name, corpus_path(path), extra) for name, path, extra in map(builders.parse_source, sources)]
    corpus = [builders.create(name, path, options.split, extra) for name, path, extra in specs]
    fingerprint = build_fingerprint([f"{_source_name(n, extra)}:{_source_key(p)}" for n, p, extra in specs],
                                    {type(b) for b in corpus}, options)
    finished = _finished(out, fingerprint)
    if finished is not None:
        return finished
    with _lock(out):
        finished = _finished(out, fingerprint)  # another build finished it meanwhile
        if finished is not None:
            return finished
        writer = _writer(out, fingerprint, options)
        try:
            return _run(engine, writer, out, fingerprint, options, corpus, on_progress)
        finally:
            writer.discard()


def _run(engine: Engine, writer: ShardWriter, out: Path | str, fingerprint: dict[str, Any], options: BuildOptions,
         corpus: list[Any], on_progress: ProgressFn | None) -> BuildReport:
    """Run what `writer`'s journal does not hold yet on `engine`, then finish the dataset (or, when items were
    lost to the infrastructure, commit what was built and raise `BuildIncomplete`)."""
    started = time.perf_counter()
    report = BuildReport(out, items_skipped=0)

    def items() -> Iterator[Item | BadRow]:
        stream = itertools.chain.from_iterable(b.items() for b in corpus)
        return unique_ids(itertools.islice(stream, options.limit) if options.limit else stream)

    roots = [str(b.root) for b in corpus]  # errors.parquet names files relative to these (it is pushed)
    todo_count = 0
    for entry in items():
        if entry_id(entry) in writer.done_ids:
            report.items_skipped += 1
        else:
            todo_count += 1
    todo = _after_first((e for e in items() if entry_id(e) not in writer.done_ids), writer.warm_up)
    rows = errors = 0
    lost: list[str] = []  # the lost items' files
    for ok, result in engine.run(todo, options):
        if ok:
            writer.add(result)
            rows += 1
            report.video_s += result["clip_end_s"] - result["clip_start_s"]
        elif result["code"] in RETRYABLE_CODES:
            report.lost_by_code[result["code"]] = report.lost_by_code.get(result["code"], 0) + 1
            lost.append(result["source_file"])
            log.warning("%s [%s] %s (not saved: a re-run retries it)", result["source_file"], result["code"],
                        result["message"])
        else:
            writer.add_error(relative_to_roots(result, roots))
            errors += 1
            log.warning("%s [%s] %s", result["source_file"], result["code"], result["message"])
        report.items_run += 1
        if on_progress:
            on_progress(report.items_run, todo_count, rows, errors)

    report.wall_s = time.perf_counter() - started
    if report.lost_by_code:
        writer.flush()
        raise BuildIncomplete(report, rows, errors, lost)
    return fail_if_empty(summarise(writer, out, fingerprint, report))


class BuildIncomplete(VdataError):
    """Items were lost to the infrastructure (`vdata.errors.RETRYABLE_CODES`): what was built is committed
    in the journal, the dataset is left unfinished, and the same command retries exactly the lost items."""

    #: Lost items named in the message (their files); more are counted.
    NAMED = 5

    def __init__(self, report: BuildReport, rows: int, errors: int, lost: list[str]) -> None:
        why = ", ".join(f"{code}: {n}" for code, n in sorted(report.lost_by_code.items()))
        named = ", ".join(lost[:self.NAMED]) + (f" and {len(lost) - self.NAMED} more" if len(lost) > self.NAMED else "")
        super().__init__(f"{report.out}: unfinished: {len(lost)} items lost to infrastructure failures ({why}): "
                         f"{named}; this run built {rows} rows and recorded {errors} input errors; re-run the same "
                         "command to retry the lost items")
        self.report = report


def _after_first(entries: Iterator[T], then: Callable[[], None]) -> Iterator[T]:
    """`entries`, calling `then` once when the engine asks for the entry after the first (a pool engine has
    then sent the first item to a worker: `then` runs beside it).

    >>> calls = []
    >>> entries = _after_first(iter("ab"), lambda: calls.append("then"))
    >>> next(entries), calls
    ('a', [])
    >>> next(entries), calls
    ('b', ['then'])
    """
    called = False
    for entry in entries:
        yield entry
        if not called:
            called = True
            then()


def unique_ids(entries: Iterator[Item | BadRow]) -> Iterator[Item | BadRow]:
    """`entries` with every entry whose id an earlier entry already has replaced by a `duplicate_id` bad row
    (journaled under its own key, so a re-run gives the same rows and errors whatever the shard size)."""
    seen: dict[str, int] = {}
    for entry in entries:
        sample = entry_id(entry)
        count = seen.get(sample, 0)
        seen[sample] = count + 1
        if not count:
            yield entry
            continue
        if isinstance(entry, Item):
            where, key, video = str(entry.video), entry.key, entry.video_rel
        else:
            where, key, video = entry.source_file, entry.key, entry.video
        yield BadRow(entry.source, f"{key}#duplicate{count}", where, "duplicate_id",
                     f"id {key!r} is already used by an earlier row of {entry.source} (that row is kept)", video)


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


def _source_name(name: str, extra: dict[str, str]) -> str:
    """A source's format with its options as given (`lasot,fps=25`): other options, another build."""
    return ",".join([name, *(f"{k}={v}" for k, v in sorted(extra.items()))])


def _source_key(path: Any) -> str:
    """A corpus as the fingerprint names it: the resolved local path, or the URL."""
    return str(path.expanduser().resolve()) if isinstance(path, Path) else str(path)


def _finished(out: Path | str, fingerprint: dict[str, Any]) -> BuildReport | None:
    """The report of the finished build at `out` when it has `fingerprint` (None when `out` holds no finished
    build); `ConfigError` when it holds one with another fingerprint."""
    manifest = _finished_manifest(out)
    if manifest is None:
        return None
    found = manifest.get("build", {}).get("fingerprint")
    if found == fingerprint:
        return fail_if_empty(report_from_disk(out, already_built=True))
    raise ConfigError(f"{out} already holds a finished build with {describe_change(found, fingerprint)[0]}; "
                      "use another --out")


def _lock(out: Path | str) -> AbstractContextManager[None]:
    """The output's lock (`vdata.shards.lock`): a `flock` in a local folder, a lock object at a URL."""
    return remote_output_lock(out, WORK_DIR) if isinstance(out, str) else output_lock(out, WORK_DIR)


def _finished_manifest(out: Path | str) -> dict[str, Any] | None:
    """The manifest of the finished dataset at `out`, or None when there is none yet."""
    if isinstance(out, str):
        from vdata.shards.remote import read_remote_manifest

        return read_remote_manifest(out)
    return read_manifest(out) if (out / MANIFEST_NAME).exists() else None
