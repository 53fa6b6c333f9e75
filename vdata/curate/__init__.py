"""Curation for RL (`vdata curate`): each step reads built datasets and writes a new one plus a report table.

    from vdata.curate import STEPS, run_step
    from vdata.curate.dedup import DedupOptions
    report = run_step(STEPS.get("dedup")(DedupOptions()), ["built_a", "built_b"], "deduped")

Steps, one module each (a `Registry`): `difficulty` (pass rate of the policy through the task rewards),
`dedup` (near-duplicate videos by keyframe hashes), `contamination` (overlap with benchmark datasets),
`balance` (caps and uniform answer letters), `filter` (black or frozen keyframes, short clips, token budgets).
The driver (`vdata.curate.base`) makes every step resumable, writes the same layout as a build and the report
`OUT/curate-<step>.parquet`. Importing this package loads no ML library.
"""

from vdata.curate import balance, contamination, dedup, difficulty, filter  # noqa: F401  (register the steps)
from vdata.curate.base import STEPS, Context, CurateReport, Decision, Step, register, report_name, run_step

__all__ = ["STEPS", "Context", "CurateReport", "Decision", "Step", "register", "report_name", "run_step"]
