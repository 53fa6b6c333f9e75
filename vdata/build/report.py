"""What a build reports: `BuildReport` (counts of the whole dataset, throughput of this run) and the manifest
the driver writes last."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

import vdata
from vdata.errors import VdataError
from vdata.schemas import SCHEMA_VERSION
from vdata.shards import ShardInfo, ShardWriter, counts


@dataclass
class BuildReport:
    """What a build did. `rows_by_*` and `errors_by_code` cover the whole dataset (resumed runs included);
    `items_run` / `wall_s` / `video_s` are this run's, for throughput."""

    out: Path | str  # a local folder, or a URL
    rows: int = 0
    rows_by_split: dict[str, int] = field(default_factory=dict)
    rows_by_task: dict[str, int] = field(default_factory=dict)
    rows_by_source: dict[str, int] = field(default_factory=dict)
    errors_by_code: dict[str, int] = field(default_factory=dict)
    #: This run's items lost to the infrastructure (`vdata.errors.RETRYABLE_CODES`), never saved as errors.
    lost_by_code: dict[str, int] = field(default_factory=dict)
    items_run: int = 0
    items_skipped: int = 0
    video_s: float = 0.0
    wall_s: float = 0.0
    already_built: bool = False

    @property
    def errors(self) -> int:
        return sum(self.errors_by_code.values())


def fail_if_empty(report: BuildReport) -> BuildReport:
    """Raise `VdataError` when the dataset holds no rows but failed items (a re-run of it fails the same way)."""
    if report.rows == 0 and report.errors:
        raise VdataError(f"nothing could be built: all {report.errors} items failed; see {report.out}/errors.parquet")
    return report


def summarise(writer: ShardWriter, out: Path | str, fingerprint: dict[str, Any], report: BuildReport) -> BuildReport:
    """Finish `writer` (the manifest records `fingerprint`, this run's throughput and the dataset's counts) and
    return the report of the finished dataset."""
    run = {
        "wall_s": round(report.wall_s, 3),
        "items_run": report.items_run,
        "items_skipped_as_done": report.items_skipped,
        "items_per_s": round(report.items_run / report.wall_s, 3) if report.wall_s else None,
        "video_s_per_s": round(report.video_s / report.wall_s, 3) if report.wall_s else None,
    }

    counted: list[BuildReport] = []  # the finished dataset's counts, read once (`describe` runs once)

    def describe(shards: list[ShardInfo]) -> dict[str, Any]:
        counted.append(final := report_from_disk(out))
        return {
            "format": "vdata",
            "schema_version": SCHEMA_VERSION,
            "vdata_version": vdata.__version__,
            "build": {"fingerprint": fingerprint},
            "run": run,
            "counts": {
                "rows": final.rows,
                "rows_by_split": final.rows_by_split,
                "rows_by_task": final.rows_by_task,
                "rows_by_source": final.rows_by_source,
                "errors_by_code": final.errors_by_code,
                "bytes": sum(s.bytes for s in shards),
            },
        }

    writer.finish(describe)
    final = counted[0]
    final.items_run, final.items_skipped = report.items_run, report.items_skipped
    final.video_s, final.wall_s = report.video_s, report.wall_s
    return final


def report_from_disk(out: Path | str, already_built: bool = False) -> BuildReport:
    """Counts read back from the finished dataset at a local folder or a URL (metadata columns only)."""
    from vdata.shards import read_table

    columns = ["split", "task", "source"]
    if isinstance(out, str):
        from vdata.shards.remote import read_remote_tables

        table, errors = read_remote_tables(out, columns)
    else:
        table = read_table(out, columns=columns)
        errors = pq.read_table(out / "errors.parquet", columns=["code"]) if (out / "errors.parquet").exists() else None
    return BuildReport(
        out,
        rows=table.num_rows,
        rows_by_split=counts(table.column("split")),
        rows_by_task=counts(table.column("task")),
        rows_by_source=counts(table.column("source")),
        errors_by_code=counts(errors.column("code")) if errors is not None else {},
        already_built=already_built,
    )
