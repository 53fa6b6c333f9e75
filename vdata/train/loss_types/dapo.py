"""`dapo`: token losses summed, divided by the completion tokens of the whole step (DAPO, TRL's `dapo`)."""

from __future__ import annotations

from vdata.train.loss_types.base import LOSS_TYPES, LossType, StepSize


@LOSS_TYPES.register("dapo")
class Dapo(LossType):
    """sum_it l_it m_it / tokens of the step: every token of the step weighs the same.

    >>> import torch
    >>> loss = Dapo().aggregate(torch.tensor([[1.0, 3.0], [4.0, 0.0]]), torch.tensor([[1.0, 1.0], [1.0, 0.0]]),
    ...                         StepSize(sequences=2, tokens=4))
    >>> float(loss)  # 8 / 4 tokens in the whole step (this micro-batch holds 3 of them)
    2.0
    """

    def aggregate(self, per_token, mask, size: StepSize):
        return (per_token * mask).sum() / max(size.tokens, 1.0)
