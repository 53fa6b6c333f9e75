"""Checkpoints: the model and processor as safetensors (`save_pretrained`), plus `trainer_state.pt` holding the
step, optimizer, scheduler and every RNG state, so a resumed run continues exactly where it stopped.

Layout: `RUN/checkpoints/step-000010/` (one folder per saved step) and `RUN/final/` (the model only).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError

STATE_FILE = "trainer_state.pt"
CONFIG_FILE = "vdata_train.json"


def checkpoint_dir(out: Path, step: int) -> Path:
    """`out/checkpoints/step-NNNNNN` for optimizer step `step` (1-based: the number of steps done)."""
    return Path(out) / "checkpoints" / f"step-{step:06d}"


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


def save(out: Path, step: int, run: Any, config: dict[str, Any]) -> Path:
    """Write the checkpoint of `run` (a `setup.Run`) after `step` steps, atomically: a temporary folder renamed
    at the end. Returns its folder, `checkpoint_dir(out, step)`."""
    import torch

    path = checkpoint_dir(out, step)
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    run.model.save_pretrained(tmp, safe_serialization=True)
    run.processor.save_pretrained(tmp)
    state = {
        "step": step,
        "optimizer": run.optimizer.state_dict(),
        "scheduler": run.scheduler.state_dict(),
        "rng": rng_state(),
    }
    torch.save(state, tmp / STATE_FILE)
    (tmp / CONFIG_FILE).write_text(json.dumps(config, indent=2), encoding="utf-8")
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)
    return path


def find(out: Path, resume: str | None) -> Path | None:
    """The checkpoint to resume from: `resume` itself, the latest under `out/checkpoints` for `auto`
    (None when there is none yet), or None when `resume` is None."""
    if resume is None:
        return None
    if resume == "auto":
        done = sorted(p for p in (Path(out) / "checkpoints").glob("step-*") if (p / STATE_FILE).exists())
        return done[-1] if done else None
    path = Path(resume)
    if not (path / STATE_FILE).exists():
        raise ConfigError(f"--resume {resume}: not a checkpoint (no {STATE_FILE} in it)")
    return path


def load_state(path: Path, optimizer: Any, scheduler: Any) -> int:
    """Restore optimizer, scheduler and RNG states from checkpoint `path`; return the step it was saved at."""
    import torch

    state = torch.load(Path(path) / STATE_FILE, weights_only=False, map_location="cpu")
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    set_rng_state(state["rng"])
    return int(state["step"])
