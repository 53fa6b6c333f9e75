"""Training options: `SFTConfig` and `GRPOConfig`, frozen dataclasses; the CLI, YAML files and docs read them here.

Each field carries its help line (`metadata["help"]`); `vdata train sft|grpo --help` lists every field as a flag
with its default. A YAML `--config` file holds the same keys (`max-steps` or `max_steps`) or TRL's names for the
same settings (`TRL_NAMES`: `learning_rate`, `num_iterations`, `per_device_train_batch_size`, ...); flags given on
the command line win over the file, the file over the defaults below. The run folder gets the resolved options
in vdata's names (`config.yaml`), the one canonical form.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from vdata.errors import ConfigError
from vdata.rewards.weights import DEFAULT_REWARDS, parse_weights

DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "bfloat16", "float16", "float32")
REPORTERS = ("jsonl", "tensorboard", "wandb")
CONFIG_FILE = "config.yaml"


def option(default: Any, help: str) -> Any:
    """A dataclass field with its default and its one-line help (shown by `--help`)."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class SFTConfig:
    """What `vdata train sft` does: supervised fine-tuning on `<think>{cot}</think><answer>..</answer>` rows.

    `batch_size` rows per optimizer step are processed in `grad_accum` micro-batches; the learning rate warms up
    linearly then decays on a cosine to 0; `resume` restarts from a checkpoint with the same model, optimizer,
    scheduler, RNG and data position.
    """

    data: Path = option(None, "A built vdata dataset.")  # noqa: RUF009 (a field(), typed Path)
    model: str = option(None, "Local path or hub id of a Qwen-VL-family model.")
    out: Path = option(None, "Run folder: config.yaml, log.jsonl, checkpoint-N/, final/.")  # noqa: RUF009
    split: str = option("train", "Split to train on.")
    max_steps: int = option(100, "Optimizer steps.")
    batch_size: int = option(8, "Rows per optimizer step (all micro-batches).")
    grad_accum: int = option(1, "Micro-batches per optimizer step.")
    lr: float = option(1e-5, "Peak learning rate.")
    warmup_steps: int = option(0, "Linear warm-up steps, then cosine decay to 0.")
    weight_decay: float = option(0.0, "AdamW weight decay.")
    max_grad_norm: float = option(1.0, "Clip the gradient norm to this.")
    seed: int = option(0, "Seed of data order, sampling and init.")
    device: str = option("auto", "auto (CUDA when available), cpu, cuda or cuda:N.")
    dtype: str = option("auto", "auto (bf16 on GPU, fp32 on CPU), bfloat16, float16, float32.")
    gradient_checkpointing: bool = option(False, "Recompute activations in the backward pass to save memory.")
    max_pixels: int | None = option(None, "Pixel budget per frame for the processor (None: the processor's).")
    save_every: int = option(0, "Steps between checkpoints (0 = final only).")
    resume: str | None = option(None, "A checkpoint folder, or 'auto' for the latest (None: start fresh).")
    report_to: str = option("jsonl", "Where step logs go: comma-separated jsonl, tensorboard, wandb.")
    eval_split: str | None = option(None, "Held-out split evaluated during training (None: no evaluation).")
    eval_every: int = option(0, "Steps between evaluations on --eval-split (0 = never).")
    eval_rows: int = option(32, "Rows of --eval-split evaluated (the first ones).")
    eval_max_new_tokens: int = option(256, "Tokens per evaluation answer (greedy).")
    max_tokens_per_batch: int | None = option(
        None, "Token budget of a micro-batch, rows x longest with vision (None: batch-size / grad-accum rows)."
    )
    lora_r: int = option(0, "LoRA rank (0 = train every weight).")
    lora_alpha: int = option(16, "LoRA scale numerator (the update is scaled by alpha / r).")
    lora_targets: str = option("q_proj,k_proj,v_proj,o_proj", "Comma-separated module names LoRA adapts.")
    lora_merge: bool = option(True, "Save LoRA runs merged into full weights (off: the adapter only).")
    freeze_vision: bool = option(False, "Keep the vision tower's weights fixed.")
    num_processes: int = option(1, "Processes training together (one per GPU, gloo on CPU); batch-size is global.")
    fsdp: bool = option(
        False, "Shard weights, gradients and AdamW state over the processes (FSDP2) instead of a copy on each."
    )
    num_workers: int = option(2, "Data-loader processes decoding keyframes off the loop (0 = in the loop).")
    shuffle_buffer: int = option(256, "Rows shuffled together; memory holds one such window per worker.")

    def __post_init__(self) -> None:
        for key in ("data", "model", "out"):
            if not getattr(self, key):
                raise ConfigError(f"--{key} is required (on the command line or in --config)")
        object.__setattr__(self, "data", Path(self.data))
        object.__setattr__(self, "out", Path(self.out))
        for key in ("max_steps", "batch_size", "grad_accum", "num_processes"):
            if getattr(self, key) < 1:
                raise ConfigError(f"--{_flag(key)} must be >= 1, got {getattr(self, key)}")
        self._check_micro_batches()
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ConfigError(f"--lr must be > 0, got {self.lr}")
        if self.max_tokens_per_batch is not None and self.max_tokens_per_batch < 1:
            raise ConfigError(f"--max-tokens-per-batch must be >= 1, got {self.max_tokens_per_batch}")
        if self.shuffle_buffer < 1:
            raise ConfigError(f"--shuffle-buffer must be >= 1, got {self.shuffle_buffer}")
        if self.eval_every and not self.eval_split:
            raise ConfigError(f"--eval-every {self.eval_every} needs --eval-split (the held-out rows)")
        if self.eval_rows < 1 or self.eval_max_new_tokens < 1:
            raise ConfigError(f"--eval-rows and --eval-max-new-tokens must be >= 1, got {self.eval_rows}, "
                              f"{self.eval_max_new_tokens}")
        for key in ("warmup_steps", "save_every", "num_workers", "lora_r", "eval_every"):
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
        unknown = set(self.reporters) - set(REPORTERS)
        if unknown:
            raise ConfigError(f"--report-to: unknown {', '.join(sorted(unknown))}; known: {', '.join(REPORTERS)}")
        if self.fsdp:
            from vdata.train.distributed import check_fsdp

            check_fsdp(self)

    @property
    def reporters(self) -> list[str]:
        """The `report_to` names, in order (`jsonl` is always written)."""
        return [name.strip() for name in self.report_to.split(",") if name.strip() and name.strip() != "none"]

    def _check_micro_batches(self) -> None:
        if self.batch_size % (self.grad_accum * self.num_processes):
            raise ConfigError(
                f"--batch-size must be a multiple of --grad-accum x --num-processes, got {self.batch_size} and "
                f"{self.grad_accum} x {self.num_processes}"
            )

    def to_json(self) -> dict[str, Any]:
        """The options as JSON-able values (paths as strings), in vdata's names."""
        data = asdict(self)
        data["data"], data["out"] = str(self.data), str(self.out)
        return data


