"""Shaping rewards on any completion: `length` (soft overlong penalty) and `repetition` (n-gram penalty)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import Explanation, Reward, check_choice, not_applicable, register


@register("length")
@dataclass(frozen=True)
class Length(Reward):
    """DAPO's soft overlong penalty: 0 up to `max_length - buffer`, then falling linearly to -1 at `max_length`,
    and -1 beyond (clamped).

    `unit` is `tokens` (read from the sample's `completion_tokens`, which the trainer adapters fill from the
    completion ids), `words` (whitespace-separated) or `chars`. Range [-1, 0]; None in `tokens` mode when
    `completion_tokens` is missing.

    >>> Length(unit="chars", max_length=10, buffer=5)("x" * 8, {})
    -0.6
    """

    value_range = (-1.0, 0.0)
    fields = ("completion_tokens",)
    max_length: int = 4096
    buffer: int = 1024
    unit: str = "tokens"

    def __post_init__(self) -> None:
        check_choice("length", "unit", self.unit, ("tokens", "words", "chars"))
        if not 0 < self.buffer <= self.max_length:
            raise ValueError(
                f"length: need 0 < buffer <= max_length, got buffer={self.buffer}, max_length={self.max_length}"
            )

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        if self.unit == "tokens":
            n = sample.get("completion_tokens")
            if not isinstance(n, int) or isinstance(n, bool):
                return not_applicable("sample has no completion_tokens (the trainer adapters fill it)")
        elif self.unit == "words":
            n = len(completion.split())
        else:
            n = len(completion)
        start = self.max_length - self.buffer
        value = max(-1.0, min(0.0, (start - n) / self.buffer))
        return Explanation(value, {"length": float(n)})


@register("repetition")
@dataclass(frozen=True)
class Repetition(Reward):
    """N-gram repetition penalty (Yeo et al. 2025, open-r1): `max_penalty * (1 - distinct / total)` over
    lower-cased whitespace-word n-grams of size `ngram_size`; 0 for text shorter than one n-gram.

    Range [max_penalty, 0] (values are <= 0); reads no sample field; applies to every task.

    >>> Repetition(ngram_size=2)("a b a b a b", {})
    -0.6
    """

    value_range = (-1.0, 0.0)
    ngram_size: int = 3
    max_penalty: float = -1.0

    def __post_init__(self) -> None:
        if self.ngram_size < 1:
            raise ValueError(f"repetition: ngram_size must be >= 1, got {self.ngram_size}")
        if not -1.0 <= self.max_penalty <= 0:
            raise ValueError(f"repetition: max_penalty must be in [-1, 0], got {self.max_penalty}")

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        words = completion.lower().split()
        n = self.ngram_size
        total = len(words) - n + 1
        if total <= 0:
            return Explanation(0.0, {"repeated": 0.0})
        distinct = len(set(zip(*(words[i:] for i in range(n)), strict=False)))
        repeated = 1.0 - distinct / total
        return Explanation(repeated * self.max_penalty + 0.0, {"repeated": repeated})
