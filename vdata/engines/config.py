"""Engine options: `Sampling` and `EngineConfig`, frozen dataclasses every stage that generates text holds.

`vdata distill`, `vdata infer` and later commands build one `EngineConfig` from their flags (the CLI reads the
defaults and help from here) and pass it to `create_engine`; no stage builds another stage's config to reach
an engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from vdata.errors import ConfigError
from vdata.schemas import TASKS


@dataclass(frozen=True)
class Sampling:
    """How the model samples: `temperature` (0 = greedy), `top_p` in (0, 1], `max_new_tokens` per candidate,
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


def template_overrides(values: list[str] | None) -> tuple[tuple[str, str], ...]:
    """`--prompt-template` values (`FILE` for every task, or `TASK=FILE`) as `EngineConfig.prompt_templates`.

    >>> template_overrides(["mine.txt", "multiple_choice=mc.txt"])
    (('*', 'mine.txt'), ('multiple_choice', 'mc.txt'))
    """
    return tuple((task, path) for task, path in (v.split("=", 1) if "=" in v else ("*", v) for v in values or []))


@dataclass(frozen=True)
class EngineConfig:
    """Which engine runs which model, and how.

    - `model`: model id or local path (`transformers`, `vllm`), served model name (`openai`), or a JSON script
      (`scripted`, for tests). `name`: the engine, one of `vdata.engines.engine_names()`.
    - `sampling`: temperature, top-p, max new tokens, seed. `batch_size`: prompts per `generate` call.
    - `prompt_templates`: ((task or `*`, file), ...) overriding the packaged per-task templates
      (`vdata.engines.Templates`).
    - `max_pixels`: pixel budget per frame given to the model's processor (None = the processor's default).
    - `device`: `auto`, `cpu` or `cuda[:N]` (`transformers`). `dtype`: `auto`, `bfloat16`, `float16`, `float32`.
      `tensor_parallel`: GPUs per model (`vllm`).
    - `base_url`, `api_key_env`, `concurrency`, `timeout_s`, `max_retries`: the `openai` engine's server, the
      environment variable holding its key, parallel requests, seconds per request and retries with backoff.

    >>> EngineConfig(model="Qwen/Qwen2.5-VL-7B-Instruct", name="vllm").sampling.temperature
    0.7
    """

    model: str
    name: str = "transformers"
    sampling: Sampling = field(default_factory=Sampling)
    batch_size: int = 8
    prompt_templates: tuple[tuple[str, str], ...] = ()
    max_pixels: int | None = None
    device: str = "auto"
    dtype: str = "auto"
    tensor_parallel: int = 1
    base_url: str = "http://127.0.0.1:8000/v1"
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 8
    timeout_s: float = 600.0
    max_retries: int = 3

    def __post_init__(self) -> None:
        from vdata.engines.registry import engine_names  # filled by importing vdata.engines, which ran first

        if self.name not in engine_names():
            raise ConfigError(f"unknown engine {self.name!r}; known: {', '.join(engine_names())}")
        if not self.model:
            raise ConfigError("the model is required (--teacher, --model): a model id, a local path or a served "
                              "model name")
        if self.batch_size < 1:
            raise ConfigError(f"--batch-size must be >= 1, got {self.batch_size}")
        if self.tensor_parallel < 1:
            raise ConfigError(f"--tensor-parallel must be >= 1, got {self.tensor_parallel}")
        for task, _ in self.prompt_templates:
            if task != "*" and task not in TASKS:
                raise ConfigError(f"--prompt-template {task}=...: unknown task; known: {', '.join(TASKS)}")
        if self.max_pixels is not None and self.max_pixels < 28 * 28:
            raise ConfigError(f"--max-pixels must be >= 784 (one 28x28 patch), got {self.max_pixels}")
        if self.concurrency < 1 or self.max_retries < 0 or not self.timeout_s > 0:
            raise ConfigError(
                f"--concurrency >= 1, --max-retries >= 0 and --timeout > 0 required, got {self.concurrency}, "
                f"{self.max_retries}, {self.timeout_s}"
            )
