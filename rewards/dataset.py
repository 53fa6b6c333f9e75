"""Scoring a predictions file against a built dataset (`vdata rewards score`).

Predictions are read by `vdata.predictions.read_predictions` (the reader `vdata eval` uses: `id` and the text
under `response`, `completion`, `prediction`, `output` or `text`; a repeated id is an error naming both lines).
Samples are read with `vdata.shards`: the label columns rewards read, never the frame bytes; for
`coord_space="resized"` the stored keyframe size comes from the first frame's JPEG header
(`vdata.shards.reader.keyframe_sizes`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vdata.errors import ConfigError
from vdata.predictions import read_predictions

if TYPE_CHECKING:
    from vdata.rewards import Reward

logger = logging.getLogger(__name__)

#: The label columns the rewards read (`accuracy` reads those of whichever task reward it dispatches to).
_LABEL_COLUMNS = (
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


def read_samples(data_dir: Path, ids: list[str], reward: Reward) -> dict[str, dict[str, Any]]:
    """The samples with these ids: the label columns plus any other column `reward` reads, no frame bytes (the
    stored keyframe size as `frame_width`/`frame_height` when `reward` has `coord_space="resized"`)."""
    from vdata.schemas import COLUMNS
    from vdata.shards import iter_rows, shard_paths
    from vdata.shards.reader import keyframe_sizes

    if not shard_paths(data_dir):
        raise ConfigError(f"{data_dir}/data has no .parquet files; is {data_dir} a built vdata dataset?")
    wanted = set(ids)
    columns = ["id", *(c for c in COLUMNS if c != "frames" and (c in _LABEL_COLUMNS or c in reward.fields))]
    out = {row["id"]: row for row in iter_rows(data_dir, columns=columns, batch_rows=1024) if row["id"] in wanted}
    if getattr(reward, "coord_space", None) == "resized":
        for sample_id, (width, height) in keyframe_sizes(data_dir, ids=list(out)).items():
            out[sample_id]["frame_width"], out[sample_id]["frame_height"] = width, height
    return out


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
