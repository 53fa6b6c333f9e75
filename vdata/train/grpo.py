"""`vdata train grpo`: GRPO with vdata rewards on video prompts, read top to bottom.

Per step: B prompts (`vdata.engines.Templates`, keyframes as one video with their timestamps) x G sampled
completions (`vdata.train.rollout`); rewards from `vdata.rewards` judged per completion against its own row;
with DAPO's dynamic sampling, more prompts until B groups have reward variance; advantages normalised within each
group; groups with zero reward variance dropped (and counted), or kept with advantage 0 as TRL does; the clipped
surrogate (token or sequence level, asymmetric clip) plus `beta` x k3 KL to the frozen starting model, aggregated
by `loss_type` as TRL does; `mu` optimizer steps on each batch of rollouts. With `temporal_contrast` (T-GRPO), G
more completions per prompt are sampled on shuffled frames and the ordered completions get the `temporal_contrast`
group bonus.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from vdata.train.config import GRPOConfig
from vdata.train.data import Prepare
from vdata.train.log import Record
from vdata.train.rollout import Round, roll_out
from vdata.train.sft import TrainResult, finish_run, finish_step

logger = logging.getLogger(__name__)


def varied_groups(rounds: list[Round]) -> list[tuple[int, int]]:
    """(round, group) of every group whose rewards are not all equal, in order."""
    return [
        (r, b)
        for r, one in enumerate(rounds)
        for b in range(one.rewards.shape[0])
        if float(one.rewards[b].max() - one.rewards[b].min()) != 0
    ]


def reward_means(per_process: list[dict[str, float]]) -> dict[str, float]:
    """Each reward's mean over the processes' means, NaN ones (nothing judged there) left out; NaN when none judged.

    >>> reward_means([{"accuracy": 0.5, "iou": float("nan")}, {"accuracy": 0.25, "iou": 0.5}])
    {'accuracy': 0.375, 'iou': 0.5}
    """
    out = {}
    for name in per_process[0]:
        judged = [m[name] for m in per_process if not math.isnan(m[name])]
        out[name] = sum(judged) / len(judged) if judged else float("nan")
    return out


def merge_rounds(rounds: list[Round], groups: list[tuple[int, int]], processor: Any, config: GRPOConfig, device: Any):
    """One `Round` of the chosen (round, group) pairs: prompts encoded again together, completions right-padded
    to the longest; reward means and T-GRPO figures are the first round's."""
    import torch

    from vdata.train.model import encode_prompts, special_ids, to_device

    G = config.num_generations
    _, pad = special_ids(processor)
    samples = [rounds[r].samples[b] for r, b in groups]
    inputs = encode_prompts(processor, [s.prompt for s in samples], config.max_pixels, [s.images for s in samples])
    rows = [(rounds[r], slice(b * G, (b + 1) * G)) for r, b in groups]
    width = max(one.ids.shape[1] for one, _ in rows)
    ids = torch.cat([torch.nn.functional.pad(one.ids[cut], (0, width - one.ids.shape[1]), value=pad) for one, cut in rows])
    mask = torch.cat([torch.nn.functional.pad(one.mask[cut], (0, width - one.mask.shape[1])) for one, cut in rows])
    first = rounds[0]
    return Round(
        samples, to_device(inputs, device), ids, mask, [t for one, cut in rows for t in one.texts[cut]],
        torch.stack([rounds[r].rewards[b] for r, b in groups]), first.reward_means,
        torch.cat([one.truncated[cut] for one, cut in rows]), first.shuffled_texts, first.bonus, first.shuffled_accuracy,
    )


