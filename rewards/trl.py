"""TRL adapter: vdata rewards with the signature of `GRPOTrainer(reward_funcs=...)`.

    from vdata.rewards.trl import reward_funcs
    trainer = GRPOTrainer(model, reward_funcs=reward_funcs(["format", "accuracy"]), train_dataset=shard_rows, ...)

Each function takes `(prompts, completions, **dataset_columns)`, rebuilds each sample from the columns (every
shard column reaches it, e.g. `task`, `answer`, `spans`), accepts plain and conversational completions (with
`reasoning_content`), and returns one float or None (not applicable; TRL ignores it) per completion. The
completion length in tokens, from `completion_ids`, is given to the sample as `completion_tokens`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vdata.rewards.adapt import completion_text
from vdata.rewards.base import Reward, get

_SKIP = {"prompts", "completions", "completion_ids", "trainer_state", "prompt", "completion"}


@dataclass(frozen=True)
class TRLReward:
    """One vdata reward with TRL's reward-function signature; picklable, named like the reward."""

    reward: Reward

    @property
    def __name__(self) -> str:
        return self.reward.name

    def __call__(
        self,
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] | None = None,
        completion_ids: Sequence[Sequence[int]] | None = None,
        **columns: Any,
    ) -> list[float | None]:
        completions = list(completions or [])
        n = len(completions)
        out: list[float | None] = []
        for i, completion in enumerate(completions):
            sample = {
                k: v[i] for k, v in columns.items() if k not in _SKIP and isinstance(v, list) and len(v) == n
            }
            if completion_ids is not None and i < len(completion_ids):
                sample["completion_tokens"] = len(completion_ids[i])
            out.append(self.reward(completion_text(completion), sample))
        return out


def reward_funcs(names: Sequence[str | Reward], **options: Any) -> list[TRLReward]:
    """TRL reward functions for `names` (reward names or built rewards); `options` go to every named reward that
    has them (e.g. `fallback=True`)."""
    from dataclasses import fields

    out = []
    for name in names:
        if isinstance(name, Reward):
            out.append(TRLReward(name))
            continue
        known = {f.name for f in fields(get(name))}
        out.append(TRLReward(get(name, **{k: v for k, v in options.items() if k in known})))
    return out
