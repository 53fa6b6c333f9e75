"""`vdata export`: stream a built dataset's rows (frames included) into one target's layout."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError
from vdata.export.base import ExportOptions, ExportReport, Skip, exporter_class

log = logging.getLogger(__name__)


def export(
    data: str | Path, to: str, out: str | Path, options: ExportOptions | None = None, **target_options: Any
) -> ExportReport:
    """Write the dataset at `data` into `out` in target `to`'s layout; rows the target cannot express are
    counted per reason in the report (never dropped silently). `out` must not exist or be empty.

    `target_options` are the target's own dataclass fields (unknown ones raise `ConfigError`).
    """
    from vdata.shards import iter_rows

    options = options or ExportOptions()
    cls = exporter_class(to)
    try:
        exporter = cls(**target_options)
    except TypeError as e:
        raise ConfigError(f"export target {to!r}: {e}") from None
    if options.frames_as is not None and options.frames_as not in cls.frames_as:
        raise ConfigError(f"--frames-as {options.frames_as}: {to} takes {', '.join(cls.frames_as)}")
    options = replace(options, frames_as=options.frames_as or cls.frames_as[0])  # targets see their default
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ConfigError(f"--out {out}: exists and is not empty; export into a new folder")
    out.mkdir(parents=True, exist_ok=True)
    report = ExportReport(to, out)
    exporter.open(out, options)
    for row in iter_rows(data, split=options.split):
        if options.limit is not None and sum(report.written.values()) + sum(report.skipped.values()) >= options.limit:
            break
        try:
            exporter.write(row, options)
        except Skip as e:
            report.skipped[str(e)] += 1
            continue
        report.written[row["split"]] += 1
    report.extra = exporter.close(options)
    if not report.written:
        raise ConfigError(f"{data}: no row could be exported to {to} ({dict(report.skipped) or 'no rows'})")
    if report.skipped:
        log.warning("%d rows not exported to %s: %s", sum(report.skipped.values()), to, dict(report.skipped))
    return report
