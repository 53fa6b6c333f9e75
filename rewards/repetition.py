"""`repetition`: a shaping reward on any completion, the n-gram repetition penalty."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import Explanation, Reward, register


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
