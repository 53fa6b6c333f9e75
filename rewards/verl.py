"""verl adapter: point `custom_reward_function.path` at this file (`name: compute_score`).

    custom_reward_function:
      path: <site-packages>/vdata/rewards/verl.py     # python -c "import vdata.rewards.verl as m; print(m.__file__)"
      name: compute_score
      reward_kwargs: {rewards: [accuracy, format], weights: [0.9, 0.1]}

`ground_truth` (verl's `reward_model.ground_truth`) is the sample: a dict or its JSON string; fields it lacks
are read from `extra_info`. The result is `{"score": weighted sum, <reward name>: value, ...}` (a None counts 0,
so every item has the same keys). The batch reward manager's plural arguments (`data_sources`, `solution_strs`,
`ground_truths`, `extra_infos`) are accepted by the same function and return a list; verl's `BatchRewardManager`
passes `data_sources` and `extra_infos` as numpy object arrays (its `non_tensor_batch` columns), which are read
as lists, never tested for truth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vdata.rewards.adapt import combination, load_sample, plain


def compute_score(
    data_source: Any = None,
    solution_str: str | None = None,
    ground_truth: Any = None,
    extra_info: Any = None,
    *,
    data_sources: Sequence[Any] | None = None,
    solution_strs: Sequence[str] | None = None,
    ground_truths: Sequence[Any] | None = None,
    extra_infos: Sequence[Any] | None = None,
    rewards: Any = None,
    weights: Sequence[float] | None = None,
    **_: Any,
) -> Any:
    """Score one response (singular arguments) or a batch (plural arguments); see the module docstring.

    >>> compute_score("vdata", "<think>x</think><answer>B</answer>", '{"task": "multiple_choice", "answer": "B"}')
    {'score': 5.0, 'format': 1.0, 'accuracy': 1.0}
    """
    if solution_strs is not None:
        return compute_score_batch(
            data_sources, solution_strs, ground_truths, extra_infos, rewards=rewards, weights=weights
        )
    combo = combination(rewards, weights)
    extra = plain(extra_info)
    extra = extra if isinstance(extra, Mapping) else None
    total, components = combo(
        solution_str if isinstance(solution_str, str) else "", load_sample(ground_truth, extra)
    )
    return {"score": total, **components}


def compute_score_batch(
    data_sources: Sequence[Any] | None,
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any] | None,
    extra_infos: Sequence[Any] | None = None,
    rewards: Any = None,
    weights: Sequence[float] | None = None,
    **_: Any,
) -> list[dict[str, float]]:
    """The batch variant: one result dict per response. Each batch argument may be a list, a tuple or a numpy
    array (verl's `non_tensor_batch` columns); a missing one counts as None for every response."""
    strs = _as_list(solution_strs) or []
    n = len(strs)
    truths = _as_list(ground_truths) or [None] * n
    extras = _as_list(extra_infos) or [None] * n
    if len(truths) != n or len(extras) != n:
        raise ValueError(
            f"{n} solution_strs but {len(truths)} ground_truths and {len(extras)} extra_infos; they must pair up"
        )
    solution_strs = [s if isinstance(s, str) else "" for s in strs]
    return [
        compute_score(None, solution_strs[i], truths[i], extras[i], rewards=rewards, weights=weights)
        for i in range(n)
    ]


def _as_list(values: Any) -> list[Any] | None:
    """A batch argument as a list: None stays None; numpy arrays, tuples and other sequences become lists."""
    if values is None:
        return None
    if hasattr(values, "tolist") and not isinstance(values, (str, bytes)):
        return [v for v in values]  # numpy object arrays: iterate, so dict elements stay dicts
    return list(values)
