"""One writer per output folder.

- A local folder: `output_lock(out)` holds an exclusive `flock` on `OUT/.vdata-build/lock` for as long as a
  build writes into `out`, and writes its pid into the file. A second build into the same folder is refused
  with one line naming the holder's pid. The kernel drops the lock when its process dies (`kill -9`
  included), so a lock file left by a dead build is simply taken over.
- A URL (`s3://...`): `remote_output_lock(url)` creates the object `URL/.vdata-build/lock` (JSON: pid, host,
  a token, the time of its last refresh) with an exclusive create (S3's `If-None-Match: *`), so of two builds
  starting at once exactly one gets it. The holder rewrites it every `LOCK_REFRESH_S` seconds and deletes it
  at exit. Stale rule: a lock whose holder is a dead process on this host, or that was not refreshed for
  `LOCK_STALE_S` seconds (a driver killed on another machine), is taken over; any other is refused with one
  line naming the holder's pid and host.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import posixpath
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError

LOCK_NAME = "lock"
#: Seconds between two refreshes of a URL's lock object by its holder.
LOCK_REFRESH_S = 30.0
#: Seconds without a refresh after which a URL's lock object is stale (its holder is taken to be dead).
LOCK_STALE_S = 300.0

log = logging.getLogger(__name__)


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


@contextmanager
def remote_output_lock(url: str, work_dir: str) -> Iterator[None]:
    """Hold the lock object `URL/work_dir/lock` while the block runs (refreshed by a thread every
    `LOCK_REFRESH_S`, deleted at exit); `ConfigError` naming the holder's pid and host when another live
    build holds it. A stale lock (see the module docstring) is taken over."""
    from vdata.urls import filesystem

    fs, root = filesystem(url)
    path = posixpath.join(root.rstrip("/"), work_dir, LOCK_NAME)
    mine = {"pid": os.getpid(), "host": socket.gethostname(), "token": uuid.uuid4().hex, "time": time.time()}
    if not _create(fs, path, mine):
        holder = _read(fs, path)
        if holder is not None and not is_stale(holder):
            raise ConfigError(f"{url} is being written by another vdata build (pid {holder.get('pid')} on host "
                              f"{holder.get('host')}, lock refreshed {time.time() - holder.get('time', 0):.0f}s "
                              f"ago); wait for it to end or build into another --out (a lock not refreshed for "
                              f"{LOCK_STALE_S:.0f}s is taken over)")
        log.warning("%s: taking over the stale lock of pid %s on %s", url, (holder or {}).get("pid"),
                    (holder or {}).get("host"))
        fs.rm_file(path)
        if not _create(fs, path, mine):  # another build took it over first
            holder = _read(fs, path) or {}
            raise ConfigError(f"{url} is being written by another vdata build (pid {holder.get('pid')} on host "
                              f"{holder.get('host')}); wait for it to end or build into another --out")
    stop = threading.Event()
    refresher = threading.Thread(target=_refresh, args=(fs, path, mine, stop), name="vdata-lock", daemon=True)
    refresher.start()
    try:
        yield
    finally:
        stop.set()
        refresher.join()
        _release(fs, path, mine)


def is_stale(holder: dict[str, Any], now: float | None = None, host: str | None = None) -> bool:
    """True when the lock `holder` (its pid, host and last refresh `time`) may be taken over: not refreshed for
    `LOCK_STALE_S` seconds, or held by a process of this host that is gone.

    >>> is_stale({"pid": 1, "host": "a", "time": 0.0}, now=LOCK_STALE_S + 1, host="b")
    True
    >>> is_stale({"pid": 1, "host": "a", "time": 0.0}, now=5.0, host="b")
    False
    """
    now = time.time() if now is None else now
    if now - float(holder.get("time", 0)) > LOCK_STALE_S:
        return True
    return holder.get("host") == (host or socket.gethostname()) and not pid_alive(int(holder.get("pid", 0)))


def pid_alive(pid: int) -> bool:
    """True when a process `pid` runs on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _create(fs: Any, path: str, mine: dict[str, Any]) -> bool:
    """Write the lock object unless one exists (one atomic request); False when one does."""
    try:
        fs.pipe_file(path, json.dumps(mine).encode(), mode="create")
    except FileExistsError:
        return False
    return True


def _read(fs: Any, path: str) -> dict[str, Any] | None:
    """The lock object's content; None when it is gone or unreadable (a holder writing it)."""
    try:
        return json.loads(fs.cat_file(path))
    except FileNotFoundError:
        return None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}


def _refresh(fs: Any, path: str, mine: dict[str, Any], stop: threading.Event) -> None:
    """Rewrite the lock object with the current time every `LOCK_REFRESH_S` until `stop`."""
    while not stop.wait(LOCK_REFRESH_S):
        try:
            fs.pipe_file(path, json.dumps({**mine, "time": time.time()}).encode())
        except Exception as e:  # each store's client raises its own kinds; the build's own calls report it
            log.warning("%s: could not refresh the build lock: %s", path, e)


def _release(fs: Any, path: str, mine: dict[str, Any]) -> None:
    """Delete the lock object if it is still this build's (finishing deletes the work folder with it)."""
    try:
        fs.invalidate_cache()
        if (_read(fs, path) or {}).get("token") == mine["token"]:
            fs.rm_file(path)
    except Exception as e:  # never hide the build's own outcome behind a failed clean-up
        log.warning("%s: could not delete the build lock: %s", path, e)
