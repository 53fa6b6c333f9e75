"""The loss-type registry and what every loss type is given: `LossType`, `StepSize`, `LOSS_TYPES`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vdata.errors import ConfigError
from vdata.registry import Registry

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class StepSize:
    """The optimizer step a micro-batch belongs to: `sequences` (completions), `tokens` (completion tokens) and
    `micro_batches` of the whole step on this process, and `max_completion_length` (tokens, Dr. GRPO's constant).

    >>> StepSize(sequences=8, tokens=40.0, micro_batches=2, max_completion_length=16).tokens
    40.0
    """

    sequences: int
    tokens: float
    micro_batches: int = 1
    max_completion_length: int = 1

    def __post_init__(self) -> None:
        if self.sequences < 1 or self.micro_batches < 1 or self.max_completion_length < 1:
            raise ConfigError(f"a step needs >= 1 sequence, micro-batch and completion token, got {self}")


class LossType:
    """One aggregation: `aggregate(per_token [N, T] or [N, 1], mask [N, T], size) -> scalar`."""

    name: str

    def aggregate(self, per_token: torch.Tensor, mask: torch.Tensor, size: StepSize) -> torch.Tensor:
        raise NotImplementedError


LOSS_TYPES: Registry[type[LossType]] = Registry("--loss-type")
