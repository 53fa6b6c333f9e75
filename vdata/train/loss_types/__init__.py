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

from vdata.train.loss_types import bnpo, dapo, dr_grpo, grpo  # noqa: F401  (registers them)
from vdata.train.loss_types.base import LOSS_TYPES, LossType, StepSize

__all__ = ["LOSS_TYPES", "LossType", "StepSize"]