@dataclass(frozen=True)
class GRPOConfig(SFTConfig):
    """What `vdata train grpo` does: the `SFTConfig` options with `batch_size` = prompts per step, plus rollouts,
    rewards and the objective in TRL's terms (`loss_type`, `epsilon_low`/`epsilon_high`,
    `importance_sampling_level`) and DAPO's overlong shaping and dynamic sampling. Each completion is judged
    against its own row by `rewards` (`vdata.rewards.weights.parse_weights`; a None reward counts 0)."""

    lr: float = option(1e-6, "Peak learning rate.")
    batch_size: int = option(4, "Prompts per optimizer step.")
    rewards: str = option(DEFAULT_REWARDS, "name:weight,... from vdata.rewards (negative weights allowed).")
    num_generations: int = option(8, "Completions per prompt (G).")
    max_new_tokens: int = option(256, "Tokens per completion (TRL: max_completion_length).")
    temperature: float = option(1.0, "Sampling temperature.")
    top_p: float = option(1.0, "Nucleus sampling mass.")
    loss_type: str = option("dapo", "Token-loss aggregation, TRL's names: grpo, bnpo, dr_grpo, dapo.")
    epsilon_low: float = option(0.2, "Lower clip range: ratio >= 1 - this (TRL: epsilon).")
    epsilon_high: float | None = option(None, "Upper clip range: ratio <= 1 + this (None: epsilon-low; DAPO 0.28).")
    importance_sampling_level: str = option("token", "Importance ratio per token, or per sequence (GSPO).")
    mu: int = option(1, "Optimizer steps per batch of rollouts (TRL: num_iterations).")
    beta: float = option(0.04, "k3 KL weight to the starting model (0 = no reference model).")
    scale_rewards: bool = option(True, "Divide advantages by the group's std (off = Dr. GRPO).")
    overlong_buffer: int = option(0, "DAPO soft overlong punishment over the last N tokens (0 = off).")
    mask_truncated_completions: bool = option(False, "Leave completions cut at max-new-tokens out of the loss.")
    keep_zero_variance_groups: bool = option(
        False, "Keep groups whose rewards are all equal in the loss, as TRL does (advantage 0; KL and normalisers)."
    )
    dynamic_sampling_rounds: int = option(0, "DAPO dynamic sampling: extra prompt draws until groups vary (0 = off).")
    temporal_contrast: bool = option(False, "T-GRPO (Video-R1): shuffled-frame rollouts and the contrast bonus.")
    rollout_engine: str = option(
        "transformers", "Who samples the rollouts: transformers (HF generate on the policy) or vllm (colocated, GPU)."
    )

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
        if not (0 < self.epsilon_low < 1 and self.epsilon_high_value > 0 and self.beta >= 0):
            raise ConfigError(
                f"--epsilon-low in (0, 1), --epsilon-high > 0 and --beta >= 0 required, got "
                f"{self.epsilon_low}, {self.epsilon_high}, {self.beta}"
            )
        from vdata.train.loss_types import LOSS_TYPES
        from vdata.train.losses import IMPORTANCE_LEVELS

        LOSS_TYPES.get(self.loss_type)
        if self.importance_sampling_level not in IMPORTANCE_LEVELS:
            raise ConfigError(
                f"--importance-sampling-level must be token or sequence (GSPO), got {self.importance_sampling_level!r}"
            )
        if not 0 <= self.overlong_buffer < self.max_new_tokens or self.dynamic_sampling_rounds < 0:
            raise ConfigError(
                f"--overlong-buffer in [0, --max-new-tokens) and --dynamic-sampling-rounds >= 0 required, got "
                f"{self.overlong_buffer}, {self.dynamic_sampling_rounds}"
            )
        from vdata.engines.policy import policy_engine_class

        try:
            policy_engine_class(self.rollout_engine).require()
        except ConfigError as e:
            raise ConfigError(f"--rollout-engine {self.rollout_engine}: {e}") from None

    @property
    def epsilon_high_value(self) -> float:
        """The upper clip range: `epsilon_high`, or `epsilon_low` when unset (symmetric, as TRL)."""
        return self.epsilon_low if self.epsilon_high is None else self.epsilon_high

    def _check_micro_batches(self) -> None:
        if self.batch_size % self.num_processes:
            raise ConfigError(f"--batch-size must be a multiple of --num-processes, got {self.batch_size} and "
                              f"{self.num_processes}")
        completions = self.batch_size * self.num_generations
        if completions % self.grad_accum:
            raise ConfigError(
                f"--batch-size x --num-generations must be a multiple of --grad-accum, got "
                f"{self.batch_size} x {self.num_generations} and {self.grad_accum}"
            )


