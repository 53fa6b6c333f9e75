"""The Ray engine of `vdata build` (`--engine ray`): the local engine's per-item function, run as Ray tasks.

`run_items` yields outcomes in input order, as the local pool does, so the shard writer on the driver writes
the same rows into the same shards, and resume is the writer's journal on either engine. Items go out in chunks
of `CHUNK_PER_CPU` x the cluster's CPUs; the next chunk is submitted before the current one is collected, so
the cluster does not wait on the driver. Straggler control: within a chunk the biggest video files (bytes, a
`stat` on the driver; decode and demux work grow with them) are submitted first, so a long video starts early
rather than holding up the chunk's end (videos at URLs keep input order). A sample is one row, so one item is
one task: its decode is not split. Each task reserves 1 CPU and `options.task_memory` bytes, so Ray places no
more tasks on a node than its memory holds; the per-item time limit is a SIGALRM in the worker, with the
worker's exit as a backstop for a decoder stuck in C. A task whose worker or node dies is retried once, then
recorded as `decode_failed`.
"""

from __future__ import annotations

import itertools
import logging
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.build import Outcome, _attempt, _error
from vdata.builders.base import BadRow, Item
from vdata.errors import ConfigError
from vdata.options import BuildOptions

log = logging.getLogger(__name__)

#: Items per chunk, per cluster CPU: enough queued work to keep every CPU busy while the driver collects.
CHUNK_PER_CPU = 4
#: Seconds past `timeout_s` after which a worker that did not honour SIGALRM exits (Ray records it dead).
BACKSTOP_S = 30.0


def connect(address: str | None = None) -> Any:
    """The `ray` module, connected to `address` (`auto`, `HOST:6379`, `ray://HOST:10001`), else to
    `RAY_ADDRESS`, else to a new local instance; a driver already connected (a notebook, a test) is reused."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--engine ray needs Ray: pip install 'vdata[ray]'") from None
    if not ray.is_initialized():
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
    return ray


def run_items(todo: Iterator[Item | BadRow], options: BuildOptions) -> Iterator[Outcome]:
    """`(ok, row or error row)` for each entry of `todo`, in input order, each Item made by a Ray task."""
    ray = connect(options.ray_address)
    _check_memory(ray, options.task_memory_bytes)
    task = ray.remote(_task).options(num_cpus=1, memory=options.task_memory_bytes, max_retries=1)
    chunk_size = CHUNK_PER_CPU * max(1, int(ray.cluster_resources().get("CPU", 1)))
    previous: tuple[list[Item | BadRow], list[Any]] | None = None
    while entries := list(itertools.islice(todo, chunk_size)):
        refs: list[Any] = [None] * len(entries)
        for i in _biggest_first(entries):
            refs[i] = task.remote(entries[i], options)
        if previous is not None:
            yield from _collect(ray, *previous, options)
        previous = entries, refs
    if previous is not None:
        yield from _collect(ray, *previous, options)


def _check_memory(ray: Any, task_memory: int) -> None:
    """Fail at start-up when no node could ever hold one task (it would wait forever)."""
    largest = max((n["Resources"].get("memory", 0) for n in ray.nodes() if n.get("Alive")), default=0)
    if task_memory > largest:
        raise ConfigError(f"--task-memory {task_memory / 1e9:.2f}GB: the largest Ray node offers "
                          f"{largest / 1e9:.2f}GB for tasks; lower it")


def _biggest_first(entries: list[Item | BadRow]) -> list[int]:
    """Positions of the Items in `entries`, biggest video file first (a missing file counts as 0 bytes: it
    fails at once); ties keep input order. Videos at URLs are not sized (a request each): input order."""
    sizes: dict[Path, int] = {}
    for entry in entries:
        if isinstance(entry, Item) and entry.video not in sizes:
            if not isinstance(entry.video, Path):
                sizes[entry.video] = 0
                continue
            try:
                sizes[entry.video] = os.path.getsize(entry.video)
            except OSError:
                sizes[entry.video] = 0
    items = [i for i, e in enumerate(entries) if isinstance(e, Item)]
    return sorted(items, key=lambda i: -sizes[entries[i].video])  # type: ignore[union-attr]


def _collect(ray: Any, entries: list[Item | BadRow], refs: list[Any], options: BuildOptions) -> Iterator[Outcome]:
    from ray.exceptions import NodeDiedError, OutOfMemoryError, RayTaskError, WorkerCrashedError

    for entry, ref in zip(entries, refs, strict=True):
        if ref is None:  # a bad annotation row: no video work
            yield _attempt(entry, options)
            continue
        assert isinstance(entry, Item)
        try:
            yield ray.get(ref)
        except OutOfMemoryError:
            yield False, _error(entry, "decode_failed", "Ray killed the task twice: its node ran out of memory "
                                f"(each task reserves --task-memory {options.task_memory}; raise it)")
        except (WorkerCrashedError, NodeDiedError):
            yield False, _error(entry, "decode_failed", "the Ray worker died twice (a crash, a lost node, or a "
                                f"decoder stuck past --timeout {options.timeout_s:g}s)")
        except RayTaskError as e:
            yield False, _error(entry, "internal", f"Ray task failed: {e.cause!r}")


class _ItemTimeout(BaseException):
    """Raised by SIGALRM inside a task; a BaseException, so the item's own `except Exception` lets it by."""


#: Set by the SIGALRM handler: native code (PyAV's Cython callbacks) can swallow the exception the handler
#: raises, so an item whose alarm fired is a timeout even when its work then returned normally.
_alarm_fired = threading.Event()


def _raise_timeout(signum: int, frame: Any) -> None:
    _alarm_fired.set()
    raise _ItemTimeout


def _task(entry: Item, options: BuildOptions) -> Outcome:
    """One item in a Ray worker, under `options.timeout_s` (a task runs in the worker's main thread)."""
    backstop = threading.Timer(options.timeout_s + BACKSTOP_S, os._exit, args=(1,))
    backstop.daemon = True
    backstop.start()
    in_main = threading.current_thread() is threading.main_thread()
    timed_out = False, _error(entry, "decode_timeout", f"gave up after {options.timeout_s:g}s")
    _alarm_fired.clear()
    if in_main:
        previous = signal.signal(signal.SIGALRM, _raise_timeout)
        signal.setitimer(signal.ITIMER_REAL, options.timeout_s)
    try:
        outcome = _attempt(entry, options)
        return timed_out if _alarm_fired.is_set() else outcome
    except _ItemTimeout:
        return timed_out
    finally:
        if in_main:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        backstop.cancel()
