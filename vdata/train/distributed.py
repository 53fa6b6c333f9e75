"""Several processes (one per GPU, or gloo on CPU) through `accelerate`: DDP for SFT, summed gradients for GRPO.

`vdata train sft|grpo --num-processes N` relaunches itself as N processes with `torch.distributed.run` (`python -m
vdata.train sft --config RUN/config.yaml`); `accelerate launch -m vdata.train sft ...` and `torchrun -m vdata.train
...` start the same thing. In each process `accelerate.Accelerator` wraps the model in DDP; `--batch-size` is the
global batch (each process takes its share of rows or prompts from its own slice of the stream), and the loss is
normalised by the totals of the whole step across processes (tokens, sequences, micro-batches), so N processes
compute what one would with the same global batch. GRPO's processes roll out their own prompts and sum their
gradients once per optimizer step (`sum_gradients`). Rank 0 writes the logs, checkpoints (with every rank's stream position) and the final model.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def world_size() -> int:
    """Processes of the current launch (`WORLD_SIZE`, set by torchrun and accelerate; 1 when not launched).

    >>> world_size() >= 1
    True
    """
    return int(os.environ.get("WORLD_SIZE", "1"))


def relaunch(stage: str, config_path: Path, num_processes: int) -> int:
    """Run `python -m vdata.train STAGE --config CONFIG_PATH --json` as `num_processes` processes on this machine;
    return the exit code of the launch."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={num_processes}",
               "-m", "vdata.train", stage, "--config", str(config_path), "--json"]
    return subprocess.run(command, check=False).returncode


def accelerator(device: str) -> Any:
    """An `accelerate.Accelerator` for this process when launched as several (None otherwise)."""
    if world_size() <= 1:
        return None
    from accelerate import Accelerator

    return Accelerator(cpu=device == "cpu")


def all_sum(value: float, acc: Any) -> float:
    """`value` summed over the processes (itself when there is one)."""
    if acc is None:
        return value
    import torch

    return float(acc.reduce(torch.tensor([float(value)], device=acc.device), reduction="sum")[0])


def sum_gradients(model: Any, acc: Any) -> None:
    """Replace each trainable parameter's gradient by its sum over the processes (one all-reduce of them all, a
    missing gradient counting 0); nothing when there is one process. GRPO's ranks keep different numbers of
    completions, so they sync here once per optimizer step rather than in DDP's per-backward hooks."""
    if acc is None:
        return
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
    flat = acc.reduce(torch.cat([p.grad.reshape(-1) for p in params]), reduction="sum")
    for p, part in zip(params, torch.split(flat, [p.numel() for p in params]), strict=True):
        p.grad.copy_(part.view_as(p.grad))


def gather(value: Any, acc: Any) -> list[Any]:
    """Every process's `value`, in rank order (`[value]` when there is one process)."""
    if acc is None:
        return [value]
    from accelerate.utils import gather_object

    return gather_object([value])
