"""`bnpo`: the micro-batch's mean token loss, divided by the micro-batches of the step (TRL's `bnpo`)."""

from __future__ import annotations

from vdata.train.loss_types.base import LOSS_TYPES, LossType, StepSize


@LOSS_TYPES.register("bnpo")
class Bnpo(LossType):
    """(sum_it l_it m_it / sum_it m_it) / micro-batches.

    >>> import torch
    >>> loss = Bnpo().aggregate(torch.tensor([[1.0, 3.0], [4.0, 0.0]]), torch.tensor([[1.0, 1.0], [1.0, 0.0]]),
    ...                         StepSize(sequences=2, tokens=3))
    >>> float(loss)  # 8 / 3 tokens
    2.6666667461395264
    """

    def aggregate(self, per_token, mask, size: StepSize):
        return (per_token * mask).sum() / mask.sum().clamp(min=1.0) / size.micro_batches
