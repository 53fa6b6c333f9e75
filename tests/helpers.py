"""Small helpers shared by the build, CLI and video tests."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from vdata.builders.base import Item

#: The `vdata` console script of the interpreter running the tests.
VDATA = str(Path(sys.executable).with_name("vdata"))


def item(video: Path, key: str = "k", task: str = "caption", **labels: Any) -> Item:
    """An `Item` for `video` (as the jsonl builder would make it), with `labels` as Item fields."""
    return Item(source="jsonl", key=key, video=Path(video), video_rel=Path(video).name,
                video_id=Path(video).stem, task=task, **labels)


def rgb(jpeg: bytes) -> np.ndarray:
    """A stored keyframe's JPEG bytes as an RGB uint8 array."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))


def write_jsonl(path: Path, samples: Iterable[Mapping[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(s) + "\n" for s in samples), encoding="utf-8")
    return path


def run_vdata(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `vdata` command; returns the finished process (never raises on exit codes)."""
    return subprocess.run([VDATA, *args], capture_output=True, text=True, cwd=cwd, timeout=300)
