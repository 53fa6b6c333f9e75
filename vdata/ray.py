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
