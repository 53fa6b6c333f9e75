"""Running a loader test's own file in its target's virtual environment (`make venv-*`, layered over `.venv`).

Each loader test file is also the script run there: `python FILE 'JOBS'` with JOBS a JSON list of argument lists,
one per export to load (the test corpus's, the demo dataset's), printing `<TAG>-REPORT [report, ...]`. One process
for all jobs: importing the target's package is most of the time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The environment of most loader scripts: nothing but PATH, and no hub downloads.
OFFLINE = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}


def run_jobs(python: Path, script: str, tag: str, jobs: list[list[Any]], cwd: Path, env: dict | None = OFFLINE) -> list:
    """Run `script` under `python` with `jobs` (environment `env`; None: this process's); the list of reports it
    printed (asserts it exited 0)."""
    # one OpenMP thread: a loader that forks (datasets' `map(num_proc=...)`) after torch ran its OpenMP pool in the
    # previous job gets a dead or hung child otherwise
    env = {**(os.environ if env is None else env), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [str(python), script, json.dumps(jobs)], capture_output=True, text=True, cwd=cwd, timeout=600, env=env,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith(f"{tag}-REPORT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-5000:]
    return json.loads(lines[-1].removeprefix(f"{tag}-REPORT "))


def main(tag: str, run: Callable[..., dict]) -> None:
    """The script side: `run(*job)` for each job of `sys.argv[1]`, the reports printed on one line."""
    print(f"{tag}-REPORT " + json.dumps([run(*job) for job in json.loads(sys.argv[1])], default=str))
