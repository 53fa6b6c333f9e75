"""Checkpoints: the model and processor as safetensors (`save_pretrained`), plus `trainer_state.pt` holding the
step, optimizer, scheduler, the data stream's position and the RNG states of every process (a list, one per rank,
when several train: each rank's sampling continues from its own state), so a resumed run continues exactly where
it stopped.

Layout as TRL's: `RUN/checkpoint-10/` (one folder per saved step, with `config.yaml`) and `RUN/final/` (the model
and processor only).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError

STATE_FILE = "trainer_state.pt"


def checkpoint_dir(out: Path, step: int) -> Path:
    """`out/checkpoint-N` for optimizer step `step` (1-based: the number of steps done), as TRL names them.

    >>> checkpoint_dir(Path("run"), 20).as_posix()
    'run/checkpoint-20'
    """
    return Path(out) / f"checkpoint-{step}"


def rng_state() -> dict[str, Any]:
    """Python's, numpy's, torch's CPU and (when present) CUDA generator states."""
    import numpy as np
    import torch

    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what `rng_state` returned."""
    import numpy as np
    import torch

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save(
    out: Path, step: int, run: Any, config: Any, data_state: Any = None, rng_states: list[Any] | None = None,
    weights: dict[str, Any] | None = None, optimizer_state: dict[str, Any] | None = None,
) -> Path:
    """Write the checkpoint of `run` (a `setup.Run`) after `step` steps, atomically: a temporary folder renamed
    at the end. `data_state` is the data stream's position (`vdata.train.stream`; a list, one per rank, when
    several processes train); `rng_states` every rank's `rng_state()` in rank order (None: this process's alone);
    `weights` and `optimizer_state` the whole states of a sharded (`--fsdp`) run, gathered by every process
    (`distributed.full_state_dict`, `distributed.full_optimizer_state`; None: the run's own).
    Returns its folder, `checkpoint_dir(out, step)`."""
    import torch

    from vdata.train.config import write_config
    from vdata.train.model import save_model

    path = checkpoint_dir(out, step)
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    save_model(run.policy, run.processor, tmp, merge=False, state_dict=weights)  # a LoRA run keeps its adapter only
    rngs = rng_states or [rng_state()]
    state = {
        "step": step,
        "optimizer": run.optimizer.state_dict() if optimizer_state is None else optimizer_state,
        "scheduler": run.scheduler.state_dict(),
        "rng": rngs if len(rngs) > 1 else rngs[0],
        "data": data_state,
    }
    torch.save(state, tmp / STATE_FILE)
    write_config(config, tmp)
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)
    return path


def find(out: Path, resume: str | None) -> Path | None:
    """The checkpoint to resume from: `resume` itself, the latest `out/checkpoint-N` for `auto` (None when there
    is none yet), or None when `resume` is None."""
    if resume is None:
        return None
    if resume == "auto":
        done = [p for p in Path(out).glob("checkpoint-*") if p.name[11:].isdigit() and (p / STATE_FILE).exists()]
        return max(done, key=lambda p: int(p.name[11:])) if done else None
    path = Path(resume)
    if not (path / STATE_FILE).exists():
        raise ConfigError(f"--resume {resume}: not a checkpoint (no {STATE_FILE} in it)")
    return path


def load_state(path: Path, optimizer: Any, scheduler: Any, rank: int | None = None) -> tuple[int, Any]:
    """Restore optimizer, scheduler and this process's RNG states from checkpoint `path` (rank `rank`'s, by default
    torch.distributed's rank, 0 when not launched; a checkpoint of one process gives every rank its state); return
    the step it was saved at and the data stream's saved position (None when the checkpoint has none)."""
    import torch

    state = torch.load(Path(path) / STATE_FILE, weights_only=False, map_location="cpu")
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    if rank is None:
        rank = torch.distributed.get_rank() if torch.distributed.is_initialized() else 0
    rng = state["rng"]
    set_rng_state(rng[rank] if isinstance(rng, list) else rng)
    return int(state["step"]), state.get("data")
