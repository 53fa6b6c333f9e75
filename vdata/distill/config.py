"""Distillation options: one frozen dataclass; the CLI reads its defaults and help from here."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError
from vdata.schemas import TASKS

KEEP_MODES = ("best", "all")
#: The default verifier: the `format` reward (one `<think>` then one `<answer>`) and `accuracy`, weighted 1:4.
DEFAULT_VERIFY = "format:1,accuracy:4"


@dataclass(frozen=True)
class Sampling:
    """How the teacher samples: `temperature` (0 = greedy), `top_p` in (0, 1], `max_new_tokens` per candidate,
    `seed` (each batch's generator is seeded from it and the batch's first id, so a rerun is reproducible)."""

    temperature: float = 0.7
    top_p: float = 0.95
    max_new_tokens: int = 1024
    seed: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.temperature) and self.temperature >= 0):
            raise ConfigError(f"--temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ConfigError(f"--top-p must be in (0, 1], got {self.top_p}")
        if self.max_new_tokens < 1:
            raise ConfigError(f"--max-new-tokens must be >= 1, got {self.max_new_tokens}")


def parse_verify(spec: str) -> tuple[tuple[str, float], ...]:
    """`accuracy` or `format:1,accuracy:4` -> ((name, weight), ...); a missing weight is 1.

    >>> parse_verify("format:1,accuracy:4")
    (('format', 1.0), ('accuracy', 4.0))
    """
    out = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, sep, weight = part.rpartition(":")
        if not sep or not _is_number(weight):
            name, weight = part, "1"
        w = float(weight)
        if not (math.isfinite(w) and w > 0):
            raise ConfigError(f"--verify {spec!r}: weight of {name!r} must be > 0, got {weight}")
        out.append((name.strip(), w))
    if not out:
        raise ConfigError(f"--verify {spec!r}: name at least one reward, e.g. accuracy or format:1,accuracy:4")
    return tuple(out)


def _is_number(text: str) -> bool:
    return re.fullmatch(r"\s*[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?\s*", text) is not None


def parse_thresholds(values: list[str] | tuple[str, ...]) -> tuple[float | None, dict[str, float]]:
    """`["0.6", "temporal_grounding=0.3"]` -> (0.6, {"temporal_grounding": 0.3}); a bare number is the default.

    >>> parse_thresholds(["0.5", "numeric=0.8"])
    (0.5, {'numeric': 0.8})
    """
    default: float | None = None
    per_task: dict[str, float] = {}
    for value in values:
        task, sep, number = value.partition("=")
        try:
            threshold = float(number if sep else task)
        except ValueError:
            raise ConfigError(f"--threshold {value!r}: expected a number or TASK=NUMBER") from None
        if sep:
            per_task[task.strip()] = threshold
        else:
            default = threshold
    return default, per_task


@dataclass(frozen=True)
class DistillConfig:
    """What `vdata distill` does.

    - `input`: a built vdata dataset; `out`: where the distilled dataset goes (same layout and schema).
    - `teacher`: model id or local path (`transformers`, `vllm`), served model name (`openai`), or a JSON script
      (`scripted`, for tests). `engine`: one of `vdata.distill.engine_names()`.
    - `samples`: candidates per item (K). `sampling`: temperature, top-p, max new tokens, seed.
    - `batch_size`: items per engine call. `tensor_parallel`: GPUs per vLLM model.
    - `keep`: `best` (one row per item: the highest-reward passing candidate) or `all` (one row per passing
      candidate, ids `ID-k`). `keep_rejected`: items with no passing candidate go to split `rejected`.
    - `verify`: ((reward name, weight), ...): a candidate's reward is the weighted mean, in [0, 1] for [0, 1]
      rewards (a None reward counts as 0). It passes when reward >= `threshold`, or `task_thresholds[task]`.
    - `prompt_templates`: ((task or `*`, file), ...) overriding the packaged per-task templates.
    - `tasks`: distill only these tasks (None = all). `limit`: only the first N matching items.
    - `max_pixels`: pixel budget per frame given to the model's processor (None = the processor's default).
    - `device`: `auto`, `cpu` or `cuda[:N]` (`transformers`). `dtype`: `auto`, `bfloat16`, `float16`, `float32`.
    - `base_url`, `api_key_env`, `concurrency`, `timeout_s`, `max_retries`: the `openai` engine's server, the
      environment variable holding its key, parallel requests, seconds per request and retries with backoff.
    - `shard_size`: target bytes per output shard (`256MB`).
    - `replicas`: data-parallel copies of the teacher on a Ray cluster (`vdata.distill.ray`); `ray_address`: that
      cluster (`auto`, `HOST:6379`; None = `RAY_ADDRESS` or a local instance). One replica and no address: no Ray.
    """

    input: Path
    out: Path
    teacher: str
    engine: str = "transformers"
    samples: int = 4
    sampling: Sampling = field(default_factory=Sampling)
    batch_size: int = 8
    tensor_parallel: int = 1
    keep: str = "best"
    keep_rejected: bool = False
    verify: tuple[tuple[str, float], ...] = parse_verify(DEFAULT_VERIFY)
    threshold: float = 0.6
    task_thresholds: dict[str, float] = field(default_factory=dict)
    prompt_templates: tuple[tuple[str, str], ...] = ()
    tasks: tuple[str, ...] | None = None
    limit: int | None = None
    max_pixels: int | None = None
    device: str = "auto"
    dtype: str = "auto"
    base_url: str = "http://127.0.0.1:8000/v1"
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 8
    timeout_s: float = 600.0
    max_retries: int = 3
    shard_size: str = "256MB"
    replicas: int = 1
    ray_address: str | None = None

    def __post_init__(self) -> None:
        from vdata.distill.engines import engine_names
        from vdata.options import parse_size

        object.__setattr__(self, "input", Path(self.input))
        object.__setattr__(self, "out", Path(self.out))
        if self.engine not in engine_names():
            raise ConfigError(f"unknown engine {self.engine!r}; known: {', '.join(engine_names())}")
        if not self.teacher:
            raise ConfigError("--teacher is required: a model id, a local path or a served model name")
        if self.samples < 1:
            raise ConfigError(f"--samples must be >= 1, got {self.samples}")
        if self.batch_size < 1:
            raise ConfigError(f"--batch-size must be >= 1, got {self.batch_size}")
        if self.replicas < 1:
            raise ConfigError(f"--replicas must be >= 1, got {self.replicas}")
        if self.tensor_parallel < 1:
            raise ConfigError(f"--tensor-parallel must be >= 1, got {self.tensor_parallel}")
        if self.keep not in KEEP_MODES:
            raise ConfigError(f"--keep must be one of {', '.join(KEEP_MODES)}, got {self.keep!r}")
        if not self.verify:
            raise ConfigError("--verify must name at least one reward")
        for task, threshold in [("*", self.threshold), *self.task_thresholds.items()]:
            if task != "*" and task not in TASKS:
                raise ConfigError(f"--threshold {task}=...: unknown task; known: {', '.join(TASKS)}")
            if not math.isfinite(threshold):
                raise ConfigError(f"--threshold for {task} must be a finite number, got {threshold}")
        for task in self.tasks or ():
            if task not in TASKS:
                raise ConfigError(f"--tasks {task!r}: unknown task; known: {', '.join(TASKS)}")
        for task, _ in self.prompt_templates:
            if task != "*" and task not in TASKS:
                raise ConfigError(f"--prompt-template {task}=...: unknown task; known: {', '.join(TASKS)}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit must be >= 1, got {self.limit}")
        if self.max_pixels is not None and self.max_pixels < 28 * 28:
            raise ConfigError(f"--max-pixels must be >= 784 (one 28x28 patch), got {self.max_pixels}")
        if self.concurrency < 1 or self.max_retries < 0 or not self.timeout_s > 0:
            raise ConfigError(
                f"--concurrency >= 1, --max-retries >= 0 and --timeout > 0 required, got {self.concurrency}, "
                f"{self.max_retries}, {self.timeout_s}"
            )
        if self.input.resolve() == self.out.resolve():
            raise ConfigError(f"--out must differ from the input dataset, got {self.out}")
        if parse_size(self.shard_size) < 1:
            raise ConfigError(f"--shard-size must be positive, got {self.shard_size!r}")

    def threshold_for(self, task: str) -> float:
        """The pass threshold of `task`: its override or the default."""
        return self.task_thresholds.get(task, self.threshold)

    def to_json(self) -> dict[str, Any]:
        """The options as JSON-able values (paths as strings), as recorded in the manifest."""
        data = asdict(self)
        data["input"], data["out"] = str(self.input), str(self.out)
        data["verify"] = [list(v) for v in self.verify]
        data["prompt_templates"] = [list(t) for t in self.prompt_templates]
        data["tasks"] = list(self.tasks) if self.tasks is not None else None
        return data
