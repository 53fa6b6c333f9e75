"""GRPO loss aggregations by TRL's `loss_type` name: how per-token losses become one number per step.

    from vdata.train.loss_types import LOSS_TYPES, StepSize
    LOSS_TYPES.get("dapo")().aggregate(per_token, mask, size)

Each micro-batch's value is scaled so that the micro-batches of one optimizer step sum to the step's loss
(`StepSize` holds the step's totals). One file per loss type; the meanings are TRL's
(`trl.GRPOTrainer._compute_loss`, trl 1.16), so results transfer:

- `grpo`: mean over each sequence's tokens, then mean over sequences (DeepSeekMath; favours short completions).
- `bnpo`: mean over the micro-batch's tokens, divided by the micro-batches of the step.
- `dr_grpo`: sum over tokens divided by sequences x `max_completion_length` (Dr. GRPO: no length bias).
- `dapo`: sum over tokens divided by the completion tokens of the whole step (DAPO: every token weighs the same).
"""

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

from vdata.train.loss_types import bnpo, dapo, dr_grpo, grpo  # noqa: E402,F401  (registers them)

__all__ = ["LOSS_TYPES", "LossType", "StepSize"]
