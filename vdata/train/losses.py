"""The trainer's maths: small pure functions on tensors, each with its shapes.

`N` = completions in a batch (`B` prompts x `G` completions each), `T` = completion tokens (right-padded),
`V` = vocabulary. Masks are 1 on real completion tokens and 0 on padding.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

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


def clipped_surrogate(
    logp: torch.Tensor, old_logp: torch.Tensor, advantages: torch.Tensor, epsilon: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """PPO's clipped objective as a per-token loss: `-min(r * A, clip(r, 1 - eps, 1 + eps) * A)`, `r = p / p_old`.

    logp, old_logp [N, T], advantages [N] -> (loss [N, T], clipped [N, T] bool: the clip was the active term).
    """
    ratio = (logp - old_logp).exp()  # [N, T]
    adv = advantages.unsqueeze(1)  # [N, 1]
    unclipped = ratio * adv  # [N, T]
    clipped = ratio.clamp(1.0 - epsilon, 1.0 + epsilon) * adv  # [N, T]
    loss = -unclipped.minimum(clipped)  # [N, T]
    was_clipped = clipped < unclipped  # [N, T]
    return loss, was_clipped


def k3_kl(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    """Schulman's k3 estimator of KL(policy || reference) per token: `exp(d) - d - 1`, `d = ref_logp - logp`.

    logp, ref_logp [N, T] -> [N, T], >= 0, exactly 0 where the two agree.
    """
    delta = ref_logp - logp  # [N, T]
    return delta.exp() - delta - 1.0


def grpo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    ref_logp: torch.Tensor | None,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    epsilon: float,
    beta: float,
    denominator: float | None = None,
) -> tuple[torch.Tensor, dict[str, float]]:
    """The GRPO loss: clipped surrogate plus `beta` x k3 KL, aggregated over tokens (`masked_mean`).

    logp, old_logp, ref_logp [N, T], advantages [N], mask [N, T] -> (scalar loss, {kl, clip_ratio}).
    """
    per_token, was_clipped = clipped_surrogate(logp, old_logp, advantages, epsilon)  # [N, T]
    kl = k3_kl(logp, ref_logp) if ref_logp is not None and beta > 0 else None  # [N, T]
    if kl is not None:
        per_token = per_token + beta * kl
    loss = masked_mean(per_token, mask, denominator)
    stats = {
        "kl": float(masked_mean(kl.detach(), mask)) if kl is not None else 0.0,
        "clip_ratio": float(masked_mean(was_clipped.float(), mask)),
    }
    return loss, stats


def cosine_schedule(step: int, warmup_steps: int, total_steps: int, min_ratio: float = 0.0) -> float:
    """Learning-rate factor at optimizer step `step` (0-based): linear warm-up, then cosine decay to `min_ratio`.

    >>> cosine_schedule(0, 2, 10), cosine_schedule(2, 2, 10), cosine_schedule(10, 2, 10)
    (0.5, 1.0, 0.0)
    """
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))
