"""Several processes (one per GPU, or gloo on CPU) through `accelerate`: DDP for SFT, summed gradients for GRPO, or
FSDP for either.

`vdata train sft|grpo --num-processes N` relaunches itself as N processes with `torch.distributed.run` (`python -m
vdata.train sft --config RUN/config.yaml`); `accelerate launch -m vdata.train sft ...` and `torchrun -m vdata.train
...` start the same thing. In each process `accelerate.Accelerator` wraps the model in DDP; `--batch-size` is the
global batch (each process takes its share of rows or prompts from its own slice of the stream), and the loss is
normalised by the totals of the whole step across processes (tokens, sequences, micro-batches), so N processes
compute what one would with the same global batch. GRPO's processes roll out their own prompts and sum their
gradients once per optimizer step (`sum_gradients`). Rank 0 writes the logs, checkpoints (with every rank's stream
position) and the final model.

With `--fsdp`, the model is sharded instead of replicated (`shard`: torch's FSDP2 `fully_shard`, one unit per
decoder layer, the model's `_no_split_modules` outside the vision tower): each process holds 1/N of the weights, gradients and AdamW state, and
gathers one block's weights for its forward and backward. Every process must then run the same number of forward
passes (SFT splits micro-batches, `equal_micro_batches`; GRPO runs the missing ones with a zero loss,
`missing_passes`); generation (GRPO's rollouts, evaluation) runs on the whole weights (`whole`); the gradient norm
is clipped over every process's shards (`clip_gradients`); checkpoints and the final model are gathered whole onto
rank 0 (`full_state_dict`, `full_optimizer_state`) and saved as any model.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from vdata.errors import ConfigError


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


def end(acc: Any) -> None:
    """The end of a launch: every process waits for the others (rank 0 saving the final model), then leaves the
    process group; nothing when there is one process. A process that left while another still used the group
    could abort it."""
    if acc is None:
        return
    import torch.distributed as dist

    acc.wait_for_everyone()
    if dist.is_initialized():
        dist.destroy_process_group()


def leave(code: int | str | None) -> NoReturn:
    """End a launched process with exit status `code` (`SystemExit.code`: None is 0; a message is printed to stderr
    and is 1) without the interpreter's teardown: stdout, stderr and logging are flushed, then `os._exit`. A
    rank whose run had finished (its process group left, `end`) sometimes aborted in that teardown ("terminate
    called without an active exception", SIGABRT: a native thread still running while C++ destructors run), and
    torchrun then failed the whole launch; seen once in a test suite run on 2 busy cores. Every file the run writes
    is closed before (`finish_run`)."""
    import logging

    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code or 0)


def accelerator(device: str) -> Any:
    """An `accelerate.Accelerator` for this process when launched as several (None otherwise)."""
    if world_size() <= 1:
        return None
    if os.environ.get("ACCELERATE_USE_FSDP", "false").lower() == "true":  # set by `accelerate launch --use_fsdp`
        raise ConfigError("accelerate's FSDP options are not read: vdata shards the model itself; launch without "
                          "--use_fsdp and pass --fsdp to vdata train sft")
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
    if is_sharded(model):  # FSDP reduce-scattered each shard's mean over the processes: x processes is their sum
        for p in model.parameters():
            if p.grad is not None:
                p.grad.mul_(acc.num_processes)
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


def check_fsdp(config: Any) -> None:
    """Refuse what `--fsdp` does not run with: vLLM rollouts (their weight sync reads the policy's own weights,
    which are shards)."""
    if getattr(config, "rollout_engine", None) == "vllm":
        raise ConfigError("--fsdp with --rollout-engine vllm: its weight sync would read one process's shards; use "
                          "--rollout-engine transformers (or drop --fsdp)")


def shard(model: Any) -> Any:
    """Shard `model` in place over the processes with FSDP2 (`torch.distributed.fsdp.fully_shard`) and return it:
    each language-model block (a module whose class is in the model's `_no_split_modules`: Qwen2/2.5/3-VL's decoder
    layers) is its own unit, its weights gathered for its forward and backward and freed after; the root unit holds
    the rest (embeddings, lm_head, norms, the vision tower). The vision blocks stay in the root unit: `generate`
    runs the vision tower outside the model's forward (it encodes images and videos first), where a unit of their
    own would start before the root's. Parameters become DTensors sharded on dim 0; backward reduce-scatters the
    gradients averaged over the processes, as DDP averages them."""
    from torch.distributed.fsdp import fully_shard

    from vdata.train.model import vision_tower

    blocks = set(getattr(model, "_no_split_modules", None) or ())
    tower = vision_tower(model.get_base_model() if hasattr(model, "get_base_model") else model)  # PEFT: its base
    vision = set(tower.modules()) if tower is not None else set()
    units = [module for module in model.modules() if type(module).__name__ in blocks and module not in vision]
    if not units:
        raise ConfigError(f"--fsdp: {type(model).__name__} names no blocks to shard by (`_no_split_modules`)")
    for unit in units:
        fully_shard(unit)
    fully_shard(model)
    return model


def is_sharded(model: Any) -> bool:
    """Whether `model` went through `shard` (FSDP2)."""
    from torch.distributed.fsdp import FSDPModule

    return isinstance(model, FSDPModule)


@contextlib.contextmanager
def whole(model: Any) -> Iterator[Any]:
    """Within the block, a sharded `model` holds its whole weights on every process and keeps them across forward
    passes, so each process can generate alone, any number of tokens (no forward is a collective then); resharded
    at the end. Every process must enter it (the weights are gathered). Nothing for a model that is not sharded."""
    if not is_sharded(model):
        yield model
        return
    from torch.distributed.fsdp import FSDPModule

    units = [module for module in model.modules() if isinstance(module, FSDPModule)]
    for unit in units:
        unit.unshard()
    model.set_reshard_after_forward(False)
    try:
        yield model
    finally:
        model.set_reshard_after_forward(True)
        for unit in units:
            unit.reshard()


def clip_gradients(model: Any, max_norm: float) -> float:
    """Scale the gradients so that their global L2 norm is at most `max_norm`; return the norm before clipping.
    Under FSDP the gradients are DTensor shards and the norm is computed over every process's shards (the same
    number as one process holding every gradient)."""
    import torch

    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    return float(norm.full_tensor() if hasattr(norm, "full_tensor") else norm)


def full_state_dict(model: Any) -> dict[str, Any] | None:
    """The whole weights of a sharded `model` as CPU tensors on rank 0 (None on the other ranks); every process
    must call it (the shards are gathered). None for a model that is not sharded: it saves its own weights."""
    if not is_sharded(model):
        return None
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

    state = get_model_state_dict(model, options=StateDictOptions(full_state_dict=True, cpu_offload=True))
    return state or None


def full_optimizer_state(model: Any, optimizer: Any) -> dict[str, Any] | None:
    """The optimizer's whole state (keyed by parameter name) as CPU tensors on rank 0 (None on the other ranks);
    every process must call it. None for a model that is not sharded: `optimizer.state_dict()` is whole."""
    if not is_sharded(model):
        return None
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_optimizer_state_dict

    options = StateDictOptions(full_state_dict=True, cpu_offload=True)
    return get_optimizer_state_dict(model, optimizer, options=options) or None


class ShardedOptimizer:
    """The optimizer of a sharded `model` as `checkpoint.load_state` loads it: `load_state_dict` takes the whole
    state that `full_optimizer_state` saved, and each process keeps its shards of it (a parameter without state,
    one that never had a gradient, starts fresh as in `torch.optim.Optimizer.load_state_dict`)."""

    def __init__(self, model: Any, optimizer: Any) -> None:
        self.model, self.optimizer = model, optimizer

    def load_state_dict(self, state: dict[str, Any]) -> None:
        from torch.distributed.checkpoint.state_dict import StateDictOptions, set_optimizer_state_dict

        options = StateDictOptions(full_state_dict=True, strict=False)
        set_optimizer_state_dict(self.model, self.optimizer, state, options=options)


def check_resume(path: Path, fsdp: bool) -> None:
    """Refuse to resume checkpoint `path` across `--fsdp` (its `config.yaml` says how it was written): the
    optimizer state is keyed by parameter name under FSDP, by position otherwise."""
    import yaml

    file = Path(path) / "config.yaml"
    saved = (yaml.safe_load(file.read_text(encoding="utf-8")) or {}) if file.exists() else {}
    if bool(saved.get("fsdp", False)) != fsdp:
        written, now = ("with", "without") if saved.get("fsdp") else ("without", "with")
        raise ConfigError(f"--resume {path}: the checkpoint was written {written} --fsdp and cannot continue "
                          f"{now} it; resume with the same --fsdp")


def missing_passes(model: Any, count: int, acc: Any) -> int:
    """How many forward passes this process, which has `count` to run, lacks to run as many as the process with the
    most: a sharded `model`'s forward is a collective of every process (0 when `model` is not sharded). Every
    process must call it."""
    return max(gather(count, acc)) - count if is_sharded(model) else 0


def equal_micro_batches(groups: list[list[Any]], acc: Any) -> list[list[Any]]:
    """`groups` split further until this process has as many micro-batches as the process with the most (the
    largest group halved first; a sharded model's forward passes must be as many on every process). Each process
    holds at least as many samples as the largest count, so the split always ends."""
    target = max(gather(len(groups), acc))
    groups = list(groups)
    while len(groups) < target:
        i = max(range(len(groups)), key=lambda k: len(groups[k]))
        half = (len(groups[i]) + 1) // 2
        groups[i : i + 1] = [groups[i][:half], groups[i][half:]]
    return groups
