"""Build options: one frozen dataclass; the CLI reads its defaults and help from here."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from typing import Any

from vdata.errors import ConfigError
from vdata.video import specs
from vdata.video.sampling import FramePolicy
from vdata.video.scenes import SceneDetector


def parse_size(text: str | int) -> int:
    """Bytes from `256MB`, `1.5GB`, `800kB` or a plain integer (decimal units).

    >>> parse_size("256MB")
    256000000
    """
    if isinstance(text, int):
        return text
    match = re.fullmatch(r"\s*([0-9.]+)\s*([kKmMgG]?)[bB]?\s*", text)
    if not match:
        raise ConfigError(f"--shard-size {text!r}: expected a size like 256MB, 1GB or 500kB")
    number, unit = float(match.group(1)), match.group(2).lower()
    return int(number * {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}[unit])


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@dataclass(frozen=True)
class BuildOptions:
    """How `vdata build` turns items into rows.

    - `frames`: sampling policy spec (see `vdata.video.sampling`), e.g. `uniform:16`, `fps:1,max=64`, `scenes`.
    - `max_pixels`: pixel budget of a stored keyframe (width * height), aspect kept; `size_factor`: both sides
      are multiples of it (28 = Qwen2/2.5-VL's patch grid; 1 = exact proportions).
    - `jpeg_quality`: 1-100. `scenes`: scene detector spec (see `vdata.video.scenes`), `none`,
      `content[,threshold=27][,min_frames=15]` or `adaptive[,...]` (PySceneDetect).
    - `decoder`: `auto` (PyAV), `pyav`, `opencv`, `torchcodec`, `decord`. `audio`: store the clip window's
      audio (schema v2 `audio`: 16 kHz mono FLAC, `vdata.video.audio`).
    - `workers`: worker processes (0 = in this process, the timeout enforced by SIGALRM); `timeout_s`: per-item limit.
    - `shard_size`: target bytes per shard (`256MB`). `limit`: build only the first N items. `split`: the
      split for formats that do not name one.
    - `engine`: where items run (a `vdata.build` engine, checked when the build starts), `local` (a process
      pool of `workers`) or `ray` (tasks on the Ray cluster at
      `ray_address`; None = `RAY_ADDRESS` or a new local instance), each task reserving `task_memory` bytes
      (`2GB`). The engine changes where rows are made, never the rows.
    """

    frames: str = "uniform:16"
    max_pixels: int = 256 * 28 * 28
    size_factor: int = 28
    jpeg_quality: int = 90
    scenes: str = "none"
    decoder: str = "auto"
    workers: int = 0
    timeout_s: float = 300.0
    shard_size: str = "256MB"
    limit: int | None = None
    split: str = "train"
    engine: str = "local"
    ray_address: str | None = None
    task_memory: str = "2GB"
    audio: bool = False

    def __post_init__(self) -> None:
        policy, detector = FramePolicy.parse(self.frames), self.scene_detector
        if policy.needs_scenes and not detector.enabled:
            raise ConfigError("--frames scenes picks frames from scene cuts: add --scenes content (or adaptive)")
        if not 1 <= self.jpeg_quality <= 100:
            raise ConfigError(f"--jpeg-quality must be in 1..100, got {self.jpeg_quality}")
        if self.size_factor < 1 or self.max_pixels < self.size_factor**2:
            raise ConfigError(
                f"--max-pixels must be >= size_factor**2 ({self.size_factor**2}), got {self.max_pixels}"
            )
        if self.workers < 0:
            raise ConfigError(f"--workers must be >= 0, got {self.workers}")
        if self.timeout_s <= 0:
            raise ConfigError(f"--timeout must be > 0 seconds, got {self.timeout_s}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"--limit must be >= 1, got {self.limit}")
        if not re.fullmatch(r"[A-Za-z0-9_]+", self.split):
            raise ConfigError(f"--split must be letters, digits or _, got {self.split!r}")
        if parse_size(self.shard_size) < 1:
            raise ConfigError(f"--shard-size must be positive, got {self.shard_size!r}")
        try:
            memory = parse_size(self.task_memory)
        except ConfigError:
            memory = 0
        if memory < 1:
            raise ConfigError(f"--task-memory must be a positive size like 2GB, got {self.task_memory!r}")
        from vdata.video import decode

        decode.get(self.decoder)

    @property
    def policy(self) -> FramePolicy:
        return FramePolicy.parse(self.frames)

    @property
    def scene_detector(self) -> SceneDetector:
        return SceneDetector.parse(self.scenes)

    @property
    def shard_size_bytes(self) -> int:
        return parse_size(self.shard_size)

    @property
    def task_memory_bytes(self) -> int:
        return parse_size(self.task_memory)

    def fingerprint(self) -> dict[str, Any]:
        """The options that decide the output (not the engine, workers or timeout): a resumed build must match
        them, so a build killed on one engine resumes on the other. `scenes` is written the one way
        `vdata.video.specs.canonical` writes it (`content,threshold=27` is `content`; `content,min_frames=20`
        names the option that is not the default), so equal detectors resume each other."""
        fields = asdict(self)
        for runtime_only in ("workers", "timeout_s", "engine", "ray_address", "task_memory"):
            fields.pop(runtime_only)
        fields["scenes"] = specs.canonical(self.scene_detector)
        return fields
