"""The reward protocol and its registry.

A reward is a frozen dataclass (its options are its fields) registered by name. Calling it scores one completion
against one sample: `reward(completion, sample) -> float | None`, where 0.0 means the model's answer is wrong or
unparseable and None means this reward cannot judge the sample (wrong task, missing gold). `judge()` returns the
same value with its components, the parsed answer and the reason for a 0 or a None.

    @register("my_reward")
    @dataclass(frozen=True)
    class MyReward(Reward):
        '''Contract: what earns reward, range, fields read, parsing rules.'''
        tasks = ("free_form",)
        fields = ("answer",)
        def judge(self, completion, sample): ...
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from vdata.errors import ConfigError
from vdata.registry import Registry

logger = logging.getLogger(__name__)

#: Completions longer than this are judged on their last `MAX_COMPLETION_CHARS` characters (the answer is last),
#: except by rewards with `keeps_whole_text` (the paper presets, which judge what the paper's code judges).
MAX_COMPLETION_CHARS = 200_000


@dataclass(frozen=True)
class Explanation:
    """What a reward saw: `value` (None = not applicable), named `components`, the `parsed` answer, `error`.

    `error` says why the value is 0 or None (unparseable answer, missing gold, wrong task); it is None otherwise.
    """

    value: float | None
    components: dict[str, float] = field(default_factory=dict)
    parsed: Any = None
    error: str | None = None


def zero(error: str, parsed: Any = None, **components: float) -> Explanation:
    """A 0.0 verdict: the model's answer is wrong or cannot be parsed, for the reason `error`."""
    return Explanation(0.0, dict(components), parsed, error)


def not_applicable(error: str) -> Explanation:
    """A None verdict: this reward cannot judge the sample (wrong task, missing gold field)."""
    return Explanation(None, {}, None, error)


@dataclass(frozen=True)
class Reward:
    """Base of every reward: options are dataclass fields, validated in `__post_init__`.

    Class attributes describe the reward for `vdata rewards list`: `tasks` (the tasks it judges; empty = any),
    `value_range` (inclusive bounds of a non-None value) and `fields` (the sample fields it reads).
    Subclasses implement `judge`; it must never raise on any completion string.
    """

    name: ClassVar[str] = ""
    tasks: ClassVar[tuple[str, ...]] = ()
    value_range: ClassVar[tuple[float, float]] = (0.0, 1.0)
    fields: ClassVar[tuple[str, ...]] = ()
    #: False: completions over `MAX_COMPLETION_CHARS` are cut to their tail. True: judged whole (the reward's
    #: time must then be linear in the text's length).
    keeps_whole_text: ClassVar[bool] = False

    @property
    def __name__(self) -> str:  # TRL and verl log rewards by `__name__`
        return self.name

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        raise NotImplementedError

    def applies_to(self, sample: Mapping[str, Any]) -> bool:
        """Whether the sample's task is one this reward judges (always true when `tasks` is empty)."""
        return not self.tasks or sample.get("task") in self.tasks

    def __call__(self, completion: str, sample: Mapping[str, Any]) -> float | None:
        return self.explain(completion, sample).value

    def explain(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        """`judge` after the shared guards: non-string completions, overlong input and the task check."""
        if not isinstance(completion, str):
            return zero(f"completion is {type(completion).__name__}, not str")
        if not isinstance(sample, Mapping):
            return not_applicable(f"sample is {type(sample).__name__}, not a mapping")
        if not self.applies_to(sample):
            return not_applicable(
                f"{self.name} judges tasks {list(self.tasks)}, sample task is {sample.get('task')!r}"
            )
        if len(completion) > MAX_COMPLETION_CHARS and not self.keeps_whole_text:
            completion = completion[-MAX_COMPLETION_CHARS:]
        return self.judge(completion, sample)


_REWARDS: Registry[type[Reward]] = Registry("reward")
#: Class decorator: make a reward available as `get(name)`. Names are lower-case; presets use `paper/name`.
register = _REWARDS.register
#: Every registered reward name, sorted.
names = _REWARDS.names
#: The class registered as a name; an unknown name raises `ConfigError` listing the known ones.
reward_class = _REWARDS.get


def get(name: str, **options: Any) -> Reward:
    """A picklable reward callable for `name`, built with `options` (its dataclass fields).

    Unknown names and unknown or invalid options raise `ConfigError`.
    """
    cls = reward_class(name)
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ConfigError(f"reward {name!r} has no option(s) {unknown}; options: {sorted(known) or 'none'}")
    try:
        return cls(**options)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"reward {name!r}: {e}") from None


def resolve(spec: str | Reward) -> Reward:
    """A reward from a name or an already built reward."""
    return spec if isinstance(spec, Reward) else get(spec)


def explain(name: str | Reward, completion: str, sample: Mapping[str, Any]) -> Explanation:
    """The value of reward `name` on one completion with its components, parsed answer and error message."""
    return resolve(name).explain(completion, sample)


def score(
    rewards: Sequence[str | Reward],
    completions: Sequence[str],
    samples: Sequence[Mapping[str, Any]],
    weights: Sequence[float] | None = None,
) -> list[float]:
    """Weighted sum of several rewards per completion; a None (not applicable) counts as 0.

    Each completion is judged against its own sample, never against the first of the batch.

    >>> score(["format", "accuracy"], ["<think>x</think><answer>B</answer>"],
    ...       [{"task": "multiple_choice", "answer": "B", "options": ["a", "b"]}])
    [2.0]
    """
    fns = [resolve(r) for r in rewards]
    ws = [1.0] * len(fns) if weights is None else [float(w) for w in weights]
    if len(ws) != len(fns):
        raise ConfigError(f"{len(ws)} weights for {len(fns)} rewards; give one weight per reward")
    if len(completions) != len(samples):
        raise ConfigError(f"{len(completions)} completions but {len(samples)} samples; they must pair up")
    return [weighted_sum([fn(c, s) for fn in fns], ws) for c, s in zip(completions, samples, strict=True)]


def weighted_sum(values: Sequence[float | None], weights: Sequence[float]) -> float:
    """`sum(w * v)` over one completion's reward values; a None (not applicable) counts as 0. The one way
    rewards are combined, in training, distillation's verifier and the trainer adapters.

    >>> weighted_sum([1.0, None, 0.5], [0.2, 0.4, 0.4])
    0.4
    """
    return sum(w * v for v, w in zip(values, weights, strict=True) if v is not None)


def check_positive(owner: str, **values: float) -> None:
    """Raise ValueError naming the option unless each value is > 0."""
    for key, v in values.items():
        if not v > 0:
            raise ValueError(f"{owner}: {key} must be > 0, got {v!r}")


def check_choice(owner: str, key: str, value: str, allowed: Sequence[str]) -> None:
    """Raise ValueError unless `value` is one of `allowed`."""
    if value not in allowed:
        raise ValueError(f"{owner}: {key} must be one of {list(allowed)}, got {value!r}")
