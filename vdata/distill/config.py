"""Distillation options: one frozen dataclass; the CLI reads its defaults and help from here."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vdata.engines import EngineConfig
from vdata.errors import ConfigError
from vdata.rewards.weights import DEFAULT_REWARDS, parse_weights
from vdata.schemas import TASKS

KEEP_MODES = ("best", "all")


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
    - `engine`: the teacher (`vdata.engines.EngineConfig`: model, engine name, sampling, batch size, prompt
      templates, device and server options). `samples`: candidates per item (K).
    - `keep`: `best` (one row per item: the highest-reward passing candidate) or `all` (one row per passing
      candidate, ids `ID-k`). `keep_rejected`: items with no passing candidate go to split `rejected`.
    - `verify`: ((reward name, weight), ...), parsed by `vdata.rewards.weights.parse_weights` (default
      `DEFAULT_REWARDS`): a candidate's reward is the weighted mean, in [0, 1] for [0, 1] rewards (a None
      reward counts as 0). It passes when reward >= `threshold`, or `task_thresholds[task]`.
    - `tasks`: distill only these tasks (None = all). `limit`: only the first N matching items.
    - `shard_size`: target bytes per output shard (`256MB`).
    - `replicas`: data-parallel copies of the teacher on a Ray cluster (`vdata.distill.ray`); `ray_address`: that
      cluster (`auto`, `HOST:6379`; None = `RAY_ADDRESS` or a local instance). One replica and no address: no Ray.
    """

    input: Path
    out: Path
    engine: EngineConfig
    samples: int = 4
    keep: str = "best"
    keep_rejected: bool = False
    verify: tuple[tuple[str, float], ...] = parse_weights(DEFAULT_REWARDS, flag="--verify", positive=True, known=False)
    threshold: float = 0.6
    task_thresholds: dict[str, float] = field(default_factory=dict)
    tasks: tuple[str, ...] | None = None
    limit: int | None = None
    shard_size: str = "256MB"
    replicas: int = 1
    ray_address: str | None = None

    def __post_init__(self) -> None:
        from vdata.options import parse_size

        object.__setattr__(self, "input", Path(self.input))
        object.__setattr__(self, "out", Path(self.out))
        if not isinstance(self.engine, EngineConfig):
            raise ConfigError(f"engine must be a vdata.engines.EngineConfig, e.g. EngineConfig(model=..., name='vllm'), "
                              f"got {self.engine!r}")
        if self.samples < 1:
            raise ConfigError(f"--samples must be >= 1, got {self.samples}")
        if self.replicas < 1:
            raise ConfigError(f"--replicas must be >= 1, got {self.replicas}")
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
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit must be >= 1, got {self.limit}")
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
        data["engine"]["prompt_templates"] = [list(t) for t in self.engine.prompt_templates]
        data["tasks"] = list(self.tasks) if self.tasks is not None else None
        return data
