"""What every target takes from a row: the prompt text, the gold, the sample the rewards judge, the frames.

The user text is the row's task template (`vdata.engines.prompts.Templates`, the prompts `vdata distill` sends);
the SFT answer is `vdata.train.data.sft_target` (`<think>cot</think>` + the task's target, the text `vdata train
sft` learns); the sample is the row without its frame bytes, the mapping `vdata.rewards` judges. No target writes
a prompt or an answer of its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vdata.export.base import Skip
from vdata.export.timing import FramePlan, plan, timestamp_text

if TYPE_CHECKING:
    from vdata.engines.prompts import Prompt

#: The frames of row `id` go to `frames/<id>/<position>.jpg` under the export folder (files mode).
FRAMES_DIR = "frames"


@lru_cache(maxsize=1)
def _templates() -> Any:
    from vdata.engines.prompts import Templates

    return Templates()


def prompt(row: Mapping[str, Any]) -> Prompt:
    """The row's `Prompt` from the packaged templates (system text, user text; frames come separately)."""
    return _templates().prompt(row)


def is_image(row: Mapping[str, Any]) -> bool:
    """Whether the row is an image sample (schema v2 `media` "image": its frames are images, no times)."""
    return row.get("media") == "image"


def frame_plan(row: Mapping[str, Any]) -> FramePlan:
    """`vdata.export.timing.plan` of the row's keyframes; an image sample's plan is its images, untimed
    (`timestamps_s` empty); a row without frames is skipped."""
    if not row.get("frames"):
        raise Skip("no frames")
    if is_image(row):
        return FramePlan(None, tuple(range(len(row["frames"]))), ())
    return plan(row["frame_timestamps_s"], float(row.get("fps") or 0.0))


def media_text(frame_plan: FramePlan, video: str = "<video>", image: str = "<image>") -> str:
    """The placeholders of a row's frames: one `video` token, or `<t>image` per frame (timestamp text), or
    `image` per image of an image sample (no times).

    >>> media_text(FramePlan(2.0, (0, 1), (0.0, 0.5)))
    '<video>'
    >>> media_text(FramePlan(None, (0, 1), (0.0, 1.5)))
    '<0.0s><image><1.5s><image>'
    >>> media_text(FramePlan(None, (0, 1), ()))
    '<image><image>'
    """
    if frame_plan.as_video:
        return video
    if not frame_plan.timestamps_s:
        return image * len(frame_plan.indices)
    return "".join(timestamp_text(t) + image for t in frame_plan.timestamps_s)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def sample(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row without its frame bytes: what the rewards judge (JSON-safe)."""
    return {k: _json_safe(v) for k, v in row.items() if k != "frames"}


def sample_json(row: Mapping[str, Any]) -> str:
    """`sample(row)` as JSON (verl's `reward_model.ground_truth`, EasyR1's `answer`).

    >>> sample_json({"id": "a", "task": "numeric", "answer": "3", "frames": [{"bytes": b"..."}]})
    '{"id": "a", "task": "numeric", "answer": "3"}'
    """
    return json.dumps(sample(row), ensure_ascii=False)


def require_gold(row: Mapping[str, Any]) -> str:
    """The task's SFT answer text of the row (`vdata.tasks.get(task).target`); rows without one are skipped
    (no reward can judge them)."""
    from vdata import tasks

    task = str(row.get("task"))
    if task not in tasks.names():
        raise Skip(f"task {task!r} unknown to vdata.tasks")
    answer = tasks.get(task).target(row)
    if answer is None:
        raise Skip(f"no gold answer ({task})")
    return answer


def sft_completion(row: Mapping[str, Any]) -> str:
    """The assistant turn SFT learns (`vdata.train.data.sft_target`); rows without `cot` or gold are skipped."""
    from vdata.train.data import sft_target

    target = sft_target(row)
    if target is None:
        raise Skip("no cot for the SFT completion (distill first: vdata distill)")
    return target


def write_frames(row: Mapping[str, Any], out: Path, positions: tuple[int, ...]) -> list[str]:
    """Write the row's frames at `positions` (each distinct one once) as JPEG files under `out/frames/<id>/`;
    return their absolute paths in `positions` order."""
    folder = out / FRAMES_DIR / str(row["id"]).replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for pos in dict.fromkeys(positions):
        path = folder / f"{pos:04d}.jpg"
        path.write_bytes(row["frames"][pos]["bytes"])
        paths[pos] = str(path.resolve())
    return [paths[pos] for pos in positions]


def frames_out(row: Mapping[str, Any], positions: tuple[int, ...], options: Any, out: Path) -> list[Any]:
    """The row's frames at `positions` as the export stores them: absolute JPEG paths (`--frames-as files`,
    the default) or `{"bytes": ..., "path": None}` for a `datasets.Image` column (`--frames-as bytes`)."""
    if options.frames_as == "bytes":
        return [{"bytes": row["frames"][i]["bytes"], "path": None} for i in positions]
    return write_frames(row, out, positions)
