"""`grpo`: each sequence's mean token loss, averaged over the sequences of the step (TRL's default)."""

from __future__ import annotations

from vdata.train.loss_types.base import LOSS_TYPES, LossType, StepSize


@LOSS_TYPES.register("grpo")
class Grpo(LossType):
    """sum_i (sum_t l_it m_it / sum_t m_it) / sequences of the step.

    >>> import torch
    >>> loss = Grpo().aggregate(torch.tensor([[1.0, 3.0], [4.0, 0.0]]), torch.tensor([[1.0, 1.0], [1.0, 0.0]]),
    ...                         StepSize(sequences=2, tokens=3))
    >>> float(loss)  # (2 + 4) / 2
    3.0
    """

    def aggregate(self, per_token, mask, size: StepSize):
        per_sequence = (per_token * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)  # [N]
        return per_sequence.sum() / size.sequences
