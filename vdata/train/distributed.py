"""Several processes (one per GPU, or gloo on CPU) through `accelerate`: DDP for SFT.

`vdata train sft --num-processes N` relaunches itself as N processes with `torch.distributed.run` (`python -m
vdata.train sft --config RUN/config.yaml`); `accelerate launch -m vdata.train sft ...` and `torchrun -m vdata.train
...` start the same thing. In each process `accelerate.Accelerator` wraps the model in DDP; `--batch-size` is the
global batch (each process takes its share of rows from its own slice of the stream), and the loss is normalised
by the token count of the whole step across processes, so N processes compute what one would with the same
global batch. Rank 0 writes the logs, checkpoints (with every rank's stream position) and the final model.
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


def gather(value: Any, acc: Any) -> list[Any]:
    """Every process's `value`, in rank order (`[value]` when there is one process)."""
    if acc is None:
        return [value]
    from accelerate.utils import gather_object

    return gather_object([value])
