"""`dr_grpo`: token losses summed, divided by sequences x `max_completion_length` (Dr. GRPO, TRL's `dr_grpo`)."""

from __future__ import annotations

from vdata.train.loss_types.base import LOSS_TYPES, LossType, StepSize


@LOSS_TYPES.register("dr_grpo")
class DrGrpo(LossType):
    """sum_it l_it m_it / (sequences x max_completion_length): a constant denominator, no length bias.

    >>> import torch
    >>> loss = DrGrpo().aggregate(torch.tensor([[1.0, 3.0], [4.0, 0.0]]), torch.tensor([[1.0, 1.0], [1.0, 0.0]]),
    ...                           StepSize(sequences=2, tokens=3, max_completion_length=4))
    >>> float(loss)  # 8 / (2 x 4)
    1.0
    """

    def aggregate(self, per_token, mask, size: StepSize):
        return (per_token * mask).sum() / (size.sequences * size.max_completion_length)
