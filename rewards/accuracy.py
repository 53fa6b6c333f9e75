"""`accuracy`: the task reward each sample's own `task` calls for."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from vdata import tasks
from vdata.rewards.base import Explanation, Reward, get, not_applicable, register


def default_by_task() -> dict[str, str]:
    """The reward `accuracy` uses for each task: the task's own `reward` (`vdata.tasks`)."""
    return {name: tasks.get(name).reward for name in tasks.names()}


@functools.lru_cache(maxsize=64)
def _table(names: tuple[str, ...], by_task: tuple[tuple[str, str], ...]) -> Mapping[str, str]:
    """`Accuracy.table()` for the registered tasks `names` and the overrides `by_task` (read-only). Cached: a
    task's reward is part of its class, fixed once registered (a name is registered once), so the names say what
    the table holds; `accuracy` looks it up for every completion."""
    del names  # the cache key: a task registered later makes a new table
    return MappingProxyType({**default_by_task(), **dict(by_task)})


@register("accuracy")
@dataclass(frozen=True)
class Accuracy(Reward):
    """Dispatches per sample on `task` (never on the first sample of a batch) to the task's reward (the
    `reward` its `vdata.tasks` declaration names).

    `by_task` overrides the mapping for some tasks (`{"free_form": "free_form"}` style, reward names);
    `fallback` and `coord_space` are passed to the rewards that take them. Reads `task` and the fields of the
    chosen reward. Range [0, 1]; None for a task with no reward or when that reward returns None.

    >>> Accuracy()("<answer>(B)</answer>", {"task": "multiple_choice", "answer": "B", "options": ["x", "y"]})
    1.0
    """

    fields = ("task",)
    by_task: tuple[tuple[str, str], ...] = field(default=())
    fallback: bool = False
    coord_space: str = "pixels"

    def __post_init__(self) -> None:
        pairs = (
            tuple(sorted(dict(self.by_task).items())) if not isinstance(self.by_task, tuple) else self.by_task
        )
        object.__setattr__(self, "by_task", tuple(tuple(p) for p in pairs))
        for name in self.table().values():
            get(name)  # unknown names fail now, with the list of known ones

    def table(self) -> dict[str, str]:
        """The reward name for each task: the tasks' own (`default_by_task`) with `by_task`'s overrides."""
        return dict(self._lookup())

    def _lookup(self) -> Mapping[str, str]:
        return _table(tuple(tasks.names()), self.by_task)

    def delegate(self, task: str) -> Reward | None:
        name = self._lookup().get(task)
        if name is None:
            return None
        return _build(name, self.fallback, self.coord_space)

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        task = sample.get("task")
        reward = self.delegate(task) if isinstance(task, str) else None
        if reward is None:
            return not_applicable(f"no accuracy reward for task {task!r}; tasks: {', '.join(self._lookup())}")
        result = reward.judge(completion, sample)  # the override decides the task, not the delegate's `tasks`
        return Explanation(
            result.value, {reward.name: result.value or 0.0, **result.components}, result.parsed, result.error
        )


_CACHE: dict[tuple[str, bool, str], Reward] = {}


def _build(name: str, fallback: bool, coord_space: str) -> Reward:
    key = (name, fallback, coord_space)
    reward = _CACHE.get(key)
    if reward is None:
        from dataclasses import fields as dc_fields

        known = {f.name for f in dc_fields(get(name))}
        options: dict[str, Any] = {}
        if "fallback" in known:
            options["fallback"] = fallback
        if "coord_space" in known:
            options["coord_space"] = coord_space
        reward = _CACHE[key] = get(name, **options)
    return reward
