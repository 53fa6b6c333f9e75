"""`vdata train grpo`: GRPO with vdata rewards on video prompts, read top to bottom.

Per step: B prompts (`vdata.engines.Templates`, keyframes as one video with their timestamps) x G sampled
completions; rewards from `vdata.rewards` judged per completion against its own row; advantages normalised within
each group; groups with zero reward variance dropped (and counted); the clipped surrogate plus `beta` x k3 KL to
the frozen starting model, averaged over tokens; `mu` optimizer steps on each batch of rollouts. With
`temporal_contrast` (T-GRPO), G more completions per prompt are sampled on shuffled frames and the ordered
completions get the `temporal_contrast` group bonus.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from vdata.rewards.weights import parse_weights
from vdata.train import checkpoint
from vdata.train.config import GRPOConfig
from vdata.train.data import batch_indices, load_rows, shuffled_order
from vdata.train.log import Record, StepLog
from vdata.train.sft import TrainResult

logger = logging.getLogger(__name__)


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


def shuffle_frames(prompt: Any, key: str) -> Any:
    """The prompt with its keyframes in a seeded shuffled order; the timestamps in the text stay in order."""
    order = shuffled_order(len(prompt.frames), key)
    return dataclasses.replace(prompt, frames=tuple(prompt.frames[j] for j in order))


def media_token_ids(model: Any) -> list[int]:
    """Ids of the image and video placeholder tokens: never sampled, since the model would read them as media."""
    ids = (getattr(model.config, key, None) for key in ("image_token_id", "video_token_id"))
    return [i for i in ids if i is not None]


def sample(model: Any, inputs: dict[str, Any], config: GRPOConfig, eos: int, pad: int) -> Any:
    """G sampled completions per prompt: ids [B * G, T] (completions of prompt b at rows b * G .. b * G + G - 1)."""
    import torch

    with torch.no_grad():
        out = model.generate(
            **inputs,
            do_sample=True,
            temperature=config.temperature,
            top_p=config.top_p,
            top_k=0,
            max_new_tokens=config.max_new_tokens,
            num_return_sequences=config.num_generations,
            eos_token_id=eos,
            pad_token_id=pad,
            use_cache=True,
            suppress_tokens=media_token_ids(model),
        )
    return out[:, inputs["input_ids"].shape[1] :]  # [B * G, T]


def train_grpo(config: GRPOConfig, on_step: Callable[[Record], None] | None = None) -> TrainResult:
    """Train `config.model` with GRPO on the rows of `config.data`; checkpoints and `log.jsonl` go to `config.out`."""
    # -- setup ---------------------------------------------------------------------------------------------
    from vdata.train.model import require_torch

    require_torch()  # a missing torch names the extra to install, before anything else
    import torch

    from vdata.engines import Templates
    from vdata.train import setup
    from vdata.train.losses import group_advantages, grpo_loss
    from vdata.train.model import (
        completion_mask,
        encode_prompts,
        label_logprobs,
        load_model,
        select,
        special_ids,
        to_device,
        with_completions,
    )

    reward_spec = parse_weights(config.rewards, flag="--rewards")
    rows = load_rows(config.data, config.split)
    run = setup.start(config, total_updates=config.max_steps)
    model, processor, optimizer, scheduler = run.model, run.processor, run.optimizer, run.scheduler
    reference = load_model(config.model, run.device, run.dtype, trainable=False) if config.beta > 0 else None
    eos, pad = special_ids(processor)
    templates = Templates()
    log = StepLog(config.out, run.start_step)
    B, G = config.batch_size, config.num_generations
    records: list[Record] = []

    for step in range(run.start_step, config.max_steps):
        start = time.perf_counter()
        batch = [rows[i] for i in batch_indices(len(rows), B, step, config.seed)]
        prompts = [templates.prompt(row) for row in batch]

        # -- rollout: G completions per prompt (and G on shuffled frames for T-GRPO) ---------------------
        model.eval()
        inputs = to_device(encode_prompts(processor, prompts, config.max_pixels), run.device)  # [B, P]
        ids = sample(model, inputs, config, eos, pad)  # [B * G, T]
        mask = completion_mask(ids, eos)  # [B * G, T]
        texts = processor.batch_decode(ids, skip_special_tokens=True)
        samples = [row for row in batch for _ in range(G)]
        shuffled_texts: list[str] = []
        if config.temporal_contrast:
            shuffled = [shuffle_frames(p, f"{config.seed}-{step}-{p.id}") for p in prompts]
            shuffled_inputs = to_device(encode_prompts(processor, shuffled, config.max_pixels), run.device)
            shuffled_ids = sample(model, shuffled_inputs, config, eos, pad)
            shuffled_texts = processor.batch_decode(shuffled_ids, skip_special_tokens=True)
        rollout_s = time.perf_counter() - start

        # -- reward ---------------------------------------------------------------------------------------
        rewards, reward_means = score_rollouts(reward_spec, texts, samples)
        bonus, shuffled_accuracy = [0.0] * len(texts), float("nan")
        if config.temporal_contrast:
            bonus, shuffled_accuracy = temporal_bonus(texts, shuffled_texts, samples, G)
            rewards = [r + b for r, b in zip(rewards, bonus, strict=True)]
        reward_table = torch.tensor(rewards).view(B, G)  # [B, G]

        # -- advantage: normalised within each group; groups with one reward value carry no signal -----------
        advantages, zero_variance = group_advantages(reward_table, scale=config.scale_rewards)  # [B, G], [B]
        keep = [i for i in range(B * G) if not zero_variance[i // G]]

        # -- loss and update: mu optimizer steps on the kept completions, in grad_accum micro-batches -------
        loss_sum, stats, grad_norm, lr = (
            float("nan"),
            {"kl": float("nan"), "clip_ratio": float("nan")},
            0.0,
            0.0,
        )
        lr = scheduler.get_last_lr()[0]
        if keep:
            full, labels = with_completions(select(inputs, [i // G for i in range(B * G)]), ids, mask)
            size = -(-len(keep) // config.grad_accum)
            micro = [keep[i : i + size] for i in range(0, len(keep), size)]
            parts = [(select(full, m), labels[m], advantages.view(-1)[m].to(run.device)) for m in micro]
            num_tokens = float(mask[keep].sum())
            with torch.no_grad():
                old = (
                    [label_logprobs(model, x, y, config.temperature)[0] for x, y, _ in parts]
                    if config.mu > 1
                    else None
                )
                ref = (
                    [label_logprobs(reference, x, y, config.temperature)[0] for x, y, _ in parts]
                    if reference
                    else None
                )
            model.train()
            for _ in range(config.mu):
                loss_sum, sums = 0.0, {"kl": 0.0, "clip_ratio": 0.0}
                for k, (x, y, adv) in enumerate(parts):
                    logp, token_mask = label_logprobs(model, x, y, config.temperature)  # [n, T], [n, T]
                    old_logp = old[k] if old is not None else logp.detach()
                    loss, part_stats = grpo_loss(
                        logp,
                        old_logp,
                        ref[k] if ref else None,
                        adv,
                        token_mask,
                        config.epsilon,
                        config.beta,
                        num_tokens,
                    )
                    loss.backward()
                    loss_sum += loss.item()
                    for key in sums:
                        sums[key] += part_stats[key] * float(token_mask.sum()) / num_tokens
                grad_norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm))
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
            stats = sums
        scheduler.step()

        # -- log ------------------------------------------------------------------------------------------
        step_s = time.perf_counter() - start
        lengths = mask.sum(1)  # [B * G]
        record = {
            "step": step + 1,
            "loss": loss_sum,
            "reward": float(reward_table.mean()),
            "reward_std": float(reward_table.std()),
            **{f"reward/{name}": value for name, value in reward_means.items()},
            "zero_variance_groups": int(zero_variance.sum()),
            "zero_variance_share": float(zero_variance.float().mean()),
            "completion_len": float(lengths.float().mean()),
            "kl": stats["kl"],
            "clip_ratio": stats["clip_ratio"],
            "lr": lr,
            "grad_norm": grad_norm,
            "tokens_per_s": float(inputs["attention_mask"].sum() * G + lengths.sum()) / step_s,
            "rollout_s": rollout_s,
            "step_s": step_s,
            "gpu_mem_gb": setup.gpu_memory_gb(),
        }
        if config.temporal_contrast:
            record.update(
                shuffled_rollouts=len(shuffled_texts),
                shuffled_accuracy=shuffled_accuracy,
                temporal_bonus=sum(bonus) / len(bonus),
            )
        log.write(record)
        records.append(record)
        if config.save_every and (step + 1) % config.save_every == 0:
            checkpoint.save(config.out, step + 1, run, config.to_json())
        if on_step is not None:
            on_step(record)

    final = Path(config.out) / "final"
    model.save_pretrained(final, safe_serialization=True)
    processor.save_pretrained(final)
    return TrainResult(Path(config.out), final, config.max_steps, records)
