"""Group rewards: bonuses computed per group of completions for one prompt, never per batch.

A group reward takes per-completion values and a `group_ids` list (equal ids = same prompt) and returns one
bonus per completion. They are frozen dataclasses like the per-sample rewards, in their own registry
(`names()`, `get()`), because their signature differs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from vdata.errors import ConfigError
from vdata.registry import Registry

_GROUP_REWARDS: Registry[type] = Registry("group reward")
#: Class decorator: make a group reward available as `get(name)`.
register = _GROUP_REWARDS.register
#: Every group reward name, sorted.
names = _GROUP_REWARDS.names


def _groups(group_ids: Sequence[Hashable]) -> dict[Hashable, list[int]]:
    out: dict[Hashable, list[int]] = defaultdict(list)
    for i, g in enumerate(group_ids):
        out[g].append(i)
    return out


def _check_lengths(**lists: Sequence[Any]) -> None:
    sizes = {k: len(v) for k, v in lists.items()}
    if len(set(sizes.values())) > 1:
        raise ConfigError(f"lists must have equal lengths, got {sizes}")


@register("temporal_contrast")
@dataclass(frozen=True)
class TemporalContrast:
    """Video-R1's T-GRPO bonus. For each group, `p` is the mean accuracy of completions on ordered frames and
    `p~` on shuffled frames; when `p >= mu * p~`, each ordered completion with accuracy > `threshold` gets
    `alpha`, else nothing. Returns one bonus (0 or `alpha`) per ordered completion.

    Video-R1 uses alpha=0.3, mu=0.8, threshold=0.1 (its trainer compares batch means, one prompt per device).

    >>> TemporalContrast()([1.0, 0.0], [0.0, 0.0], ["q1", "q1"], ["q1", "q1"])
    [0.3, 0.0]
    """

    alpha: float = 0.3
    mu: float = 0.8
    threshold: float = 0.1
    name = "temporal_contrast"

    def __call__(
        self,
        accuracy: Sequence[float],
        shuffled_accuracy: Sequence[float],
        group_ids: Sequence[Hashable],
        shuffled_group_ids: Sequence[Hashable],
    ) -> list[float]:
        _check_lengths(accuracy=accuracy, group_ids=group_ids)
        _check_lengths(shuffled_accuracy=shuffled_accuracy, shuffled_group_ids=shuffled_group_ids)
        shuffled = _groups(shuffled_group_ids)
        bonus = [0.0] * len(accuracy)
        for g, idx in _groups(group_ids).items():
            p = sum(accuracy[i] for i in idx) / len(idx)
            s_idx = shuffled.get(g, [])
            p_shuffled = sum(shuffled_accuracy[i] for i in s_idx) / len(s_idx) if s_idx else 0.0
            if p >= self.mu * p_shuffled:
                for i in idx:
                    if accuracy[i] > self.threshold:
                        bonus[i] = self.alpha
        return bonus


@register("length_bonus")
@dataclass(frozen=True)
class LengthBonus:
    """Video-R1's length bonus: in a group where more than one completion is correct (accuracy > `threshold`),
    each correct completion whose length (tokens) is within `[low, high]` gets `bonus`.

    >>> LengthBonus()([1.0, 1.0, 0.0], [400, 100, 400], ["q", "q", "q"])
    [0.2, 0.0, 0.0]
    """

    low: int = 320
    high: int = 512
    bonus: float = 0.2
    threshold: float = 0.1
    name = "length_bonus"

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high:
            raise ValueError(f"length_bonus: need 0 <= low <= high, got low={self.low}, high={self.high}")

    def __call__(
        self, accuracy: Sequence[float], lengths: Sequence[int], group_ids: Sequence[Hashable]
    ) -> list[float]:
        _check_lengths(accuracy=accuracy, lengths=lengths, group_ids=group_ids)
        out = [0.0] * len(accuracy)
        for idx in _groups(group_ids).values():
            correct = [i for i in idx if accuracy[i] > self.threshold]
            if len(correct) > 1:
                for i in correct:
                    if self.low <= lengths[i] <= self.high:
                        out[i] = self.bonus
        return out


def get(name: str, **options: Any) -> Any:
    """The group reward `name` built with `options`; unknown names raise `ConfigError` listing the known ones."""
    cls = _GROUP_REWARDS.get(name)
    try:
        return cls(**options)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"group reward {name!r}: {e}") from None
