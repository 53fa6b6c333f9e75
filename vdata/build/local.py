"""The local engine of `vdata build` (`--engine local`, the default): `attempt` in a pebble process pool.

Results are taken in submission order, so the same command gives the same rows in the same order, but an item
that takes long does not hold up the others: tasks are submitted while fewer than `QUEUED_PER_WORKER` per
worker are queued or running, up to `AHEAD_PER_WORKER` entries per worker past the oldest one not yet taken
(their outcomes wait there for their turn; this bounds the rows held in memory). Each item runs under a
wall-clock limit in its worker (a hung decoder costs that item, recorded as `decode_timeout`). An item whose
worker dies is tried again on a fresh worker, up to `MAX_TRIES` tries; a pool that breaks is replaced (see
`_Pool`). With `--scenes`, a long video's scene scan is split into window tasks and a finishing task
(`vdata.build.windows`, as on Ray), so one long video uses every worker; if one of its window tasks fails (a
timeout, a dead worker) the item is tried whole. `workers=0` runs items in this process, each under the same
limit by SIGALRM (so only from the main thread; elsewhere it is refused at start-up). Bad annotation rows pass
straight through without a worker.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vdata.build.runner import ENGINES, Engine, Outcome, attempt, error_row, under_timeout
from vdata.build.windows import Split, finish_task, item_task, window_frames, window_task
from vdata.builders.base import BadRow, Item
from vdata.errors import ConfigError
from vdata.options import BuildOptions

log = logging.getLogger(__name__)


#: Tries an item gets on fresh workers when its worker process dies under it.
MAX_TRIES = 3
#: Seconds between checks that the pool itself is still healthy while waiting for an item.
POLL_S = 1.0
#: Tasks queued or running per worker: enough that a worker finds its next task waiting when it finishes one.
QUEUED_PER_WORKER = 2
#: Entries in flight per worker, counted from the oldest one whose outcome is not yet taken: how far the pool
#: runs ahead of an item that takes long (a long video among short clips). Their outcomes wait in memory until
#: that item's is taken, so this bounds the rows held: at most this many per worker (a row of 16 frames at the
#: default size is about 0.3 MB, of 600 frames about 12 MB).
AHEAD_PER_WORKER = 8


@ENGINES.register("local")
@dataclass(frozen=True)
class LocalEngine(Engine):
    """A process pool of `options.workers` on this machine."""

    def run(self, todo: Iterator[Item | BadRow], options: BuildOptions) -> Iterator[Outcome]:
        if options.workers == 0:
            if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
                raise ConfigError("--workers 0 enforces --timeout with SIGALRM, which needs the main thread of "
                                  "a POSIX process; use --workers 1 or more here")
            for entry in todo:
                yield under_timeout(attempt, entry, options) if isinstance(entry, Item) else attempt(entry, options)
            return
        pool = _Pool(options)
        window: deque[_Slot] = deque()
        try:
            for entry in todo:
                window.append(_Slot(entry, pool.submit(entry) if isinstance(entry, Item) else None))
                yield from pool.taken_while_full(window)
            while window:
                yield pool.collect(window)
        finally:
            pool.close()


@dataclass
class _Slot:
    """An entry in flight: its future (None for a bad annotation row, and while `parts` run), the worker deaths
    it has seen, and the futures of its window tasks while a split item's scene scan runs."""

    entry: Item | BadRow
    future: Any
    deaths: int = 0
    parts: list[Any] | None = None


