"""The task protocol and its registry: each task kind of the schema is declared once, in one file.

A task states the rules every stage shares for its samples:

- `gold_fields`: the sample fields that hold its ground truth (a gold-free verifier may read none of them);
- `parse(answer, sample)`: what the text inside `<answer>` becomes (an option index, a number, a span...),
  or `ParseError`; `similarity(a, b)` compares two parsed answers in [0, 1] for voting, and `vote_key` names a
  discrete answer (`B`, `3`) for vote counts;
- `target(sample)`: the text that goes inside `<answer>` when training on the gold (SFT); the task's default
  reward scores it 1.0;
- `reward`: the reward `accuracy` uses for the task (a name in `vdata.rewards`);
- `question_answering`: whether the Hub lists it as visual question answering;
- `metrics`, `headline`, `curves` and `score(answer, sample, coord_space)`: the benchmark metrics `vdata eval`
  reports, per sample.

    @register("my_task")
    class MyTask(Task):
        '''What a sample asks, which fields hold the gold, how answers are read.'''
        gold_fields = ("answer",)
        reward = "free_form"
        metrics = ("ROUGE-L",)
        def parse(self, answer, sample): ...
        def target(self, sample): ...
        def score(self, answer, sample, coord_space="pixels"): ...
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from vdata.registry import Registry


@dataclass(frozen=True)
class Scored:
    """One judged sample: per-sample metric `values` (keys of the task's `metrics`, each in [0, 1]), whether the
    answer could not be parsed for the task (`parse_failed`; its values are then 0) and the parser's `error`."""

    values: dict[str, float] = field(default_factory=dict)
    parse_failed: bool = False
    error: str | None = None


class Task:
    """Base of every task kind; subclasses set the class attributes and implement the methods (see module)."""

    name: ClassVar[str] = ""
    gold_fields: ClassVar[tuple[str, ...]] = ("answer",)
    reward: ClassVar[str] = ""
    metrics: ClassVar[tuple[str, ...]] = ()
    headline: ClassVar[str] = ""
    curves: ClassVar[tuple[str, ...]] = ()
    #: Discrete answers (options, numbers) are counted per `vote_key`; others are compared by `similarity`.
    discrete: ClassVar[bool] = False
    #: A question with an answer (the Hub's `visual-question-answering` category), not a caption or a location.
    question_answering: ClassVar[bool] = False

    def parse(self, answer: str, sample: Mapping[str, Any]) -> Any:
        """What the `<answer>` text becomes for this task; raises `ParseError` when it holds no such answer."""
        raise NotImplementedError

    def target(self, sample: Mapping[str, Any]) -> str | None:
        """The `<answer>` text of the gold (what SFT learns); None when the sample has no gold."""
        raise NotImplementedError

    def score(self, answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
        """The per-sample values of `metrics` for `answer`; None when the sample cannot be judged (no gold)."""
        raise NotImplementedError

    def similarity(self, a: Any, b: Any) -> float:
        """How much two parsed answers agree, in [0, 1] (equality for discrete tasks)."""
        return 1.0 if a == b else 0.0

    def vote_key(self, parsed: Any) -> str:
        """The name of a parsed discrete answer in vote counts."""
        return str(parsed)

    def headline_metric(self) -> str:
        """The one metric drawn in summary charts: `headline`, else the first of `metrics`."""
        return self.headline or self.metrics[0]


_TASKS: Registry[type[Task]] = Registry("task")
#: Class decorator: declare a task kind under `name` (a value of the schema's `task` column).
register = _TASKS.register
#: Every declared task name, sorted.
names = _TASKS.names


@functools.cache
def get(name: str) -> Task:
    """The task declared as `name`; an unknown name raises `ConfigError` listing the known ones."""
    return _TASKS.get(name)()


def gold_answer(sample: Mapping[str, Any]) -> str | None:
    """The sample's `answer` as a stripped string, or None when missing or empty.

    >>> gold_answer({"answer": " B "}), gold_answer({"answer": ""})
    ('B', None)
    """
    gold = sample.get("answer")
    if gold is None:
        return None
    gold = str(gold).strip()
    return gold or None
