"""One writer per output folder: `output_lock(out)` holds an exclusive `flock` on `OUT/.vdata-build/lock`
for as long as a build writes into `out`, and writes its pid into the file. A second build into the same
folder is refused with one line naming the holder's pid. The kernel drops the lock when its process dies
(`kill -9` included), so a lock file left by a dead build is simply taken over.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vdata.errors import ConfigError

LOCK_NAME = "lock"


@contextmanager
def output_lock(out: Path, work_dir: str) -> Iterator[None]:
    """Hold the lock of the output folder `out` (the lock file lives in `out/work_dir`); `ConfigError`
    naming the holder's pid when another process holds it."""
    work = out / work_dir
    work.mkdir(parents=True, exist_ok=True)
    path = work / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise ConfigError(f"{out} is being written by another vdata build (pid {holder}); wait for it to "
                              "end or build into another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the flock
