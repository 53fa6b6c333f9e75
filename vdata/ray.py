"""The connection to a Ray cluster, shared by the stages that run on one (`vdata build --engine ray`,
`vdata distill` on Ray)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vdata.errors import ConfigError


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


@contextmanager
def session(address: str | None = None) -> Iterator[Any]:
    """`connect(address)` for the length of the block. A driver this opened is shut down at exit: Ray prints
    the messages it receives late (a dead worker's, on stdout) from a background thread, which then stops; a
    driver already connected is left as it was."""
    opened = not _initialized()
    ray = connect(address)
    try:
        yield ray
    finally:
        if opened:
            ray.shutdown()


def _initialized() -> bool:
    """Whether this process already has a Ray driver (False too when Ray is not installed)."""
    try:
        import ray
    except ImportError:
        return False
    return bool(ray.is_initialized())


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to this process's stdout (file descriptor 1: Ray's C++ and Python messages
    alike) to stderr until exit, so a command's `--json` output is alone on stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
