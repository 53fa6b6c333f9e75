"""EasyR1 adapter: `worker.reward.reward_function=<path to this file>:compute_score`.

Read at hiyouga/EasyR1 b44b311 (`verl/workers/reward/function.py` `AutoRewardManager`, `config.py`
`RewardConfig`): EasyR1 imports the file by path, takes `REWARD_TYPE` (`batch` here) and `REWARD_NAME` from it, binds
`worker.reward.reward_function_kwargs` (e.g. `{rewards: [accuracy, format], weights: [0.9, 0.1]}`) and calls
`compute_score(reward_inputs)` once per batch: dicts with `response` (decoded with `skip_special_tokens`, true by
default), `response_length` (tokens) and `ground_truth` (the dataset's answer column: the sample, a dict or its JSON
string). Each result needs `overall` (put on the last response token); every key is logged as a metric. There is no
`worker.reward.reward_type` key in that version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vdata.rewards.adapt import combination, load_sample

REWARD_TYPE = "batch"
REWARD_NAME = "vdata"


def compute_score(
    reward_inputs: Sequence[Mapping[str, Any]],
    rewards: Any = None,
    weights: Sequence[float] | None = None,
    **_: Any,
) -> list[dict[str, float]]:
    """`{"overall": weighted sum, <reward name>: value, ...}` per input (a None counts 0).

    >>> compute_score([{"response": "<answer>3.0</answer>", "ground_truth": {"task": "numeric", "answer": "3"}}])
    [{'overall': 4.0, 'format': 0.0, 'accuracy': 1.0}]
    """
    combo = combination(rewards, weights)
    out = []
    for item in reward_inputs:
        sample = load_sample(item.get("ground_truth"))
        if isinstance(item.get("response_length"), int):
            sample.setdefault("completion_tokens", item["response_length"])
        response = item.get("response")
        total, components = combo(response if isinstance(response, str) else "", sample)
        out.append({"overall": total, **components})
    return out
