"""Test-time selection among N candidates: `majority` (self-consistency) and `best` (best-of-N with verifiers).

A candidate's answer is read by its task's parser (`vdata.tasks`, `parse_answer`) and two answers are compared
by the task's `similarity` in [0, 1]: equality for options and numbers, IoU for spans and boxes, ROUGE-L for text.
Majority vote is then the candidate that agrees most with the others (for options and numbers, the most voted
answer; for spans and boxes, the medoid), so one rule covers discrete and continuous answers.

    @register("my-strategy")
    @dataclass(frozen=True)
    class MyStrategy(Strategy):
        '''What it picks, from what.'''
        def select(self, texts, sample): ...
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from vdata import rewards, tasks
from vdata.errors import ConfigError
from vdata.registry import Registry
from vdata.rewards.accuracy import Accuracy
from vdata.rewards.base import reward_class
from vdata.tasks import ParseError, extract_answer

#: Sample fields that hold the ground truth (every task's `gold_fields`, and `cot`): a best-of-N verifier may
#: read none of them.
GOLD_FIELDS = tuple(sorted({f for name in tasks.names() for f in tasks.get(name).gold_fields} | {"cot"}))
#: Verifiers computed here rather than by a reward: `agreement` (mean similarity to the other candidates) and
#: `parses` (1 when the answer parses for the task).
BUILTIN_VERIFIERS = ("agreement", "parses")


def parse_answer(text: str, sample: Mapping[str, Any]) -> Any:
    """The parsed answer of one completion for voting (the sample's task's `parse`), or None when it does not
    parse. Reads the last `<answer>` block, else the whole text.

    >>> parse_answer("<answer>(b)</answer>", {"task": "multiple_choice", "options": ["x", "y"]})
    1
    """
    answer = extract_answer(text, fallback=True) or ""
    try:
        return _task(sample).parse(answer, sample)
    except ParseError:
        return None


def _task(sample: Mapping[str, Any]) -> tasks.Task:
    return tasks.get(str(sample.get("task")))


def similarity(a: Any, b: Any, task: str) -> float:
    """How much two parsed answers agree, in [0, 1] (the task's `similarity`); 0 when either is None.

    >>> similarity((10.0, 20.0), (15.0, 25.0), "temporal_grounding")
    0.3333333333333333
    """
    if a is None or b is None:
        return 0.0
    return tasks.get(task).similarity(a, b)


def support(answers: Sequence[Any], task: str) -> list[float]:
    """For each candidate, its mean similarity to the other candidates (1.0 alone, 0.0 when it does not parse)."""
    n = len(answers)
    if n == 1:
        return [1.0 if answers[0] is not None else 0.0]
    return [sum(similarity(a, b, task) for j, b in enumerate(answers) if j != i) / (n - 1)
            for i, a in enumerate(answers)]


def votes(answers: Sequence[Any], task: str) -> dict[str, int] | None:
    """Counts per normalised answer for discrete tasks (`B`, `3`, `(unparsed)`); None for other tasks."""
    declared = tasks.get(task)
    if not declared.discrete:
        return None
    keys = ["(unparsed)" if a is None else declared.vote_key(a) for a in answers]
    return dict(Counter(keys).most_common())


@dataclass(frozen=True)
class Selection:
    """The pick among candidates: `index`, `agreement` (mean similarity of the pick to the others, in [0, 1]),
    `votes` per normalised answer (discrete tasks) and `scores` (each candidate's verifier score, `best`)."""

    index: int
    agreement: float
    votes: dict[str, int] | None = None
    scores: list[float] | None = None


@dataclass(frozen=True)
class Strategy:
    """Base of the selection strategies: options are fields, `select(texts, sample)` picks one text."""

    name: ClassVar[str] = ""

    def select(self, texts: Sequence[str], sample: Mapping[str, Any]) -> Selection:
        raise NotImplementedError


_STRATEGIES: Registry[type[Strategy]] = Registry("selection strategy")
#: Class decorator: make a strategy available as `--select name`.
register = _STRATEGIES.register
strategy_names = _STRATEGIES.names


def get_strategy(name: str, **options: Any) -> Strategy:
    """The strategy `name` built with `options`; unknown names raise `ConfigError` listing the known ones."""
    return _STRATEGIES.get(name)(**options)


def _best(values: Sequence[float], answers: Sequence[Any]) -> int:
    """The index of the highest value; ties go to a parsed answer, then to the earlier candidate."""
    return max(range(len(values)), key=lambda i: (values[i], answers[i] is not None, -i))


@register("majority")
@dataclass(frozen=True)
class Majority(Strategy):
    """Self-consistency: the candidate whose parsed answer agrees most with the others (`support`); for options
    and numbers that is the most voted answer, for spans and boxes the medoid by IoU, for text by ROUGE-L. Ties
    go to the earlier candidate; when no candidate parses, the first one is returned with agreement 0.

    >>> Majority().select(["<answer>A</answer>", "<answer>B</answer>", "<answer>(b)</answer>"],
    ...                   {"task": "multiple_choice", "options": ["x", "y"]})
    Selection(index=1, agreement=0.5, votes={'B': 2, 'A': 1}, scores=None)
    """

    def select(self, texts: Sequence[str], sample: Mapping[str, Any]) -> Selection:
        task = str(sample.get("task"))
        answers = [parse_answer(t, sample) for t in texts]
        sup = support(answers, task)
        i = _best(sup, answers)
        return Selection(i, sup[i], votes(answers, task))


@register("best")
@dataclass(frozen=True)
class BestOfN(Strategy):
    """Best-of-N: the candidate with the highest weighted mean of `verifiers` ((name, weight), ...), ties to the
    earlier one. A verifier is a reward that reads no gold field (`format`, `repetition`, ...), `agreement` or
    `parses` (`BUILTIN_VERIFIERS`). Rewards are called with the gold fields removed from the sample; a None
    counts as 0. A reward that reads gold fails at start-up.
    """

    verifiers: tuple[tuple[str, float], ...] = (("format", 1.0),)
    _rewards: dict[str, rewards.Reward] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.verifiers:
            raise ConfigError("--verifier must name at least one verifier, e.g. format,agreement")
        for name, _ in self.verifiers:
            if name in BUILTIN_VERIFIERS:
                continue
            cls = reward_class(name)
            gold = sorted(set(cls.fields) & set(GOLD_FIELDS)) or (["answer"] if issubclass(cls, Accuracy) else [])
            if gold:
                raise ConfigError(f"--verifier {name}: it reads the ground truth ({', '.join(gold)}); best-of-N "
                                  f"verifiers must not. Use one of: format, repetition, "
                                  f"{', '.join(BUILTIN_VERIFIERS)}, ...")
            self._rewards[name] = rewards.get(name)

    def select(self, texts: Sequence[str], sample: Mapping[str, Any]) -> Selection:
        task = str(sample.get("task"))
        answers = [parse_answer(t, sample) for t in texts]
        sup = support(answers, task)
        blind = {**sample, **dict.fromkeys(GOLD_FIELDS)}
        total = sum(w for _, w in self.verifiers)
        scores = []
        for i, text in enumerate(texts):
            value = 0.0
            for name, w in self.verifiers:
                if name == "agreement":
                    v: float | None = sup[i]
                elif name == "parses":
                    v = float(answers[i] is not None)
                else:
                    v = self._rewards[name](text, blind)
                value += w * (v or 0.0)
            scores.append(round(value / total, 6))
        i = _best(scores, answers)
        return Selection(i, sup[i], votes(answers, task), scores)
