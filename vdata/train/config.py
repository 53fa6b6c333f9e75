"""Training options: `SFTConfig` and `GRPOConfig`, frozen dataclasses; the CLI and YAML files read them from here.

A YAML `--config` file holds the same keys as the flags (`max-steps` or `max_steps`); flags given on the command
line win over the file, the file over the defaults below.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from vdata.errors import ConfigError
from vdata.rewards.weights import DEFAULT_REWARDS, parse_weights

DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "bfloat16", "float16", "float32")


@dataclass(frozen=True)
class SFTConfig:
    """What `vdata train sft` does.

    - `data`: a built vdata dataset (rows need `cot` and an answer); `split`: the split to train on.
    - `model`: a local path or hub id of a Qwen-VL-family `AutoModelForImageTextToText`; `out`: the run folder
      (`log.jsonl`, `checkpoints/step-NNNNNN/`, `final/`).
    - `max_steps`: optimizer steps. `batch_size`: rows per optimizer step, processed in `grad_accum` micro-batches.
    - `lr`, `warmup_steps`, `weight_decay`, `max_grad_norm`: AdamW with linear warm-up then cosine decay to 0.
    - `seed`: data order, sampling and initial RNG state. `device`: `auto` (CUDA when available), `cpu`, `cuda`.
      `dtype`: `auto` = bfloat16 on CUDA, float32 on CPU. `gradient_checkpointing`: trade compute for memory.
    - `max_pixels`: pixel budget per frame given to the processor (None = its default).
    - `save_every`: steps between checkpoints (0 = only the final one). `resume`: a checkpoint folder, or `auto`
      for the latest under `out/checkpoints` (none = start fresh).
    """

    data: Path
    model: str
    out: Path
    split: str = "train"
    max_steps: int = 100
    batch_size: int = 8
    grad_accum: int = 1
    lr: float = 1e-5
    warmup_steps: int = 0
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    seed: int = 0
    device: str = "auto"
    dtype: str = "auto"
    gradient_checkpointing: bool = False
    max_pixels: int | None = None
    save_every: int = 0
    resume: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", Path(self.data))
        object.__setattr__(self, "out", Path(self.out))
        if not self.model:
            raise ConfigError("--model is required: a local path or hub id")
        for key in ("max_steps", "batch_size", "grad_accum"):
            if getattr(self, key) < 1:
                raise ConfigError(f"--{_flag(key)} must be >= 1, got {getattr(self, key)}")
        self._check_micro_batches()
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ConfigError(f"--lr must be > 0, got {self.lr}")
        for key in ("warmup_steps", "save_every"):
            if getattr(self, key) < 0:
                raise ConfigError(f"--{_flag(key)} must be >= 0, got {getattr(self, key)}")
        if self.weight_decay < 0 or not self.max_grad_norm > 0:
            raise ConfigError(
                f"--weight-decay >= 0 and --max-grad-norm > 0 required, got {self.weight_decay}, {self.max_grad_norm}"
            )
        if self.device.split(":")[0] not in DEVICES:
            raise ConfigError(f"--device must be auto, cpu, cuda or cuda:N, got {self.device!r}")
        if self.dtype not in DTYPES:
            raise ConfigError(f"--dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")
        if self.max_pixels is not None and self.max_pixels < 28 * 28:
            raise ConfigError(f"--max-pixels must be >= 784 (one 28x28 patch), got {self.max_pixels}")

    def _check_micro_batches(self) -> None:
        if self.batch_size % self.grad_accum:
            raise ConfigError(
                f"--batch-size must be a multiple of --grad-accum, got {self.batch_size} and {self.grad_accum}"
            )

    def to_json(self) -> dict[str, Any]:
        """The options as JSON-able values (paths as strings)."""
        data = asdict(self)
        data["data"], data["out"] = str(self.data), str(self.out)
        return data


@dataclass(frozen=True)
class GRPOConfig(SFTConfig):
    """What `vdata train grpo` does: the `SFTConfig` options, with `batch_size` = prompts per step, plus

    - `rewards`: `name:weight,...` from `vdata.rewards`, parsed by `vdata.rewards.weights.parse_weights`
      (default `DEFAULT_REWARDS`; negative weights allowed); each completion is judged against its own sample (a
      None reward counts 0). `num_generations`: completions per prompt (G).
    - `max_new_tokens`, `temperature`, `top_p`: sampling of the rollouts.
    - `epsilon`: PPO clip range. `mu`: optimizer steps on each batch of rollouts. `beta`: weight of the k3 KL to
      the frozen starting model (0 = no reference model is loaded). `scale_rewards`: divide advantages by the
      group's std (False = Dr. GRPO). Groups whose rewards are all equal are dropped and counted.
    - `temporal_contrast`: T-GRPO (Video-R1): G more rollouts per prompt on shuffled frames; ordered completions
      get the `temporal_contrast` group bonus when the group does better on ordered than on shuffled frames.
    """

    lr: float = 1e-6
    batch_size: int = 4
    rewards: str = DEFAULT_REWARDS
    num_generations: int = 8
    max_new_tokens: int = 256
    temperature: float = 1.0
    top_p: float = 1.0
    epsilon: float = 0.2
    mu: int = 1
    beta: float = 0.04
    scale_rewards: bool = True
    temporal_contrast: bool = False

    def __post_init__(self) -> None:
        if self.num_generations < 2:
            raise ConfigError(
                f"--num-generations must be >= 2 (advantages compare a group), got {self.num_generations}"
            )
        super().__post_init__()
        parse_weights(self.rewards, flag="--rewards")
        if self.max_new_tokens < 1 or self.mu < 1:
            raise ConfigError(f"--max-new-tokens and --mu must be >= 1, got {self.max_new_tokens}, {self.mu}")
        if not (self.temperature > 0 and 0 < self.top_p <= 1):
            raise ConfigError(
                f"--temperature > 0 and --top-p in (0, 1] required, got {self.temperature}, {self.top_p}"
            )
        if not (0 < self.epsilon < 1 and self.beta >= 0):
            raise ConfigError(
                f"--epsilon in (0, 1) and --beta >= 0 required, got {self.epsilon}, {self.beta}"
            )

    def _check_micro_batches(self) -> None:
        completions = self.batch_size * self.num_generations
        if completions % self.grad_accum:
            raise ConfigError(
                f"--batch-size x --num-generations must be a multiple of --grad-accum, got "
                f"{self.batch_size} x {self.num_generations} and {self.grad_accum}"
            )


C = TypeVar("C", bound=SFTConfig)


def load_config(cls: type[C], path: Path | None = None, **flags: Any) -> C:
    """A `cls` from the YAML file at `path` (keys as flags: `max-steps` or `max_steps`) and `flags`.

    Flags that are None were not given and do not override the file.
    """
    known = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    if path is not None:
        try:
            import yaml
        except ImportError:
            raise ConfigError("--config needs PyYAML: pip install 'vdata[train]'") from None
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except OSError as e:
            raise ConfigError(f"--config {path}: cannot read it ({e.strerror})") from None
        except yaml.YAMLError as e:
            raise ConfigError(f"--config {path}: not valid YAML ({e})") from None
        if not isinstance(loaded, dict):
            raise ConfigError(
                f"--config {path}: expected a mapping of flag: value, got {type(loaded).__name__}"
            )
        for key, value in loaded.items():
            name = str(key).replace("-", "_")
            if name not in known:
                raise ConfigError(
                    f"--config {path}: unknown key {key!r}; known: {', '.join(sorted(map(_flag, known)))}"
                )
            values[name] = value
    values.update({k: v for k, v in flags.items() if v is not None})
    for key in ("data", "model", "out"):
        if key not in values:
            raise ConfigError(f"--{key} is required (on the command line or in --config)")
    return cls(**values)


def _flag(name: str) -> str:
    return name.replace("_", "-")
