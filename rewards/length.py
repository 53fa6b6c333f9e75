"""`length`: a shaping reward on any completion, the soft overlong penalty."""

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
