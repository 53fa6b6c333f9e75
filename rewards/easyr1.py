"""EasyR1 adapter: `worker.reward.reward_function=<path to this file>:compute_score`.

EasyR1 batch reward functions take `reward_inputs`, dicts with `response`, `response_length` and `ground_truth`
(the sample, a dict or its JSON string), and return dicts with `overall` and the components it logs.
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
