"""The trainer's maths: small pure functions on tensors, each with its shapes.

`N` = completions in a batch (`B` prompts x `G` completions each), `T` = completion tokens (right-padded),
`V` = vocabulary. Masks are 1 on real completion tokens and 0 on padding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vdata.train.loss_types.base import StepSize

if TYPE_CHECKING:
    import torch


def token_logprobs(logits: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """Log-probability of each token in `ids` under `logits` (already aligned: `logits[:, t]` predicts `ids[:, t]`).

    logits [N, T, V], ids [N, T] -> [N, T]. Computed in float32 one row at a time to bound memory.
    """
    import torch

    out = []
    for row_logits, row_ids in zip(logits, ids, strict=True):  # [T, V], [T]
        logp = torch.log_softmax(row_logits.float(), dim=-1)  # [T, V]
        out.append(logp.gather(-1, row_ids.unsqueeze(-1)).squeeze(-1))  # [T]
    return torch.stack(out)  # [N, T]


def masked_mean(values: torch.Tensor, mask: torch.Tensor, denominator: float | None = None) -> torch.Tensor:
    """Token-level aggregation: sum of `values` over unmasked tokens divided by their count (or `denominator`).

    values [N, T], mask [N, T] -> scalar. Every token weighs the same, whatever its sequence's length (DAPO);
    `denominator` lets gradient accumulation divide by the token count of the whole step.
    """
    total = (values * mask).sum()
    count = mask.sum() if denominator is None else denominator
    return total / max(float(count), 1.0)


def group_advantages(
    rewards: torch.Tensor, scale: bool = True, eps: float = 1e-4
) -> tuple[torch.Tensor, torch.Tensor]:
    """GRPO advantages: each reward minus its group's mean, divided by the group's std when `scale`.

    rewards [B, G] -> (advantages [B, G], zero_variance [B] bool). The std is the sample std (Bessel);
    groups whose rewards are all equal carry no signal: their advantages are 0 and they are flagged so the
    trainer can drop them. Reference: DeepSeekMath (GRPO); `scale=False` is Dr. GRPO's unbiased variant.
    """
    mean = rewards.mean(dim=1, keepdim=True)  # [B, 1]
    std = (
        rewards.std(dim=1, keepdim=True) if rewards.shape[1] > 1 else rewards.new_zeros(mean.shape)
    )  # [B, 1]
    zero_variance = (rewards.max(dim=1).values - rewards.min(dim=1).values) == 0  # [B]
    advantages = rewards - mean  # [B, G]
    if scale:
        advantages = advantages / (std + eps)
    advantages = advantages.masked_fill(zero_variance.unsqueeze(1), 0.0)
    return advantages, zero_variance


def trained_completions(zero_variance: torch.Tensor, loss_mask: torch.Tensor, keep_zero_variance: bool = False) -> list[int]:
    """Indices of the completions that enter the loss: those with a token in `loss_mask`, from the groups with
    reward variance (vdata's default: a zero-variance group is dropped, so it adds no KL term and does not count in
    the loss type's sequences or tokens), or from every group with `keep_zero_variance` (TRL: the group stays, its
    advantages 0 so its surrogate is 0, while its beta x KL term and its sequences and tokens in the normalisers
    count).

    zero_variance [B] bool, loss_mask [B * G, T] (completions of group b at rows b * G .. b * G + G - 1) -> indices.

    >>> import torch
    >>> zero, mask = torch.tensor([False, True]), torch.tensor([[1.0], [0.0], [1.0], [1.0]])
    >>> trained_completions(zero, mask), trained_completions(zero, mask, keep_zero_variance=True)
    ([0], [0, 2, 3])
    """
    G = loss_mask.shape[0] // zero_variance.shape[0]
    has_tokens = (loss_mask.sum(-1) > 0).tolist()  # [B * G]
    return [i for i, ok in enumerate(has_tokens) if ok and (keep_zero_variance or not bool(zero_variance[i // G]))]


IMPORTANCE_LEVELS = ("token", "sequence")


def log_importance_weights(
    logp: torch.Tensor, old_logp: torch.Tensor, mask: torch.Tensor, level: str = "token"
) -> torch.Tensor:
    """Log importance ratio log(p / p_old), per token or per sequence (TRL's `importance_sampling_level`).

    logp, old_logp, mask [N, T] -> [N, T] for `token` (PPO, GRPO), or [N, 1] for `sequence` (GSPO: the mean of
    the sequence's token log-ratios, i.e. the length-normalised sequence likelihood ratio, shared by its tokens).
    """
    log_ratio = logp - old_logp  # [N, T]
    if level == "token":
        return log_ratio
    if level == "sequence":
        return ((log_ratio * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).unsqueeze(-1)  # [N, 1]
    raise ValueError(f"importance sampling level must be one of {IMPORTANCE_LEVELS}, got {level!r}")


def clipped_surrogate(
    log_weights: torch.Tensor, advantages: torch.Tensor, epsilon_low: float, epsilon_high: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """PPO's clipped objective as a loss: `-min(r * A, clip(r, 1 - eps_low, 1 + eps_high) * A)`, `r = exp(w)`.

    log_weights [N, T] or [N, 1], advantages [N] -> (loss, low_clipped, high_clipped), each shaped like
    `log_weights`. `epsilon_high > epsilon_low` is DAPO's clip-higher. A ratio is clipped low when it is below
    `1 - eps_low` with A < 0, high when above `1 + eps_high` with A > 0 (TRL's `clip_ratio/low`, `/high`).
    """
    ratio = log_weights.exp()  # [N, T]
    adv = advantages.unsqueeze(1)  # [N, 1]
    unclipped = ratio * adv
    clipped = ratio.clamp(1.0 - epsilon_low, 1.0 + epsilon_high) * adv
    loss = -unclipped.minimum(clipped)
    return loss, (ratio < 1.0 - epsilon_low) & (adv < 0), (ratio > 1.0 + epsilon_high) & (adv > 0)


def k3_kl(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Schulman's k3 estimator of KL(policy || reference) per token: `exp(d) - d - 1`, `d = ref_logp - logp`.

    logp, ref_logp [N, T] -> [N, T], >= 0, exactly 0 where the two agree.
    """
    delta = ref_logp - logp  # [N, T]
    return delta.exp() - delta - 1.0


@dataclass(frozen=True)
class Objective:
    """The policy loss of a GRPO step, in TRL's terms: `loss_type` (`vdata.train.loss_types`), `epsilon_low`,
    `epsilon_high` (the clip range; equal = PPO's symmetric clip), `importance_sampling_level` (`token` or
    `sequence` = GSPO), `beta` (weight of the k3 KL to the reference; 0 = none)."""

    loss_type: str = "grpo"
    epsilon_low: float = 0.2
    epsilon_high: float = 0.2
    importance_sampling_level: str = "token"
    beta: float = 0.0


def grpo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    ref_logp: torch.Tensor | None,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    objective: Objective,
    size: StepSize,
) -> tuple[torch.Tensor, dict[str, float]]:
    """The GRPO loss of one micro-batch: clipped surrogate plus `beta` x k3 KL, aggregated by the loss type.

    logp, old_logp, ref_logp [N, T], advantages [N], mask [N, T] -> (scalar loss, stats). Stats are means over
    this micro-batch's tokens (per sequence for `sequence`-level clipping): `kl`, `clip_ratio` (low or high),
    `clip_ratio/low`, `clip_ratio/high`.
    """
    from vdata.train.loss_types import LOSS_TYPES

    log_w = log_importance_weights(logp, old_logp, mask, objective.importance_sampling_level)  # [N, T|1]
    per_token, low, high = clipped_surrogate(log_w, advantages, objective.epsilon_low, objective.epsilon_high)
    kl = k3_kl(logp, ref_logp) if ref_logp is not None and objective.beta > 0 else None  # [N, T]
    if kl is not None:
        per_token = per_token + objective.beta * kl  # [N, T]
    loss = LOSS_TYPES.get(objective.loss_type)().aggregate(per_token, mask, size)
    region = mask if low.shape == mask.shape else mask.new_ones(low.shape)  # [N, T] or [N, 1]
    stats = {
        "kl": float(masked_mean(kl.detach(), mask)) if kl is not None else 0.0,
        "clip_ratio": float(masked_mean((low | high).float(), region)),
        "clip_ratio/low": float(masked_mean(low.float(), region)),
        "clip_ratio/high": float(masked_mean(high.float(), region)),
    }
    return loss, stats


def overlong_penalty(length: int, max_completion_length: int, buffer: int) -> float:
    """DAPO's soft overlong punishment (Eq. 13; TRL's `get_soft_overlong_punishment`), added to the reward.

    0 up to `max_completion_length - buffer` tokens, then falling linearly to -1 at `max_completion_length`, -1
    beyond it; `buffer` = 0 turns it off (0 always). Lengths in tokens.

    >>> [overlong_penalty(n, 100, 20) for n in (80, 90, 100, 101)]
    [0.0, -0.5, -1.0, -1.0]
    """
    if buffer <= 0:
        return 0.0
    start = max_completion_length - buffer
    if length <= start:
        return 0.0
    if length <= max_completion_length:
        return (start - length) / buffer
    return -1.0


def cosine_schedule(step: int, warmup_steps: int, total_steps: int, min_ratio: float = 0.0) -> float:
    """Learning-rate factor at optimizer step `step` (0-based): linear warm-up, then cosine decay to `min_ratio`.

    >>> cosine_schedule(0, 2, 10), cosine_schedule(2, 2, 10), cosine_schedule(10, 2, 10)
    (0.5, 1.0, 0.0)
    """
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))
