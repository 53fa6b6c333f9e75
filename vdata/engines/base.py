"""The engine protocol: `Engine`, its counters and errors, and `create_engine`.

An engine turns prompts into texts: `generate(prompts, n, sampling)` returns, for each prompt in order, `n`
sampled completions. It is built from an `EngineConfig` (reading the fields it needs) and keeps its loaded model
and running counters in `stats`; `close()` is an optional hook that frees the model.

    @register("my-engine")
    class MyEngine(Engine):
        '''What it runs, what it reads from the config.'''
        def generate(self, prompts, n, sampling): ...
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from vdata.engines.registry import engine_class
from vdata.errors import ConfigError, VdataError

if TYPE_CHECKING:
    from vdata.engines.config import EngineConfig, Sampling
    from vdata.engines.prompts import Prompt


class EngineError(VdataError):
    """The model could not answer (server down after retries, model failed to load)."""


@dataclass
class EngineStats:
    """Running counters: `generate_s` seconds inside the model's generate call (or waiting on the server),
    `preprocess_s` seconds turning prompts into model inputs, `prompt_tokens` and `generated_tokens` (0 when
    the engine cannot count them), `calls` to `generate`."""

    generate_s: float = 0.0
    preprocess_s: float = 0.0
    prompt_tokens: int = 0
    generated_tokens: int = 0
    calls: int = 0


class Engine:
    """Base of every engine. Subclasses implement `generate`; `__init__` loads the model (at start-up)."""

    name: ClassVar[str] = ""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.stats = EngineStats()

    def generate(self, prompts: Sequence[Prompt], n: int, sampling: Sampling) -> list[list[str]]:
        """`n` completions for each prompt, in prompt order: `out[i][k]` is candidate k of `prompts[i]`."""
        raise NotImplementedError

    def close(self) -> None:
        """Free the model or connections (optional hook)."""


def batch_seed(seed: int, prompts: Sequence[Prompt]) -> int:
    """A 31-bit seed for one batch from the run's `seed` and the batch's first id: reruns sample the same."""
    key = f"{seed}:{prompts[0].id if prompts else ''}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:4], "big") & 0x7FFFFFFF


def create_engine(config: EngineConfig) -> Engine:
    """The engine `config.name`, built (model loaded) from `config`."""
    return engine_class(config.name)(config)


def missing_extra(package: str, extra: str) -> ConfigError:
    """The error for an engine whose library is not installed: names the extra to install."""
    return ConfigError(f"this engine needs {package}: pip install 'vdata[{extra}]'")
