"""Per-sample scoring: one response against one schema-v1 sample, by the sample's task (`vdata.tasks`).

Every aggregated metric is the mean over samples of one per-sample value, so a breakdown by any field is a
plain regrouping. Responses are read eval style: the last `<answer>` block, else the whole text.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from vdata import tasks
from vdata.tasks import Scored
from vdata.tasks.benchmarks import Benchmark
from vdata.tasks.boxes import COORD_SPACES

#: The metrics reported for each task, in display order (each is the mean of the per-sample value of that name).
TASK_METRICS: dict[str, tuple[str, ...]] = {name: tasks.get(name).metrics for name in tasks.names()}
#: The one metric per task drawn in the bar chart.
HEADLINE: dict[str, str] = {name: tasks.get(name).headline_metric() for name in tasks.names()}
#: Per-sample values whose distribution is drawn as a recall-at-threshold curve, per task.
CURVES: dict[str, tuple[str, ...]] = {name: tasks.get(name).curves for name in tasks.names() if tasks.get(name).curves}


def score(response: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
    """The per-sample values of `response` for `sample`'s task; None when the sample cannot be judged (unknown
    task, missing gold). Never raises on the response.

    >>> score("<answer>B</answer>", {"task": "multiple_choice", "answer": "B", "options": ["x", "y"]})
    Scored(values={'accuracy': 1.0}, parse_failed=False, error=None)
    """
    name = sample.get("task")
    if name not in TASK_METRICS:
        return None
    answer = tasks.extract_answer(response if isinstance(response, str) else "", fallback=True) or ""
    return tasks.get(str(name)).score(answer, sample, coord_space)


@functools.cache
def benchmark_of(source: str | None) -> Benchmark | None:
    """The official table of the builder named `source` (its `benchmark` attribute), or None for a corpus that
    is not an evaluation benchmark.

    >>> benchmark_of("videomme").categories[:4], benchmark_of("nextqa")
    (('duration', 'domain', 'sub_category', 'task_type'), None)
    """
    from vdata import builders

    if source is None or source not in builders.names():
        return None
    return getattr(builders.get(source), "benchmark", None)


def official_score(response: str, sample: Mapping[str, Any], meta: Mapping[str, Any]) -> float | None:
    """The sample's value by its benchmark's official rule (`vdata.tasks.benchmarks`), on the answer read as
    `score` reads it; None when the rule does not count it, or the sample's source is no benchmark.

    >>> official_score("<answer>The answer is C</answer>", {"source": "videomme", "answer": "C",
    ...                                                     "options": ["a", "b", "c", "d"]}, {})
    1.0
    """
    bench = benchmark_of(sample.get("source"))
    if bench is None:
        return None
    answer = tasks.extract_answer(response if isinstance(response, str) else "", fallback=True) or ""
    return bench.judge(answer, sample, meta)


__all__ = ["COORD_SPACES", "CURVES", "HEADLINE", "TASK_METRICS", "Scored", "benchmark_of", "official_score", "score"]
