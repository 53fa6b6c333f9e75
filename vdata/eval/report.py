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
from vdata.eval.score import COORD_SPACES, TASK_METRICS, Scored, benchmark_of, official_score, score
from vdata.predictions import read_predictions as load_predictions  # `vdata.eval.load_predictions`
from vdata.schemas import TASKS, parse_meta

log = logging.getLogger(__name__)

#: Columns read from the dataset: the labels and what the parsers need, never the frame bytes.
SAMPLE_COLUMNS = (
    "id", "source", "split", "video_id", "task", "question", "answer", "options", "spans", "boxes", "duration_s",
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
    """One evaluated sample: its id, task, group values (one per `by` field), and its score. A sample of an
    evaluation benchmark also has its `benchmark` (the source name), its `official` value by the benchmark's
    own rule (None = the script does not count it) and the values of the benchmark's `categories`."""

    id: str
    task: str
    groups: dict[str, str]
    scored: Scored
    missing: bool = False
    benchmark: str | None = None
    official: float | None = None
    categories: dict[str, str] = field(default_factory=dict)


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
        """`{"tasks": {task: stats}, "by": {field: {value: {task: stats}}}, "benchmarks": {name: table},
        "counts": {...}}` where stats are `n`, `parse_failures`, `parse_failure_rate` and `metrics` (name -> mean
        in [0, 1]), and each benchmark's table is `benchmark_table`'s."""
        out: dict[str, Any] = {"tasks": aggregate(self.records), "by": {}, "benchmarks": {}}
        for name in sorted({r.benchmark for r in self.records if r.benchmark}):
            out["benchmarks"][name] = benchmark_table(name, [r for r in self.records if r.benchmark == name])
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


def benchmark_table(name: str, records: Sequence[Record]) -> dict[str, Any]:
    """A benchmark's own table from its records: `metric`, `n` (questions counted), `not_counted`, `overall`
    (micro, or the benchmark's `combine` of the means per value of its `overall_by` key) and `categories`
    (key -> value -> `{"n", "value"}`, means in [0, 1]).

    >>> r = [Record(str(i), "multiple_choice", {}, Scored(), benchmark="videomme", official=v,
    ...             categories={"duration": d}) for i, (v, d) in enumerate([(1.0, "long"), (0.0, "long"), (1.0, "short")])]
    >>> t = benchmark_table("videomme", r)
    >>> round(t["overall"], 3), t["categories"]["duration"]["long"]
    (0.667, {'n': 2, 'value': 0.5})
    """
    bench = benchmark_of(name)
    counted = [r for r in records if r.official is not None]
    table: dict[str, Any] = {"metric": bench.metric if bench else "accuracy", "n": len(counted),
                             "not_counted": len(records) - len(counted), "overall": _mean(counted),
                             "categories": {}}
    for key in bench.categories if bench else ():
        table["categories"][key] = {v: {"n": len(rs), "value": _mean(rs)} for v, rs in _groups(counted, key).items()}
    if bench and bench.overall_by:
        table["overall"] = bench.combine({v: _mean(rs) for v, rs in _groups(counted, bench.overall_by).items()})
    return table


def _groups(records: Sequence[Record], key: str) -> dict[str, list[Record]]:
    """Records by their value of the category `key`, values sorted."""
    groups: dict[str, list[Record]] = {}
    for r in records:
        groups.setdefault(r.categories.get(key, "(none)"), []).append(r)
    return dict(sorted(groups.items()))


def _mean(records: Sequence[Record]) -> float:
    """Mean of the records' `official` values; 0.0 when there are none."""
    return sum(r.official or 0.0 for r in records) / len(records) if records else 0.0


def group_value(row: Mapping[str, Any], key: str, meta: Mapping[str, Any]) -> str:
    """The value of `key` for a row: its column when the schema has one, else its `meta` JSON key; `(none)`.
    `"a/b"` crosses two keys (`short/OCR Problems`)."""
    if "/" in key and key not in row:
        return "/".join(group_value(row, part, meta) for part in key.split("/"))
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
        bench = benchmark_of(row.get("source"))
        official, categories = None, {}
        if bench is not None:
            official = official_score(response or "", row, meta)
            keys = (*bench.categories, bench.overall_by) if bench.overall_by else bench.categories
            categories = {key: group_value(row, key, meta) for key in keys}
        report.records.append(Record(row["id"], row["task"], groups, scored, response is None,
                                     row["source"] if bench else None, official, categories))
    report.unknown = len(set(preds) - seen)
    if report.unknown:
        log.warning("%d prediction ids match no sample of %s", report.unknown, data)
    return report


def table_rows(summary: Mapping[str, Any]) -> list[list[Any]]:
    """Rows `[task, group, n, parse failures %, metrics]` for the CLI table, metrics in percent; then each
    benchmark's own table (`<name> (official)`: overall, then each category; the fourth column is the share of
    questions the script does not count)."""
    rows = [_row(task, "all", stats) for task, stats in summary["tasks"].items()]
    for key, groups in summary["by"].items():
        for value, tasks in groups.items():
            rows.extend(_row(task, f"{key}={value}", stats) for task, stats in tasks.items())
    for name, table in summary.get("benchmarks", {}).items():
        label, metric = f"{name} (official)", table["metric"]
        total = table["n"] + table["not_counted"]
        rows.append([label, "overall", table["n"], f"{100 * table['not_counted'] / total if total else 0.0:.1f}",
                     f"{metric} {100 * table['overall']:.1f}"])
        for key, values in table["categories"].items():
            rows.extend([label, f"{key}={v}", c["n"], "", f"{metric} {100 * c['value']:.1f}"] for v, c in values.items())
    return rows


def _row(task: str, group: str, stats: Mapping[str, Any]) -> list[Any]:
    metrics = "  ".join(f"{name} {100 * v:.1f}" for name, v in stats["metrics"].items())
    return [task, group, stats["n"], f"{100 * stats['parse_failure_rate']:.1f}", metrics]


TABLE_COLUMNS: Sequence[str] = ("task", "group", "n", "parse fail %", "metrics (%)")
