"""`vdata eval`: join predictions to a built dataset by id, score each sample, aggregate per task and group.

Sections: options, read (predictions, samples without frame bytes), score, aggregate (per task, then per value of
each `--by` field), present (table rows and JSON).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError
from vdata.eval.score import COORD_SPACES, TASK_METRICS, Scored, score
from vdata.predictions import read_predictions as load_predictions  # `vdata.eval.load_predictions`
from vdata.schemas import TASKS, parse_meta

log = logging.getLogger(__name__)

#: Columns read from the dataset: the labels and what the parsers need, never the frame bytes.
SAMPLE_COLUMNS = (
    "id", "source", "split", "video_id", "task", "answer", "options", "spans", "boxes", "duration_s",
    "clip_start_s", "width", "height", "frame_timestamps_s", "meta",
)
MISSING_POLICIES = ("zero", "skip")
_BOX_TASKS = ("spatial_grounding", "spatiotemporal_grounding", "tracking")


@dataclass(frozen=True)
class EvalOptions:
    """How `evaluate` reads and groups.

    - `by`: fields to break results down by: a column (`source`, `split`, `video_id`) or a key of the `meta`
      JSON (`type` for NExT-QA's question types); a sample without it falls in group `(none)`.
    - `split`: evaluate only this split (None = every split).
    - `missing`: a sample with no prediction is scored as an empty (unparseable) response (`zero`, what the
      benchmark scripts do when they count every question) or left out (`skip`, to evaluate a subset).
    - `coord_space`: how predicted boxes are written: `pixels`, `resized` (pixels of the stored keyframes),
      `norm1` or `norm1000` (Qwen2-VL / Qwen3-VL), as in the box rewards.
    """

    by: tuple[str, ...] = ()
    split: str | None = None
    missing: str = "zero"
    coord_space: str = "pixels"

    def __post_init__(self) -> None:
        if self.missing not in MISSING_POLICIES:
            raise ConfigError(f"--missing must be one of {', '.join(MISSING_POLICIES)}, got {self.missing!r}")
        if self.coord_space not in COORD_SPACES:
            raise ConfigError(f"--coord-space must be one of {', '.join(COORD_SPACES)}, got {self.coord_space!r}")
        object.__setattr__(self, "by", tuple(self.by))


@dataclass(frozen=True)
class Record:
    """One evaluated sample: its id, task, group values (one per `by` field), and its score."""

    id: str
    task: str
    groups: dict[str, str]
    scored: Scored
    missing: bool = False


@dataclass
class EvalReport:
    """What `evaluate` found: the per-sample `records`, samples that could not be judged (`unjudged`, no gold),
    samples without a prediction (`missing`, scored or skipped per the options) and prediction ids that match
    no sample (`unknown`)."""

    data: Path
    predictions: Path
    options: EvalOptions
    records: list[Record] = field(default_factory=list)
    unjudged: int = 0
    missing: int = 0
    unknown: int = 0

    def summary(self) -> dict[str, Any]:
        """`{"tasks": {task: stats}, "by": {field: {value: {task: stats}}}, "counts": {...}}` where stats are
        `n`, `parse_failures`, `parse_failure_rate` and `metrics` (name -> mean in [0, 1])."""
        out: dict[str, Any] = {"tasks": aggregate(self.records), "by": {}}
        for key in self.options.by:
            values = sorted({r.groups[key] for r in self.records})
            out["by"][key] = {v: aggregate([r for r in self.records if r.groups[key] == v]) for v in values}
        out["counts"] = {"samples": len(self.records), "unjudged": self.unjudged, "missing_predictions": self.missing,
                         "unknown_predictions": self.unknown, "missing_policy": self.options.missing}
        out["data"], out["predictions"] = str(self.data), str(self.predictions)
        return out


def aggregate(records: Iterable[Record]) -> dict[str, dict[str, Any]]:
    """Per task: `n`, `parse_failures`, `parse_failure_rate` and each metric of `TASK_METRICS` as a mean."""
    by_task: dict[str, list[Record]] = {}
    for r in records:
        by_task.setdefault(r.task, []).append(r)
    out = {}
    for task in sorted(by_task, key=lambda t: TASKS.index(t) if t in TASKS else len(TASKS)):
        rs = by_task[task]
        failures = sum(r.scored.parse_failed for r in rs)
        metrics = {m: sum(r.scored.values.get(m, 0.0) for r in rs) / len(rs) for m in TASK_METRICS[task]}
        out[task] = {"n": len(rs), "parse_failures": failures, "parse_failure_rate": failures / len(rs),
                     "metrics": metrics}
    return out


def group_value(row: Mapping[str, Any], key: str, meta: Mapping[str, Any]) -> str:
    """The value of `key` for a row: its column when the schema has one, else its `meta` JSON key; `(none)`."""
    value = row[key] if key in row and key != "meta" else meta.get(key)
    return "(none)" if value is None or value == "" else str(value)


def evaluate(data: str | Path, predictions: str | Path, options: EvalOptions | None = None) -> EvalReport:
    """Score `predictions` (JSONL `{id, response}`) against the built dataset `data`; see `EvalReport`."""
    from vdata.shards import iter_rows
    from vdata.shards.reader import keyframe_sizes

    options = options or EvalOptions()
    # -- read -------------------------------------------------------------------------------------------------
    preds = load_predictions(predictions)
    report = EvalReport(Path(data), Path(predictions), options)
    resized = options.coord_space == "resized"
    sizes = keyframe_sizes(data, tasks=_BOX_TASKS, split=options.split) if resized else {}
    seen: set[str] = set()
    # -- score ------------------------------------------------------------------------------------------------
    for row in iter_rows(data, columns=SAMPLE_COLUMNS, split=options.split, batch_rows=1024):
        seen.add(row["id"])
        response = preds.get(row["id"])
        if response is None:
            report.missing += 1
            if options.missing == "skip":
                continue
        if row["id"] in sizes:
            row["frame_width"], row["frame_height"] = sizes[row["id"]]
        scored = score(response or "", row, options.coord_space)
        if scored is None:
            report.unjudged += 1
            continue
        meta = parse_meta(row.get("meta"))
        groups = {key: group_value(row, key, meta) for key in options.by}
        report.records.append(Record(row["id"], row["task"], groups, scored, response is None))
    report.unknown = len(set(preds) - seen)
    if report.unknown:
        log.warning("%d prediction ids match no sample of %s", report.unknown, data)
    return report


def table_rows(summary: Mapping[str, Any]) -> list[list[Any]]:
    """Rows `[task, group, n, parse failures %, metrics]` for the CLI table, metrics in percent."""
    rows = [_row(task, "all", stats) for task, stats in summary["tasks"].items()]
    for key, groups in summary["by"].items():
        for value, tasks in groups.items():
            rows.extend(_row(task, f"{key}={value}", stats) for task, stats in tasks.items())
    return rows


def _row(task: str, group: str, stats: Mapping[str, Any]) -> list[Any]:
    metrics = "  ".join(f"{name} {100 * v:.1f}" for name, v in stats["metrics"].items())
    return [task, group, stats["n"], f"{100 * stats['parse_failure_rate']:.1f}", metrics]


TABLE_COLUMNS: Sequence[str] = ("task", "group", "n", "parse fail %", "metrics (%)")
