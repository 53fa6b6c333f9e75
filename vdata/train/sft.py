"""`vdata train sft`: supervised fine-tuning on distilled CoT rows, read top to bottom.

Each row becomes one conversation: the engines' prompt (system text, the row's keyframes as one video with
their timestamps, the task's question) and the assistant turn `<think>{cot}</think>\\n<answer>{answer}</answer>`.
Only the assistant tokens (and the eos that closes the turn) are in the loss, averaged over every such token of
the step (token-level), across `grad_accum` micro-batches.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError
from vdata.train import checkpoint
from vdata.train.config import SFTConfig
from vdata.train.data import Prepare, Sample
from vdata.train.log import Record
from vdata.train.losses import masked_mean

logger = logging.getLogger(__name__)


@dataclass
class TrainResult:
    """What a run left: `out` (the run folder), `final` (the saved model), `steps` done, the step `records`."""

    out: Path
    final: Path
    steps: int
    records: list[Record] = field(default_factory=list)


def encode_sft_batch(processor: Any, samples: list[Sample], config: SFTConfig):
    """Model inputs [N, P + T] and labels [N, P + T] (-100 outside the assistant turn) for samples with a target."""
    from vdata.train.model import encode_prompts, encode_targets, with_completions

    inputs = encode_prompts(processor, [s.prompt for s in samples], config.max_pixels, [s.images for s in samples])
    ids, mask = encode_targets(processor, [s.target for s in samples], inputs["input_ids"].device)
    return with_completions(inputs, ids, mask)


def next_samples(data: Any, count: int) -> tuple[list[Sample], int]:
    """The next `count` samples that have an SFT target from the stream, and how many rows without one (no `cot`
    or no answer) were skipped on the way; a stream that yields none in 1000 rows in a row raises."""
    samples, skipped = [], 0
    while len(samples) < count:
        sample = data.next()
        if sample.target is None:
            skipped += 1
            if skipped >= 1000 and not samples:
                raise ConfigError("no row has both `cot` and an answer; distill the dataset first (vdata distill)")
            continue
        samples.append(sample)
    return samples, skipped


def train_sft(config: SFTConfig, on_step: Callable[[Record], None] | None = None) -> TrainResult:
    """Fine-tune `config.model` on the rows of `config.data`; checkpoints and `log.jsonl` go to `config.out`."""
    # -- setup ---------------------------------------------------------------------------------------------
    from vdata.train.model import require_torch

    require_torch()  # a missing torch names the extra to install, before anything else

    from vdata.train import setup
    from vdata.train.distributed import all_sum, clip_gradients, equal_micro_batches
    from vdata.train.model import label_logprobs, to_device
    from vdata.train.tokens import split_by_tokens

    run = setup.start(config, total_updates=config.max_steps, prepare=Prepare(sft=True))
    model, processor, optimizer, scheduler = run.model, run.processor, run.optimizer, run.scheduler
    micro = config.batch_size // run.world // config.grad_accum
    records: list[Record] = []

    for step in range(run.start_step, config.max_steps):
        start = time.perf_counter()
        batch, skipped = next_samples(run.data, config.batch_size // run.world)  # this process's share
        if config.max_tokens_per_batch is None:
            groups = [batch[i : i + micro] for i in range(0, len(batch), micro)]
        else:  # packed to the token budget: many short samples together, a long one alone
            groups = split_by_tokens(batch, config.max_tokens_per_batch, size=lambda s: s.tokens)
            if config.fsdp:  # a sharded forward is a collective: as many on every process
                groups = equal_micro_batches(groups, run.accelerator)
        micro_batches = []
        for group in groups:
            inputs, labels = encode_sft_batch(processor, group, config)
            micro_batches.append((to_device(inputs, run.device), labels.to(run.device)))
        num_tokens = all_sum(sum(int((labels != -100).sum()) for _, labels in micro_batches), run.accelerator)

        # -- loss: mean negative log-likelihood over every assistant token of the step (all processes) ----------
        loss_sum = 0.0
        for k, (inputs, labels) in enumerate(micro_batches):
            # DDP syncs gradients on the last micro-batch's backward only: once per step on every process,
            # whatever number of micro-batches each one packed (a backward per all-reduce would hang)
            last = k == len(micro_batches) - 1
            with nullcontext() if last or run.accelerator is None or config.fsdp else run.accelerator.no_sync(model):
                logp, mask = label_logprobs(model, inputs, labels)  # [n, T], [n, T]
                loss = masked_mean(-logp, mask, denominator=num_tokens)
                (loss * run.world).backward()  # DDP and FSDP average the processes' gradients: x world, their sum
            loss_sum += loss.item()
        loss_sum = all_sum(loss_sum, run.accelerator)

        # -- update ---------------------------------------------------------------------------------------
        grad_norm = clip_gradients(model, config.max_grad_norm)  # over every process's shards under FSDP
        lr = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)

        # -- log ------------------------------------------------------------------------------------------
        step_s = time.perf_counter() - start
        seq_tokens = all_sum(sum(int(inputs["attention_mask"].sum()) for inputs, _ in micro_batches), run.accelerator)
        record = {
            "step": step + 1,
            "loss": loss_sum,
            "grad_norm": grad_norm,
            "lr": lr,
            "assistant_tokens": num_tokens,
            "tokens": seq_tokens,
            "micro_batches": int(all_sum(len(micro_batches), run.accelerator)),  # over the processes
            "skipped_rows": int(all_sum(skipped, run.accelerator)),
            "tokens_per_s": seq_tokens / step_s,
            "step_s": step_s,
            "gpu_mem_gb": setup.gpu_memory_gb(),
        }
        finish_step(run, config, record, records, on_step)

    return finish_run(run, config, records)


def finish_step(run: Any, config: SFTConfig, record: Record, records: list[Record], on_step: Any) -> None:
    """Evaluate on the held-out rows when due (the `eval/...` fields join the record), log the step's record,
    save a checkpoint when one is due, call `on_step`."""
    from vdata.train.distributed import full_optimizer_state, full_state_dict, gather, whole

    if config.eval_every and record["step"] % config.eval_every == 0:
        with whole(run.policy):  # FSDP: every process gathers the weights, then rank 0 generates alone
            if run.is_main:
                from vdata.train.evaluate import evaluate, held_out

                if run.eval_samples is None:
                    run.eval_samples = held_out(config)
                record.update(evaluate(run.policy, run.processor, run.eval_samples, config, run.device))
    records.append(record)
    if config.save_every and record["step"] % config.save_every == 0:
        states = gather((run.data.state(), checkpoint.rng_state()), run.accelerator)  # every rank's position, RNG
        # FSDP: every process sends its shards of the weights and of AdamW's state to rank 0 (None otherwise)
        weights, optimizer_state = full_state_dict(run.policy), full_optimizer_state(run.policy, run.optimizer)
        if run.is_main:
            data, rngs = [d for d, _ in states], [r for _, r in states]
            checkpoint.save(config.out, record["step"], run, config, data if run.world > 1 else data[0], rngs,
                            weights, optimizer_state)
    if not run.is_main:
        return
    run.log.write(record)
    if on_step is not None:
        on_step(record)


def finish_run(run: Any, config: SFTConfig, records: list[Record]) -> TrainResult:
    """Save the final model and processor to `out/final` (a LoRA run merged, or its adapter when not
    `lora_merge`), close the logs and the data workers."""
    from vdata.train.distributed import end, full_state_dict
    from vdata.train.model import save_model

    final = Path(config.out) / "final"
    run.data.close()
    state = full_state_dict(run.policy)  # FSDP: every process sends its shards to rank 0
    if run.is_main:
        save_model(run.policy, run.processor, final, merge=config.lora_merge, state_dict=state)
        run.log.close()
    end(run.accelerator)
    return TrainResult(Path(config.out), final, config.max_steps, records)
