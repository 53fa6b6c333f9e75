"""What both loops start with: seeds, the policy and its processor, AdamW with a cosine schedule, the data
stream, the logs, resume."""

from __future__ import annotations

import functools
import logging
import random
from dataclasses import dataclass, replace
from typing import Any

from vdata.errors import ConfigError
from vdata.train import checkpoint, distributed
from vdata.train.config import SFTConfig, write_config
from vdata.train.losses import cosine_schedule
from vdata.train.model import (
    adapt,
    count_parameters,
    load_model,
    load_processor,
    require_torch,
    resolve_device,
)

logger = logging.getLogger(__name__)


@dataclass
class Run:
    """The live objects of a run: `model` trains (wrapped in DDP when several processes run, sharded in place with
    `--fsdp`), `policy` is the model itself (to generate and save); `start_step` is the number of optimizer steps already done (0 when fresh);
    `data` yields this process's `Sample`s in order (`stream.Position`); `log` writes the step records;
    `eval_samples` are the held-out samples, read at the first evaluation; `accelerator` is the
    `accelerate.Accelerator` of a launch of several processes (None for one), `rank` and `world` this process's
    index and their count, `is_main` True on rank 0 (it writes logs, checkpoints and the final model)."""

    model: Any
    processor: Any
    optimizer: Any
    scheduler: Any
    device: str
    dtype: Any
    start_step: int
    data: Any
    log: Any
    policy: Any = None
    accelerator: Any = None
    rank: int = 0
    world: int = 1
    eval_samples: list[Any] | None = None

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def seed_all(seed: int) -> None:
    """Seed Python, numpy and torch (CPU and CUDA)."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def start(config: SFTConfig, total_updates: int, prepare: Any, wrap: bool = True) -> Run:
    """Load the policy (from the checkpoint when resuming), build its optimizer and scheduler, open the data stream
    at the saved position (rows go through `prepare` in the workers) and the logs; write `out/config.yaml`.

    `total_updates` is the number of optimizer steps the cosine schedule spans. With several processes, `wrap`
    puts the model in DDP (SFT), or shards it with `--fsdp` (`distributed.shard`, before the optimizer is built on
    the shards); GRPO (`wrap=False`) sums the gradients itself (`distributed.sum_gradients`).
    """
    require_torch()
    import torch

    from vdata.train.log import StepLog
    from vdata.train.stream import Position, RowStream, StreamState

    seed_all(config.seed)
    resume_from = checkpoint.find(config.out, config.resume)
    device, dtype = resolve_device(config.device, config.dtype)
    acc = distributed.accelerator(device)
    rank, world = (acc.process_index, acc.num_processes) if acc else (0, 1)
    if config.fsdp and acc is None:
        raise ConfigError("--fsdp shards the model over several processes: add --num-processes N (N >= 2) or start "
                          "the run with torchrun or accelerate launch")
    if acc is not None:
        device = str(acc.device)
        if config.batch_size % (world * config.grad_accum):
            raise ConfigError(f"--batch-size {config.batch_size} is not a multiple of {world} processes x "
                              f"--grad-accum {config.grad_accum}")
    source = str(resume_from) if resume_from else config.model
    # a LoRA checkpoint holds the adapter only: the base model comes from --model
    weights = config.model if config.lora_r else source
    model = load_model(weights, device, dtype, trainable=True, gradient_checkpointing=config.gradient_checkpointing)
    adapter = source if config.lora_r and resume_from else None
    model = adapt(model, config.lora_r, config.lora_alpha, config.lora_targets, config.freeze_vision, adapter)
    processor = load_processor(source)
    if config.fsdp:
        model = distributed.shard(model)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.lr, weight_decay=config.weight_decay)
    schedule = functools.partial(cosine_schedule, warmup_steps=config.warmup_steps, total_steps=total_updates)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    if resume_from:
        distributed.check_resume(resume_from, config.fsdp)
        target = distributed.ShardedOptimizer(model, optimizer) if config.fsdp else optimizer
        start_step, data_state = checkpoint.load_state(resume_from, target, scheduler)
    else:
        start_step, data_state = 0, None
    policy = model
    if acc is not None and wrap and not config.fsdp:
        model, optimizer = acc.prepare(model, optimizer)
    state = StreamState(0, world, config.num_workers, config.seed, config.shuffle_buffer)
    if data_state is not None:
        saved = StreamState(**(data_state[rank] if isinstance(data_state, list) else data_state))
        if replace(saved, consumed=0) != state:
            raise ConfigError(
                f"--resume {resume_from}: the data order was {saved} and cannot continue as {state}; resume with the "
                "same --num-processes, --num-workers, --seed and --shuffle-buffer"
            )
        state = saved
    if config.max_tokens_per_batch is not None:  # the workers count each sample's tokens for the packing
        from vdata.engines.tokens import TokenCounter

        prepare = replace(prepare, counter=TokenCounter(processor, config.max_pixels))
    data = Position(RowStream(config.data, config.split, state, rank=rank, transform=prepare))
    log = None
    if rank == 0:
        write_config(config, config.out)
        log = StepLog(config.out, start_step, config.reporters, config.to_json())
    logger.info(
        "%s: %.1fM parameters (%.1fM trained) on %s (%s), starting at step %d",
        source,
        count_parameters(model) / 1e6,
        sum(p.numel() for p in trainable) / 1e6,
        device,
        dtype,
        start_step,
    )
    return Run(model, processor, optimizer, scheduler, device, dtype, start_step, data, log, policy, acc, rank, world)


def gpu_memory_gb() -> float | None:
    """Peak CUDA memory allocated so far, in GB; None on CPU."""
    import torch

    return torch.cuda.max_memory_allocated() / 1e9 if torch.cuda.is_available() else None
