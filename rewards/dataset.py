"""Scoring a predictions file against a built dataset (`vdata rewards score`).

Samples are read with DuckDB straight from `DIR/data/*.parquet`, only the columns the reward reads (frame bytes
only for `coord_space="resized"`, and then just the first frame). Predictions are JSONL rows with `id` and the
completion under `completion` (or `prediction`, `response`, `output`, `text`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError
from vdata.rewards.accuracy import Accuracy
from vdata.rewards.base import Reward

logger = logging.getLogger(__name__)

_TEXT_KEYS = ("completion", "prediction", "response", "output", "text")
_ALL_FIELDS = (
    "task",
    "question",
    "options",
    "answer",
    "spans",
    "boxes",
    "duration_s",
    "width",
    "height",
    "frame_timestamps_s",
    "clip_start_s",
    "clip_end_s",
    "meta",
)


@dataclass
class ScoreReport:
    """Per-prediction `rows` (`id`, `task`, `score`, `error`) and per-task `summary` (count, judged, mean)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, dict[str, float]] = field(default_factory=dict)
    missing_ids: int = 0


def read_predictions(path: Path) -> dict[str, str]:
    """`id -> completion` from a JSONL file; a bad line raises `ConfigError` naming it."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as e:
                raise ConfigError(f"{path}:{n}: not JSON ({e})") from None
            key = next((k for k in _TEXT_KEYS if isinstance(row.get(k), str)), None)
            if not isinstance(row, dict) or "id" not in row or key is None:
                raise ConfigError(f"{path}:{n}: needs 'id' and one of {list(_TEXT_KEYS)}")
            out[str(row["id"])] = row[key]
    return out


def read_samples(data_dir: Path, ids: list[str], reward: Reward) -> dict[str, dict[str, Any]]:
    """The samples with these ids, only the columns `reward` reads."""
    import duckdb

    files = sorted((data_dir / "data").glob("*.parquet"))
    if not files:
        raise ConfigError(f"{data_dir}/data has no .parquet files; is {data_dir} a built vdata dataset?")
    wanted = set(_ALL_FIELDS if isinstance(reward, Accuracy) else ("task", *reward.fields))
    con = duckdb.connect()
    present = {
        r[0]
        for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [[str(f) for f in files]]).fetchall()
    }
    columns = sorted(wanted & present)
    select = ", ".join(["id", *(f'"{c}"' for c in columns)])
    if getattr(reward, "coord_space", None) == "resized" and "frames" in present:
        select += ", [frames[1]] AS frames"
    con.register("wanted_ids", _ids_table(ids))
    query = f"SELECT {select} FROM read_parquet(?) WHERE id IN (SELECT id FROM wanted_ids)"
    cursor = con.execute(query, [[str(f) for f in files]])
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _ids_table(ids: list[str]) -> Any:
    import pyarrow as pa

    return pa.table({"id": pa.array(ids, pa.string())})


def score_predictions(reward: Reward, predictions: Path, data_dir: Path) -> ScoreReport:
    """Score every prediction against its sample; ids absent from the dataset are counted and skipped."""
    preds = read_predictions(predictions)
    samples = read_samples(data_dir, list(preds), reward)
    report = ScoreReport()
    sums: dict[str, list[float]] = {}
    for sample_id, completion in preds.items():
        sample = samples.get(sample_id)
        if sample is None:
            report.missing_ids += 1
            continue
        result = reward.explain(completion, sample)
        task = str(sample.get("task"))
        report.rows.append({"id": sample_id, "task": task, "score": result.value, "error": result.error})
        acc = sums.setdefault(task, [0, 0, 0.0])
        acc[0] += 1
        if result.value is not None:
            acc[1] += 1
            acc[2] += result.value
    for task, (count, judged, total) in sorted(sums.items()):
        report.summary[task] = {
            "count": count,
            "judged": judged,
            "mean": total / judged if judged else float("nan"),
        }
    if report.missing_ids:
        logger.warning("%d prediction ids are not in %s", report.missing_ids, data_dir)
    return report
