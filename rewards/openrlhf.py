"""OpenRLHF adapter: a reward function file (`--reward.remote_url <path to this file>`) or `vdata rewards serve`
(`--reward.remote_url http://host:port/get_reward`); the flags of OpenRLHF 0.11 (`--remote_rm_url` before).

OpenRLHF's single-turn executor (`openrlhf/utils/agent.py`) loads this file by path and calls `reward_func(queries,
prompts, labels)`, one sample at a time: `queries` are prompt + response, decoded with special tokens kept; the
prompt prefix and the trailing end-of-turn tokens (`<|im_end|>`, `<|endoftext|>`, `<|eot_id|>`, `</s>`, ...:
`strip_end_tokens`) are stripped. `labels` are the samples (dicts or JSON strings, from `--data.label_key`). Returns
`{"rewards", "scores", "extra_logs"}` as OpenRLHF reads it: torch tensors when torch is already imported by the
caller, lists otherwise (vdata never imports torch itself). The file takes no options: vdata's default rewards
and weights (`format:1,accuracy:4`, `vdata.rewards.weights.DEFAULT_REWARDS`); the server takes `-r`/`-w`.
Tested with OpenRLHF 0.11.2's own executor in tests/rewards/test_openrlhf.py.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

from vdata.rewards.adapt import combination, load_sample, strip_end_tokens

logger = logging.getLogger(__name__)


def strip_prompt(query: str, prompt: str | None) -> str:
    """The response part of `query`: what follows `prompt` (its last occurrence when not a prefix)."""
    if not prompt:
        return query
    if query.startswith(prompt):
        return query[len(prompt) :]
    at = query.rfind(prompt)
    return query[at + len(prompt) :] if at >= 0 else query


def score_queries(
    queries: Sequence[Any],
    prompts: Sequence[Any] | None,
    labels: Sequence[Any],
    rewards: Any = None,
    weights: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Scores as plain lists: `rewards` (weighted sum), `scores` (the same), `extra_logs` (one list per reward).

    A malformed item scores 0 and its error is logged; it never fails the batch.
    """
    combo = combination(rewards, weights)
    prompts = list(prompts) if prompts is not None else [None] * len(queries)
    totals: list[float] = []
    logs: dict[str, list[float]] = {name: [] for name in combo.names}
    for i, query in enumerate(queries):
        try:
            prompt = prompts[i] if isinstance(prompts[i], str) else None
            text = strip_end_tokens(strip_prompt(query if isinstance(query, str) else "", prompt))
            total, components = combo(text, load_sample(labels[i]))
        except (TypeError, ValueError, KeyError, IndexError, RecursionError) as e:
            logger.warning("item %d cannot be scored, giving 0: %s", i, e)
            total, components = 0.0, dict.fromkeys(combo.names, 0.0)
        totals.append(total)
        for name in combo.names:
            logs[name].append(components[name])
    return {"rewards": totals, "scores": list(totals), "extra_logs": logs}


def reward_func(
    queries: Sequence[str], prompts: Sequence[str], labels: Sequence[Any], **kwargs: Any
) -> dict[str, Any]:
    """OpenRLHF's custom reward function; see the module docstring. The values are those of `score_queries`:

    >>> score_queries(["Q: 2+1?<answer>3</answer>"], ["Q: 2+1?"], ['{"task": "numeric", "answer": "3"}'])["rewards"]
    [4.0]
    """
    out = score_queries(queries, prompts, labels, kwargs.get("rewards"), kwargs.get("weights"))
    torch = sys.modules.get("torch")
    if torch is not None:
        out = {
            "rewards": torch.tensor(out["rewards"], dtype=torch.float32),
            "scores": torch.tensor(out["scores"], dtype=torch.float32),
            "extra_logs": {k: torch.tensor(v, dtype=torch.float32) for k, v in out["extra_logs"].items()},
        }
    return out