#: TRL's `SFTConfig`/`GRPOConfig` names -> vdata's, for the same setting (`per_device_train_batch_size` is
#: converted: TRL counts it per micro-batch, and in completions for GRPO; vdata counts rows or prompts per step).
TRL_NAMES = {
    "learning_rate": "lr",
    "num_iterations": "mu",
    "max_completion_length": "max_new_tokens",
    "save_steps": "save_every",
    "gradient_accumulation_steps": "grad_accum",
    "output_dir": "out",
    "model_name_or_path": "model",
    "epsilon": "epsilon_low",
    "resume_from_checkpoint": "resume",
}


C = TypeVar("C", bound=SFTConfig)


def load_config(cls: type[C], path: Path | None = None, **flags: Any) -> C:
    """A `cls` from the YAML file at `path` (vdata's keys as flags, `max-steps` or `max_steps`, or TRL's names)
    and `flags`. Flags that are None were not given and do not override the file."""
    values, per_device = _read_yaml(cls, path) if path is not None else ({}, None)
    values.update({k: v for k, v in flags.items() if v is not None})
    if per_device is not None and "batch_size" not in values:
        values["batch_size"] = _global_batch(cls, path, per_device, values)
    return cls(**values)


def _read_yaml(cls: type[SFTConfig], path: Path) -> tuple[dict[str, Any], Any]:
    """The file's settings in vdata's names, and its `per_device_train_batch_size` (None when absent)."""
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
        raise ConfigError(f"--config {path}: expected a mapping of flag: value, got {type(loaded).__name__}")
    known = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    per_device = loaded.pop("per_device_train_batch_size", None)
    for key, value in loaded.items():
        name = str(key).replace("-", "_")
        name = TRL_NAMES.get(name, name)
        if name == "scale_rewards" and isinstance(value, str):
            value = _trl_scale_rewards(path, value)
        if name == "bf16":
            name, value = "dtype", "bfloat16" if value else "float32"
        if name == "report_to" and isinstance(value, list):  # TRL's list form
            value = ",".join(map(str, value)) or "none"
        if name not in known:
            raise ConfigError(f"--config {path}: unknown key {key!r}; known: {', '.join(sorted(map(_flag, known)))}")
        if name in values:
            raise ConfigError(f"--config {path}: {key!r} sets {name!r} a second time (TRL's name and vdata's)")
        values[name] = value
    return values, per_device


