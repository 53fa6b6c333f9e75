"""The local engine of `vdata build` (`--engine local`, the default): `attempt` in a pebble process pool.

At most `2 * workers` items are in flight; results are taken in submission order, so the same command gives
the same rows in the same order. Each item runs under a wall-clock limit in its worker (a hung or crashed
decoder costs that item, recorded as `decode_timeout` / `decode_failed`). `workers=0` runs items in this
process, without a time limit. Bad annotation rows pass straight through without a worker.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vdata.build.runner import ENGINES, Engine, Outcome, attempt, error_row
from vdata.builders.base import BadRow, Item
from vdata.options import BuildOptions


@ENGINES.register("local")
@dataclass(frozen=True)
class LocalEngine(Engine):
    """A process pool of `options.workers` on this machine."""

    def run(self, todo: Iterator[Item | BadRow], options: BuildOptions) -> Iterator[Outcome]:
        if options.workers == 0:
            for entry in todo:
                yield attempt(entry, options)
            return
        from concurrent.futures import TimeoutError as FutureTimeout

        from pebble import ProcessExpired, ProcessPool

        def collect(entry: Item | BadRow, future: Any) -> Outcome:
            if future is None:
                return attempt(entry, options)
            try:
                return future.result()
            except FutureTimeout:
                return False, error_row(entry, "decode_timeout", f"gave up after {options.timeout_s:g}s")
            except ProcessExpired as e:
                return False, error_row(entry, "decode_failed", f"the worker process died (exit code {e.exitcode})")

        window: deque[tuple[Item | BadRow, Any]] = deque()
        with ProcessPool(max_workers=options.workers, initializer=_one_thread_per_worker) as pool:
            for entry in todo:
                future = None
                if isinstance(entry, Item):
                    future = pool.schedule(attempt, args=(entry, options), timeout=options.timeout_s)
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
