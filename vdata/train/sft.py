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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vdata.train import checkpoint
from vdata.train.config import SFTConfig
from vdata.train.data import batch_indices, load_rows, sft_rows
from vdata.train.log import Record, StepLog
from vdata.train.losses import masked_mean

logger = logging.getLogger(__name__)


@dataclass
class TrainResult:
    """What a run left: `out` (the run folder), `final` (the saved model), `steps` done, the step `records`."""

    out: Path
    final: Path
    steps: int
    records: list[Record] = field(default_factory=list)


def encode_sft_batch(
    processor: Any, templates: Any, pairs: list[tuple[dict[str, Any], str]], config: SFTConfig
):
    """Model inputs [N, P + T] and labels [N, P + T] (-100 outside the assistant turn) for (row, target) pairs."""
    from vdata.train.model import encode_prompts, encode_targets, with_completions

    prompts = [templates.prompt(row) for row, _ in pairs]
    inputs = encode_prompts(processor, prompts, config.max_pixels)
    ids, mask = encode_targets(processor, [target for _, target in pairs], inputs["input_ids"].device)
    return with_completions(inputs, ids, mask)


def train_sft(config: SFTConfig, on_step: Callable[[Record], None] | None = None) -> TrainResult:
    """Fine-tune `config.model` on the rows of `config.data`; checkpoints and `log.jsonl` go to `config.out`."""
    # -- setup ---------------------------------------------------------------------------------------------
    from vdata.train.model import require_torch

    require_torch()  # a missing torch names the extra to install, before anything else
    import torch

    from vdata.engines import Templates
    from vdata.train import setup
    from vdata.train.model import label_logprobs, to_device

    pairs = sft_rows(load_rows(config.data, config.split))
    run = setup.start(config, total_updates=config.max_steps)
    model, processor, optimizer, scheduler = run.model, run.processor, run.optimizer, run.scheduler
    templates = Templates()
    log = StepLog(config.out, run.start_step)
    micro = config.batch_size // config.grad_accum
    records: list[Record] = []

    for step in range(run.start_step, config.max_steps):
        start = time.perf_counter()
        batch = [pairs[i] for i in batch_indices(len(pairs), config.batch_size, step, config.seed)]
        micro_batches = []
        for i in range(0, len(batch), micro):
            inputs, labels = encode_sft_batch(processor, templates, batch[i : i + micro], config)
            micro_batches.append((to_device(inputs, run.device), labels.to(run.device)))
        num_tokens = sum(int((labels != -100).sum()) for _, labels in micro_batches)

        # -- loss: mean negative log-likelihood over every assistant token of the step ------------------------
        loss_sum = 0.0
        for inputs, labels in micro_batches:
            logp, mask = label_logprobs(model, inputs, labels)  # [n, T], [n, T]
            loss = masked_mean(-logp, mask, denominator=num_tokens)
            loss.backward()
            loss_sum += loss.item()

        # -- update ---------------------------------------------------------------------------------------
        grad_norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm))
        lr = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)

        # -- log ------------------------------------------------------------------------------------------
        step_s = time.perf_counter() - start
        seq_tokens = sum(int(inputs["attention_mask"].sum()) for inputs, _ in micro_batches)
        record = {
            "step": step + 1,
            "loss": loss_sum,
            "grad_norm": grad_norm,
            "lr": lr,
            "assistant_tokens": num_tokens,
            "tokens_per_s": seq_tokens / step_s,
            "step_s": step_s,
            "gpu_mem_gb": setup.gpu_memory_gb(),
        }
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
