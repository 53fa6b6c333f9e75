"""The Ray engine of `vdata build` (`--engine ray`): the runner's per-item `attempt`, run as Ray tasks.

`RayEngine.run` yields outcomes in input order, as the local pool does, so the shard writer on the driver writes
the same rows into the same shards, and resume is the writer's journal on either engine. Items go out in chunks
of `CHUNK_PER_CPU` x the cluster's CPUs; the next chunk is submitted before the current one is collected, so
the cluster does not wait on the driver. Straggler control: within a chunk the biggest video files (bytes, a
`stat` on the driver; decode and demux work grow with them) are submitted first, so a long video starts early
rather than holding up the chunk's end (videos at URLs keep input order). With `--scenes`, a long clip window's
scene scan is split into window tasks and a finishing task (`vdata.build.windows`, as the local pool does): the
driver submits them as soon as the item's task answers `Split`. Each task reserves 1 CPU and
`options.task_memory` bytes, so Ray places no more tasks on a node than its memory holds; each task's time
limit (`--timeout`, per item task, window task and finishing task) is a SIGALRM in the worker, with the
worker's exit as a backstop for a decoder stuck in C. A task whose worker or node dies is retried once; if it
dies again the item is `worker_lost`, an infrastructure failure (`vdata.errors.RETRYABLE_CODES`): not saved,
and the same command retries it. While the engine runs, the process's stdout is sent to stderr, and a Ray
driver the engine opened is shut down before it ends (its thread prints a dead worker's message late, on
stdout), so Ray's own messages never mix with `--json` output.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from vdata.build.runner import ENGINES, Engine, Outcome, attempt, error_row, under_timeout
from vdata.build.windows import Split, finish_task, item_task, window_frames, window_task
from vdata.builders.base import BadRow, Item
from vdata.errors import ConfigError
from vdata.options import BuildOptions
from vdata.ray import session, stdout_to_stderr

T = TypeVar("T")

log = logging.getLogger(__name__)

#: Items per chunk, per cluster CPU: enough queued work to keep every CPU busy while the driver collects.
CHUNK_PER_CPU = 4
#: Seconds past `timeout_s` after which a worker that did not honour SIGALRM exits (Ray records it dead).
BACKSTOP_S = 30.0
#: Seconds the driver waits for any item task's answer before checking the item it collects next again.
POLL_S = 1.0


@ENGINES.register("ray")
@dataclass(frozen=True)
class RayEngine(Engine):
    """Ray tasks on the cluster at `options.ray_address`, each reserving `options.task_memory`."""

    def run(self, todo: Iterator[Item | BadRow], options: BuildOptions) -> Iterator[Outcome]:
        """`(ok, row or error row)` for each entry of `todo`, in input order, each Item made by a Ray task."""
        with stdout_to_stderr(), session(options.ray_address) as ray:
            yield from self._run(ray, todo, options)

    def _run(self, ray: Any, todo: Iterator[Item | BadRow], options: BuildOptions) -> Iterator[Outcome]:
        _check_memory(ray, options.task_memory_bytes)
        remote = ray.remote(_task).options(num_cpus=1, memory=options.task_memory_bytes, max_retries=1)
        splitter = _Splitter(ray, remote, options)
        frames = window_frames(options)
        chunk_size = CHUNK_PER_CPU * max(1, int(ray.cluster_resources().get("CPU", 1)))
        previous: tuple[list[Item | BadRow], list[Any]] | None = None
        while entries := list(itertools.islice(todo, chunk_size)):
            refs: list[Any] = [None] * len(entries)
            for i in _biggest_first(entries):
                refs[i] = remote.remote(item_task, entries[i], options, frames)
                if frames:
                    splitter.watch(refs, i, entries[i])  # type: ignore[arg-type]
            if previous is not None:
                yield from _collect(ray, *previous, options, splitter)
            previous = entries, refs
        if previous is not None:
            yield from _collect(ray, *previous, options, splitter)


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


class _Splitter:
    """Turns each item task that answers `Split` into window tasks and a finishing task, as soon as it answers
    (not when the driver reaches the item): `refs[i]` then holds the finishing task."""

    def __init__(self, ray: Any, remote: Any, options: BuildOptions) -> None:
        self._ray, self._remote, self._options = ray, remote, options
        self._pending: dict[Any, tuple[list[Any], int, Item]] = {}  # item task -> (its refs list, position, item)

    def watch(self, refs: list[Any], i: int, item: Item) -> None:
        self._pending[refs[i]] = refs, i, item

    def wait(self, refs: list[Any], i: int) -> None:
        """Until `refs[i]` is an outcome that is ready, splitting every item whose task answers meanwhile."""
        while self._pending and (refs[i] in self._pending or not self._ray.wait([refs[i]], timeout=0)[0]):
            self._ray.wait(list({*self._pending, refs[i]}), num_returns=1, timeout=POLL_S)
            ready, _ = self._ray.wait(list(self._pending), num_returns=len(self._pending), timeout=0)
            for ref in ready:
                self._split(ref)

    def _split(self, ref: Any) -> None:
        from ray.exceptions import RayError

        refs, i, item = self._pending.pop(ref)
        try:
            answer = self._ray.get(ref)
        except RayError:  # `_collect` gets it again and records why
            return
        if isinstance(answer, Split):
            log.info("%s: scene scan of %d frames in %d window tasks", item.video,
                     answer.windows[-1][1] - answer.windows[0][0] + 1, len(answer.windows))
            scans = [self._remote.remote(window_task, item, self._options, *w) for w in answer.windows]
            refs[i] = self._remote.remote(finish_task, item, self._options, *scans)


def _collect(ray: Any, entries: list[Item | BadRow], refs: list[Any], options: BuildOptions,
             splitter: _Splitter) -> Iterator[Outcome]:
    from ray.exceptions import RayError, RayTaskError

    for i, entry in enumerate(entries):
        if refs[i] is None:  # a bad annotation row: no video work
            yield attempt(entry, options)
            continue
        assert isinstance(entry, Item)
        try:
            splitter.wait(refs, i)
            yield ray.get(refs[i])
        except RayTaskError as e:
            yield False, error_row(entry, "internal", f"Ray task failed: {e.cause!r}")
        except RayError as e:  # a dead worker or node, memory pressure, a lost object: the cluster, not the item
            yield False, error_row(entry, "worker_lost", f"{type(e).__name__} on each of its tries (a crash, a lost "
                                   f"node, memory pressure with --task-memory {options.task_memory}, or a decoder "
                                   f"stuck past --timeout {options.timeout_s:g}s)")


def _task(work: Callable[..., T], entry: Item, options: BuildOptions, *args: Any) -> T | Outcome:
    """`work(entry, options, *args)` in a Ray worker, under `options.timeout_s` (a task runs in the worker's
    main thread); past it, the item's `decode_timeout` outcome."""
    backstop = threading.Timer(options.timeout_s + BACKSTOP_S, os._exit, args=(1,))
    backstop.daemon = True
    backstop.start()
    try:
        return under_timeout(work, entry, options, *args)
    finally:
        backstop.cancel()
