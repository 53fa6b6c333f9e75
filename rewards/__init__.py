"""Verifiable rewards for video LMM post-training (`vdata.rewards`).

    from vdata import rewards
    rewards.names()                                   # every registered reward
    fn = rewards.get("temporal_iou")                  # picklable callable: fn(completion, sample) -> float | None
    rewards.explain("temporal_iou", completion, sample)   # value, components, parsed answer, error
    rewards.score(["format", "accuracy"], completions, samples, weights=None)

0.0 means the model's answer is wrong or unparseable; None means the reward cannot judge the sample (wrong task,
missing gold). Each reward is one module named after it; the rules they share (answer extraction,
parsers, per-task gold) live in `vdata.tasks`. Trainer adapters live in `vdata.rewards.trl`, `.verl`, `.easyr1`, `.openrlhf`, `.swift` and `.server`;
group bonuses (Video-R1's T-GRPO) in `vdata.rewards.group`; paper-parity presets are registered as
`paper/name` (`video-r1/accuracy`, `time-r1/iou`, ...). Importing this package imports no ML or video library.
"""

from vdata.rewards import (  # noqa: F401  (each module registers its rewards)
    accuracy,
    box_iou,
    format,
    free_form,
    grounded_qa,
    iop,
    length,
    multiple_choice,
    numeric,
    ocr,
    presets,
    regression,
    repetition,
    spatiotemporal_iou,
    temporal_iou,
    tracking,
)
from vdata.rewards.base import Explanation, Reward, explain, get, names, register, score, weighted_sum
from vdata.rewards.weights import DEFAULT_REWARDS, parse_weights

__all__ = [
    "DEFAULT_REWARDS",
    "Explanation",
    "Reward",
    "explain",
    "get",
    "names",
    "parse_weights",
    "register",
    "score",
    "weighted_sum",
]