class _Pool:
    """A pebble pool that survives its workers: an item whose worker dies is scheduled again on a fresh worker
    (up to `MAX_TRIES` tries in all), and a pool that breaks (pebble's "Unexpected error within the Pool", a
    worker killed at the wrong moment) is replaced, with every item in flight scheduled again."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
        self._frames = window_frames(options)
        self._pool = self._new()

    def _new(self) -> Any:
        from pebble import ProcessPool

        return ProcessPool(max_workers=self.options.workers, initializer=_one_thread_per_worker)

    def submit(self, entry: Item | BadRow) -> Any:
        """The future of the entry's item task (its outcome, or `Split` for a long video's scene scan)."""
        return self._schedule(item_task, entry, self._frames)

    def _schedule(self, work: Any, entry: Item | BadRow, *args: Any) -> Any:
        try:
            return self._pool.schedule(work, args=(entry, self.options, *args), timeout=self.options.timeout_s)
        except RuntimeError:  # the pool broke: a new one
            self._replace([])
            return self._pool.schedule(work, args=(entry, self.options, *args), timeout=self.options.timeout_s)

    def _expand(self, window: deque[_Slot]) -> None:
        """Split every item whose task answered `Split` into window tasks, and finish every split item whose
        window tasks are all done (or try it whole if one failed)."""
        for slot in window:
            if slot.parts is None and slot.future is not None and _succeeded(slot.future):
                answer = slot.future.result()
                if isinstance(answer, Split):
                    log.info("%s: scene scan of %d frames in %d window tasks", slot.entry.video,
                             answer.windows[-1][1] - answer.windows[0][0] + 1, len(answer.windows))
                    slot.parts = [self._schedule(window_task, slot.entry, *w) for w in answer.windows]
                    slot.future = None
            if slot.parts is not None and all(part.done() for part in slot.parts):
                if all(_succeeded(part) for part in slot.parts):
                    slot.future = self._schedule(finish_task, slot.entry, *(part.result() for part in slot.parts))
                else:
                    log.warning("%s: a window task of its scene scan failed; trying the item whole", slot.entry.video)
                    slot.future = self._schedule(attempt, slot.entry)
                slot.parts = None

    def _replace(self, window: deque[_Slot]) -> None:
        log.warning("the worker pool broke; starting a new one and scheduling its %d items again", len(window))
        self._pool.stop()
        self._pool.join()
        self._pool = self._new()
        for slot in window:
            if slot.parts is not None:  # a split item: tried whole
                slot.parts, slot.future = None, self._pool.schedule(attempt, args=(slot.entry, self.options),
                                                                    timeout=self.options.timeout_s)
            elif slot.future is not None and not _succeeded(slot.future):
                slot.future = self._pool.schedule(item_task, args=(slot.entry, self.options, self._frames),
                                                  timeout=self.options.timeout_s)

    def taken_while_full(self, window: deque[_Slot]) -> Iterator[Outcome]:
        """The outcomes of `window`'s oldest entries that are ready (`ready`), and of any more it takes to bring
        its tasks queued or running under `QUEUED_PER_WORKER` per worker and its entries under
        `AHEAD_PER_WORKER` per worker (waiting for a task to finish meanwhile), so another entry can be added."""
        workers = self.options.workers
        while window:
            self._expand(window)
            if self.ready(window[0]):
                yield self.collect(window)
            elif len(window) >= AHEAD_PER_WORKER * workers or self.unfinished(window) >= QUEUED_PER_WORKER * workers:
                self.wait_any(window)
            else:
                return

    def ready(self, slot: _Slot) -> bool:
        """True when `collect` can take `slot`'s outcome without waiting: a bad annotation row, or a task done
        (a task that failed too: `collect` decides what follows) that is not a split item's scene scan."""
        if slot.parts is not None:
            return False
        if slot.future is None:
            return True
        return slot.future.done() and not (_succeeded(slot.future) and isinstance(slot.future.result(), Split))

    def unfinished(self, window: deque[_Slot]) -> int:
        """Tasks of `window` queued or running."""
        return sum(not future.done() for future in _futures(window))

    def wait_any(self, window: deque[_Slot]) -> None:
        """Wait (up to `POLL_S`) until a task of `window` finishes; a pool that broke meanwhile is replaced."""
        from concurrent.futures import FIRST_COMPLETED, wait

        running = [future for future in _futures(window) if not future.done()]
        if running:
            wait(running, timeout=POLL_S, return_when=FIRST_COMPLETED)
        if not self._pool.active:
            self._replace(window)

    def collect(self, window: deque[_Slot]) -> Outcome:
        """The outcome of the first slot of `window` (removed from it)."""
        from concurrent.futures import CancelledError, wait
        from concurrent.futures import TimeoutError as FutureTimeout

        from pebble import ProcessExpired

        slot = window[0]
        entry = slot.entry
        while slot.future is not None or slot.parts is not None:
            self._expand(window)
            if slot.future is None:  # its window tasks run
                assert slot.parts is not None
                done, _ = wait(slot.parts, timeout=POLL_S)
                if not self._pool.active:
                    self._replace(window)
                continue
            done, _ = wait([slot.future], timeout=POLL_S)
            if not done:
                if not self._pool.active:
                    self._replace(window)
                continue
            try:
                outcome = slot.future.result()
                if isinstance(outcome, Split):
                    continue  # `_expand` splits it
            except FutureTimeout:
                outcome = False, error_row(entry, "decode_timeout", f"gave up after {self.options.timeout_s:g}s")
            except ProcessExpired as e:
                slot.deaths += 1
                if slot.deaths < MAX_TRIES:
                    log.warning("%s: its worker died (exit code %s); trying again on a fresh worker (%d of %d)",
                                entry.video, e.exitcode, slot.deaths + 1, MAX_TRIES)  # type: ignore[union-attr]
                    slot.future = self.submit(entry)
                    continue
                outcome = False, _death_row(entry, e.exitcode, slot.deaths)  # type: ignore[arg-type]
            except CancelledError:  # cancelled by a pool that broke
                self._replace(window)
                continue
            window.popleft()
            return outcome
        window.popleft()
        return attempt(entry, self.options)

    def close(self) -> None:
        self._pool.stop()
        self._pool.join()


def _futures(window: deque[_Slot]) -> list[Any]:
    """The futures of every task of `window`: item tasks, and the window tasks of split items."""
    return [future for slot in window for future in ([slot.future] if slot.future is not None else slot.parts or [])]


def _succeeded(future: Any) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _death_row(entry: Item, exitcode: int | None, deaths: int) -> dict[str, Any]:
    """The error row of an item whose worker died on each of its `deaths` tries. Killed by SIGKILL each time
    (the kernel's OOM killer, an operator): the machine, not the item, so `worker_lost` (retried on the next
    run). Any other death each time (a crash in a decoder): the item's own `decode_failed`."""
    if exitcode == -signal.SIGKILL:
        return error_row(entry, "worker_lost", f"the worker process was killed (SIGKILL) on each of {deaths} tries")
    return error_row(entry, "decode_failed", f"the worker process died on each of {deaths} tries (exit code "
                     f"{exitcode})")


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