def _global_batch(cls: type[SFTConfig], path: Path | None, per_device: Any, values: dict[str, Any]) -> int:
    """vdata's `batch_size` (rows, or prompts for GRPO, per step over every process) from TRL's
    `per_device_train_batch_size` (per micro-batch and process; completions for GRPO): x grad_accum x processes.

    >>> _global_batch(GRPOConfig, None, 8, {"grad_accum": 2, "num_processes": 2, "num_generations": 8})
    4
    """
    per_step = int(per_device) * int(values.get("grad_accum", 1)) * int(values.get("num_processes", 1))
    if issubclass(cls, GRPOConfig):  # TRL counts GRPO batches in completions
        generations = int(values.get("num_generations", GRPOConfig.num_generations))
        if per_step % generations:
            raise ConfigError(
                f"--config {path}: per_device_train_batch_size x gradient_accumulation_steps x processes = "
                f"{per_step} completions is not a multiple of num_generations = {generations}"
            )
        per_step //= generations
    return per_step


def _trl_scale_rewards(path: Path, value: str) -> bool:
    if value in ("group", "none"):
        return value == "group"
    raise ConfigError(f"--config {path}: scale_rewards {value!r}: vdata scales per group or not at all (group, none)")


def write_config(config: SFTConfig, out: Path) -> Path:
    """Write the resolved options in vdata's names to `out/config.yaml` (readable back by `load_config`)."""
    import yaml

    path = Path(out) / CONFIG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config.to_json(), sort_keys=False), encoding="utf-8")
    return path


def _flag(name: str) -> str:
    return name.replace("_", "-")
