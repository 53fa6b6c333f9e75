"""`vdata build`: builders' items -> rows (on an engine) -> shards, resumable, memory bounded.

- `runner`: what every engine shares: one item to one outcome (`attempt`), error rows, the engine registry
  (`ENGINES`) and the driver loop (`build`) that writes the outcomes, in input order, through the shard writer
  and its journal.
- `local`: the `local` engine, a process pool on this machine (the default).
- `ray`: the `ray` engine, tasks on a Ray cluster.
- `fingerprint`: what a build's rows depend on (sources, options, vdata version, a hash of the row-making
  code): a build resumes or counts as done only with the same one.
- `report`: `BuildReport` and the manifest.
"""

from vdata.build import local, ray  # noqa: F401  (registers the engines)
from vdata.build.report import BuildReport
from vdata.build.runner import ENGINES, ProgressFn, build

__all__ = ["ENGINES", "BuildReport", "ProgressFn", "build"]
