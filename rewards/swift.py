"""ms-swift adapter: vdata rewards as ms-swift ORMs for `swift rlhf --rlhf_type grpo`.

    # the plugin file `vdata export --to swift --option stage=grpo` writes beside the export:
    from swift.rewards import orms
    from vdata.rewards.swift import orm_classes
    orms.update(orm_classes())        # vdata_accuracy, vdata_format, vdata_temporal_iou, ...

    swift rlhf --rlhf_type grpo --external_plugins OUT/vdata_reward_plugin.py \\
        --reward_funcs vdata_accuracy vdata_format --reward_weights 0.9 0.1 ...

ms-swift 4.6.0 (`swift/rl_core/grpo_algorithm.py` `compute_rewards_per_func`) builds each ORM as
`orms[name](args=training_args)` and calls it `orm(completions, **columns)`: `completions` are the assistant
texts; the columns are `messages`, `images`, `videos`, `response_token_ids`, `trainer_state`, ... and every
dataset column, batched (one list entry per completion). vdata reads the sample from the `solution` column (the
row without its frames, as JSON: what the swift export writes), the completion length in tokens from
`response_token_ids` (`token_count`). A value is a float, or None where the reward does not judge the sample's
task (ms-swift stores NaN, which its weighted sum skips: `nansum`). No ms-swift import here: the classes only need
to be callable with that signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from vdata.rewards.adapt import completion_text, load_sample
from vdata.rewards.base import Reward, get, names

#: The ORM name of vdata reward `name` in ms-swift's `orms` (`--reward_funcs`): prefixed, so vdata's `accuracy`
#: and `format` do not replace ms-swift's own.
PREFIX = "vdata_"


class SwiftReward:
    """One vdata reward with ms-swift's ORM protocol; subclasses (`orm_classes`) fix `reward_name` and
    `options`. Named `vdata_<reward>` (ms-swift logs each reward by its class name).

    >>> cls = orm_classes(["accuracy"])["vdata_accuracy"]
    >>> cls(args=None)(["<answer>B</answer>", "<answer>A</answer>"],
    ...                solution=['{"task": "multiple_choice", "answer": "B"}'] * 2, trainer_state=None)
    [1.0, 0.0]
    """

    reward_name: ClassVar[str] = "accuracy"
    options: ClassVar[dict[str, Any]] = {}

    def __init__(self, args: Any = None, **_: Any) -> None:
        self.args = args  # ms-swift's GRPOConfig; vdata's rewards take their options from `options`
        self.reward: Reward = get(self.reward_name, **self.options)

    def __call__(
        self,
        completions: Sequence[Any],
        solution: Sequence[Any] | None = None,
        response_token_ids: Sequence[Any] | None = None,
        **_: Any,
    ) -> list[float | None]:
        out: list[float | None] = []
        for i, completion in enumerate(completions):
            sample = load_sample(solution[i] if solution is not None and i < len(solution) else None)
            ids = response_token_ids[i] if response_token_ids is not None and i < len(response_token_ids) else None
            tokens = token_count(ids)
            if tokens:
                sample.setdefault("completion_tokens", tokens)
            out.append(self.reward(completion_text(completion), sample))
        return out


def token_count(ids: Any) -> int | None:
    """The number of response tokens in ms-swift's `response_token_ids` entry: a flat list (single-turn rollout)
    or one list per turn; None when absent.

    >>> token_count([5, 6, 7]), token_count([[5, 6], [7]]), token_count([]), token_count(None)
    (3, 3, None, None)
    """
    if not isinstance(ids, Sequence) or isinstance(ids, str) or not ids:
        return None
    if all(isinstance(turn, Sequence) and not isinstance(turn, str) for turn in ids):
        return sum(len(turn) for turn in ids)
    return len(ids)


def orm_classes(rewards: Sequence[str] | None = None, **options: Any) -> dict[str, type[SwiftReward]]:
    """`{"vdata_<name>": ORM class}` for `rewards` (default: every registered reward), ready for
    `swift.rewards.orms.update(...)`. `options` go to every reward that has them (e.g. `fallback=True`)."""
    from dataclasses import fields

    from vdata.rewards.base import reward_class

    out = {}
    for name in rewards if rewards is not None else names():
        known = {f.name for f in fields(reward_class(name))}
        bound = {k: v for k, v in options.items() if k in known}
        get(name, **bound)  # unknown names and bad options fail here, when the plugin is imported
        out[PREFIX + name] = type(PREFIX + name, (SwiftReward,), {"reward_name": name, "options": bound})
    return out
