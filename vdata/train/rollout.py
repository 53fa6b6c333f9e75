"""GRPO's rollout and reward: G sampled completions per prompt from the run's rollout engine
(`vdata.engines.policy`: HF `generate` on the live policy, or a colocated vLLM copy synced before each batch),
judged by vdata rewards against their own rows, with T-GRPO's shuffled-frame rollouts and DAPO's overlong shaping;
`Round` holds one batch of them."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vdata.engines.policy import PolicyEngine, policy_engine
from vdata.engines.policy import media_token_ids as media_token_ids  # vdata.train.evaluate reads it here
from vdata.train.config import GRPOConfig
from vdata.train.data import Sample, shuffled_order
from vdata.train.losses import overlong_penalty


def score_rollouts(
    rewards: Sequence[tuple[str, float]], completions: Sequence[str], samples: Sequence[Mapping[str, Any]]
) -> tuple[list[float], dict[str, float]]:
    """Weighted reward per completion (a None reward counts 0) and each reward's mean over the completions it
    could judge (NaN when it judged none)."""
    from vdata import rewards as vrewards

    fns = [vrewards.get(name) for name, _ in rewards]
    weights = [weight for _, weight in rewards]
    values = [[fn(c, s) for fn in fns] for c, s in zip(completions, samples, strict=True)]  # [completion][reward]
    totals = [vrewards.weighted_sum(row, weights) for row in values]
    means = {}
    for j, (name, _) in enumerate(rewards):
        judged = [row[j] for row in values if row[j] is not None]
        means[name] = sum(judged) / len(judged) if judged else float("nan")
    return totals, means


def temporal_bonus(
    completions: Sequence[str], shuffled: Sequence[str], samples: Sequence[Mapping[str, Any]], group_size: int
) -> tuple[list[float], float]:
    """T-GRPO: the `temporal_contrast` bonus of each ordered completion (completion i belongs to prompt
    i // group_size, and so does shuffled completion i), with the shuffled completions' mean accuracy."""
    from vdata import rewards as vrewards
    from vdata.rewards import group

    accuracy = vrewards.get("accuracy")
    ordered = [accuracy(c, s) or 0.0 for c, s in zip(completions, samples, strict=True)]
    on_shuffled = [accuracy(c, s) or 0.0 for c, s in zip(shuffled, samples, strict=True)]
    group_ids = [i // group_size for i in range(len(completions))]
    bonus = group.get("temporal_contrast")(ordered, on_shuffled, group_ids, group_ids)
    return bonus, sum(on_shuffled) / max(1, len(on_shuffled))


def shuffle_frames(prompt: Any, images: Sequence[Any], key: str) -> tuple[Any, list[Any]]:
    """The prompt and its decoded frames in one seeded shuffled order; the timestamps in the text stay in order."""
    order = shuffled_order(len(prompt.frames), key)
    return dataclasses.replace(prompt, frames=tuple(prompt.frames[j] for j in order)), [images[j] for j in order]


def rollout_engine(model: Any, processor: Any, config: GRPOConfig, device: Any) -> PolicyEngine:
    """The run's rollout engine (`config.rollout_engine`) around the live `model`, built at the first call and kept
    for the next ones with the same model and processor (one slot: the last run's engine is replaced, and closed,
    when another run starts in the same process)."""
    global _engine
    same = _engine is not None and _engine.name == config.rollout_engine and _engine.policy is model
    if not (same and _engine.processor is processor and _engine.max_pixels == config.max_pixels):
        if _engine is not None:
            _engine.close()
        rank = int(os.environ.get("RANK", "0"))  # rank r samples from seed + r, as the transformers engine does
        _engine = policy_engine(config.rollout_engine, model, processor, config.max_pixels, device, config.seed + rank)
    return _engine


_engine: PolicyEngine | None = None


@dataclass
class Round:
    """One batch of rollouts: `samples` (B), prompt `inputs` [B, P], completion `ids` and `mask` [B * G, T],
    `texts`, `rewards` [B, G] (weighted sum, plus T-GRPO's bonus and DAPO's overlong penalty), `reward_means`
    per reward name, `truncated` [B * G] (no eos), and T-GRPO's `shuffled_texts`, `bonus`, `shuffled_accuracy`."""

    samples: list[Sample]
    inputs: dict[str, Any]
    ids: Any
    mask: Any
    texts: list[str]
    rewards: Any
    reward_means: dict[str, float]
    truncated: Any
    shuffled_texts: list[str]
    bonus: list[float]
    shuffled_accuracy: float


def roll_out(
    model: Any, processor: Any, samples: list[Sample], config: GRPOConfig, device: Any, key: str
) -> Round:
    """Sample G completions for each of `samples` and score them (`key` seeds T-GRPO's frame shuffles)."""
    import torch

    from vdata.engines import Sampling
    from vdata.rewards.weights import parse_weights
    from vdata.train.model import completion_mask, special_ids

    eos, _ = special_ids(processor)
    B, G = len(samples), config.num_generations
    model.eval()
    engine = rollout_engine(model, processor, config, device)
    engine.sync_weights(model)  # the last optimizer step changed the policy (DAPO's extra draws copy it again)
    sampling = Sampling(config.temperature, config.top_p, config.max_new_tokens, config.seed)
    out = engine.rollouts([s.prompt for s in samples], [s.images for s in samples], G, sampling)
    inputs, ids, texts = out.inputs, out.ids, out.texts  # [B, P], [B * G, T], B * G
    mask = completion_mask(ids, eos)  # [B * G, T]
    truncated = ~(ids == eos).any(1)  # [B * G]
    rows = [s.row for s in samples for _ in range(G)]
    rewards, means = score_rollouts(parse_weights(config.rewards, flag="--rewards"), texts, rows)
    bonus, shuffled_texts, shuffled_accuracy = [0.0] * len(texts), [], float("nan")
    if config.temporal_contrast:
        shuffled, images = zip(*(shuffle_frames(s.prompt, s.images, f"{key}-{s.prompt.id}") for s in samples), strict=True)
        shuffled_texts = engine.rollouts(shuffled, images, G, sampling).texts
        bonus, shuffled_accuracy = temporal_bonus(texts, shuffled_texts, rows, G)
    lengths = mask.sum(1).tolist()
    shaped = [
        r + b + overlong_penalty(int(n), config.max_new_tokens, config.overlong_buffer)
        for r, b, n in zip(rewards, bonus, lengths, strict=True)
    ]
    table = torch.tensor(shaped).view(B, G)  # [B, G]
    return Round(samples, inputs, ids, mask, texts, table, means, truncated, shuffled_texts, bonus, shuffled_accuracy)