def train_grpo(config: GRPOConfig, on_step: Callable[[Record], None] | None = None) -> TrainResult:
    """Train `config.model` with GRPO on the rows of `config.data`; checkpoints and `log.jsonl` go to `config.out`."""
    # -- setup ---------------------------------------------------------------------------------------------
    from vdata.train.model import require_torch

    require_torch()  # a missing torch names the extra to install, before anything else
    import torch

    from vdata.train import setup
    from vdata.train.distributed import (
        all_sum,
        clip_gradients,
        gather,
        missing_passes,
        shard,
        sum_gradients,
        whole,
    )
    from vdata.train.loss_types import StepSize
    from vdata.train.losses import Objective, group_advantages, grpo_loss, trained_completions
    from vdata.train.model import label_logprobs, load_model, select, with_completions
    from vdata.train.tokens import split_by_tokens

    run = setup.start(config, total_updates=config.max_steps, prepare=Prepare(), wrap=False)
    acc = run.accelerator
    model, processor, optimizer, scheduler = run.model, run.processor, run.optimizer, run.scheduler
    reference = load_model(config.model, run.device, run.dtype, trainable=False) if config.beta > 0 else None
    if reference is not None and config.fsdp:  # sharded as the policy: a whole copy per process would undo FSDP
        reference = shard(reference)
    objective = Objective(
        config.loss_type, config.epsilon_low, config.epsilon_high_value, config.importance_sampling_level, config.beta
    )
    B, G = config.batch_size // run.world, config.num_generations  # this process's prompts
    if run.start_step == 0:  # rank r samples from seed + r (after the model is loaded, alike on every rank);
        setup.seed_all(config.seed + run.rank)  # a resumed run restores each rank's generators from the checkpoint
    records: list[Record] = []

    for step in range(run.start_step, config.max_steps):
        start = time.perf_counter()

        # -- rollout and reward: G completions per prompt; DAPO dynamic sampling draws more prompts ------------
        def draw(k: int, step: int = step) -> Round:
            samples = [run.data.next() for _ in range(B)]
            return roll_out(run.policy, processor, samples, config, run.device, f"{config.seed}-{step}-{k}")

        with whole(run.policy):  # FSDP: the whole weights on every process, each generates alone
            rounds = [draw(0)]
            if config.dynamic_sampling_rounds:
                while len(varied_groups(rounds)) < B and len(rounds) <= config.dynamic_sampling_rounds:
                    rounds.append(draw(len(rounds)))
                chosen = varied_groups(rounds)[:B]
                batch = merge_rounds(rounds, chosen, processor, config, run.device) if chosen else rounds[0]
            else:
                batch = rounds[0]
        rollout_s = time.perf_counter() - start

        # -- advantage: normalised within each group; groups with one reward value carry no signal: dropped,
        # or kept with advantage 0 as TRL does (--keep-zero-variance-groups) --------------------------------
        advantages, zero_variance = group_advantages(batch.rewards, scale=config.scale_rewards)  # [b, G], [b]
        loss_mask = batch.mask * (~batch.truncated).unsqueeze(1) if config.mask_truncated_completions else batch.mask
        n = batch.ids.shape[0]
        keep = trained_completions(zero_variance, loss_mask, config.keep_zero_variance_groups)
        kept = int(all_sum(len(keep), acc))  # over every process

        # -- loss and update: mu optimizer steps on the kept completions, in grad_accum micro-batches -------
        loss_sum, grad_norm = float("nan"), 0.0
        stats = dict.fromkeys(("kl", "clip_ratio", "clip_ratio/low", "clip_ratio/high"), float("nan"))
        lr = scheduler.get_last_lr()[0]
        parts: list[Any] = []
        if keep:
            full, labels = with_completions(select(batch.inputs, [i // G for i in range(n)]), batch.ids, loss_mask)
            if config.max_tokens_per_batch is None:
                size = -(-len(keep) // config.grad_accum)
                micro = [keep[i : i + size] for i in range(0, len(keep), size)]
            else:  # packed to the token budget: the prompt's tokens plus the completion's
                length = full["attention_mask"].sum(1).tolist()  # [B * G]
                micro = split_by_tokens(keep, config.max_tokens_per_batch, size=length.__getitem__)
            parts = [(select(full, m), labels[m], advantages.view(-1)[m].to(run.device)) for m in micro]
        if kept:  # every process takes part in the update, with or without completions of its own
            step_size = StepSize(
                kept,
                all_sum(float(loss_mask[keep].sum()) if keep else 0.0, acc),
                int(all_sum(len(parts), acc)),
                config.max_new_tokens,
            )
            # FSDP: each forward of the sharded model is a collective: a process with fewer micro-batches runs the
            # missing passes on its first completion, with its loss x 0
            idle = missing_passes(model, len(parts), acc)
            spare = with_completions(select(batch.inputs, [0]), batch.ids[:1], batch.mask[:1]) if idle else None
            with torch.no_grad():
                old = [label_logprobs(model, x, y, config.temperature)[0] for x, y, _ in parts] if config.mu > 1 else None
                for _ in range(idle if config.mu > 1 else 0):
                    label_logprobs(model, *spare, config.temperature)
                ref = [label_logprobs(reference, x, y, config.temperature)[0] for x, y, _ in parts] if reference else None
                for _ in range(idle if reference else 0):
                    label_logprobs(reference, *spare, config.temperature)
            model.train()
            for _ in range(config.mu):
                loss_sum, sums = 0.0, dict.fromkeys(stats, 0.0)
                for k, (x, y, adv) in enumerate(parts):
                    logp, token_mask = label_logprobs(model, x, y, config.temperature)  # [n, T], [n, T]
                    old_logp = old[k] if old is not None else logp.detach()
                    loss, part = grpo_loss(logp, old_logp, ref[k] if ref else None, adv, token_mask, objective, step_size)
                    loss.backward()
                    loss_sum += loss.item()
                    for key in sums:
                        sums[key] += part[key] * float(token_mask.sum()) / step_size.tokens
                for _ in range(idle):
                    (label_logprobs(model, *spare, config.temperature)[0].sum() * 0).backward()
                sum_gradients(model, acc)
                loss_sum = all_sum(loss_sum, acc)
                grad_norm = clip_gradients(model, config.max_grad_norm)  # over every process's shards under FSDP
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
            stats = {key: all_sum(value, acc) for key, value in sums.items()}
        scheduler.step()

        # -- log: statistics over every process's rollouts (the same processes' shares, so means of means) ----
        step_s = time.perf_counter() - start
        sampled = rounds[0]
        lengths = sampled.mask.sum(1)  # [B * G]
        first_zero = group_advantages(sampled.rewards)[1]
        tokens = all_sum(sum(float(r.inputs["attention_mask"].sum() * G + r.mask.sum()) for r in rounds), acc)
        mean = lambda value: all_sum(float(value), acc) / run.world  # noqa: E731  (over processes, equal sizes)
        rewards = torch.tensor([x for part in gather(sampled.rewards.view(-1).tolist(), acc) for x in part])
        record = {
            "step": step + 1,
            "loss": loss_sum,
            "reward": mean(sampled.rewards.mean()),
            "reward_std": float(rewards.std()),
            **{f"reward/{name}": value for name, value in reward_means(gather(sampled.reward_means, acc)).items()},
            "zero_variance_groups": int(all_sum(int(first_zero.sum()), acc)),
            "zero_variance_share": mean(first_zero.float().mean()),
            "completion_len": mean(lengths.float().mean()),
            "completion_len_max": max(gather(float(lengths.max()), acc)),
            "truncated_share": mean(sampled.truncated.float().mean()),
            **stats,
            "lr": lr,
            "grad_norm": grad_norm,
            "micro_batches": int(all_sum(len(parts), acc)),  # over the processes
            "tokens_per_s": tokens / step_s,
            "rollout_s": rollout_s,
            "step_s": step_s,
            "gpu_mem_gb": setup.gpu_memory_gb(),
        }
        if config.dynamic_sampling_rounds:
            dropped = 0 if config.keep_zero_variance_groups else int(zero_variance.sum())
            record.update(
                sampling_rounds=max(gather(len(rounds), acc)),  # the most any process drew
                groups_trained=int(all_sum(batch.rewards.shape[0] - dropped, acc)),
            )
        if config.temporal_contrast:
            record.update(
                shuffled_rollouts=int(all_sum(len(sampled.shuffled_texts), acc)),
                shuffled_accuracy=mean(sampled.shuffled_accuracy),
                temporal_bonus=mean(sum(sampled.bonus) / len(sampled.bonus)),
            )
        finish_step(run, config, record, records, on_step)

    return finish_run(run, config, records)
