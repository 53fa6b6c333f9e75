"""How a row's keyframe times reach a Qwen2.5-VL / Qwen3-VL model: the one rule every export target applies.

vdata stores the true time of every keyframe (`frame_timestamps_s`). The Qwen-VL families read time in two ways:

- **A frame rate.** Qwen2.5-VL turns the video's sampling fps into `second_per_grid_ts = temporal_patch_size /
  fps` (its M-RoPE time axis); Qwen3-VL writes `<t seconds>` before each temporal patch, computed from the
  frames' indices and the fps. Both assume the frames are evenly spaced, so an fps is handed over only when
  they are (`uniform_fps`: each keyframe within one source frame of the even grid between the first and last).
- **Timestamp text.** Otherwise (`scenes`, `,boxes` and variable-rate videos) each frame goes to the model as
  an image preceded by its time as text, `<2.5s>` — the form Qwen3-VL itself writes for video — so nothing
  about time is left to an fps that would be wrong.

Even frame counts: Qwen2/2.5/3-VL merge every 2 consecutive video frames into one temporal patch
(`temporal_patch_size = 2`). A video with an odd number of frames gets its **last frame repeated** — what
`qwen_vl_utils.fetch_video` and transformers' Qwen2-VL video processor do themselves — rather than dropped,
because the last keyframe may be the one a box or a scene policy kept (dropping it could remove the evidence of
the gold answer). The price: the last temporal patch shows one instant twice, so the model's implied end of the
clip is up to one sampling interval late. Images need no padding (the image processor repeats each image).

    >>> t = plan([0.25, 0.75, 1.25], source_fps=25.0)
    >>> t.fps, t.timestamps_s
    (2.0, (0.25, 0.75, 1.25, 1.25))
    >>> plan([0.0, 0.2, 1.5], source_fps=25.0).fps is None
    True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Frames Qwen2/2.5/3-VL merge into one temporal patch of a video.
TEMPORAL_PATCH = 2


def uniform_fps(timestamps_s: Sequence[float], source_fps: float) -> float | None:
    """The sampling rate of evenly spaced keyframes, `(n - 1) / (last - first)`; None when they are not.

    Evenly spaced: every keyframe lies within one source frame (`1 / source_fps` s) of the even grid from the
    first to the last keyframe — each is the decoded frame nearest to an even grid point (half a frame off at
    most), and the two ends that fix the grid are as well. One frame: `source_fps`.

    >>> uniform_fps([0.0, 0.5, 1.0, 1.5], 30.0)
    2.0
    >>> round(uniform_fps([0.24, 0.76, 1.24, 1.76], 25.0), 3)  # frames 6, 19, 31, 44: uniform:4 of 50 frames
    1.974
    >>> uniform_fps([0.24, 0.4, 0.76, 1.24, 1.76], 25.0) is None  # plus the frame of a box
    True
    """
    n = len(timestamps_s)
    if n < 2:
        return float(source_fps) if n else None
    first, span_s = timestamps_s[0], timestamps_s[-1] - timestamps_s[0]
    if span_s <= 0:
        return None
    tolerance_s = (1 / source_fps if source_fps > 0 else 0.0) + 1e-9
    step_s = span_s / (n - 1)
    if any(abs(t - (first + i * step_s)) > tolerance_s for i, t in enumerate(timestamps_s)):
        return None
    return (n - 1) / span_s


def even_indices(n: int, multiple: int = TEMPORAL_PATCH) -> list[int]:
    """Positions of `n` frames padded to a multiple of `multiple` by repeating the last one (see module).

    >>> even_indices(3), even_indices(4), even_indices(0)
    ([0, 1, 2, 2], [0, 1, 2, 3], [])
    """
    if n == 0:
        return []
    return list(range(n)) + [n - 1] * (-n % multiple)


def timestamp_text(seconds: float) -> str:
    """The text written before a frame shown as an image: `<2.5s>` (seconds from the video start, at most 2
    decimals).

    >>> timestamp_text(2.5), timestamp_text(0.333333), timestamp_text(3)
    ('<2.5s>', '<0.33s>', '<3.0s>')
    """
    text = f"{seconds:.2f}".rstrip("0")
    return f"<{text + '0' if text.endswith('.') else text}s>"


@dataclass(frozen=True)
class FramePlan:
    """How one row's frames are shown. `fps` set: as one video sampled at `fps`, frames `indices` (positions in
    the row's frames, padded to an even count), taken at `timestamps_s`. `fps` None: as images, one per
    keyframe, each after `timestamp_text` of its time."""

    fps: float | None
    indices: tuple[int, ...]
    timestamps_s: tuple[float, ...]

    @property
    def as_video(self) -> bool:
        return self.fps is not None


def plan(timestamps_s: Sequence[float], source_fps: float) -> FramePlan:
    """The `FramePlan` of keyframes at `timestamps_s` (seconds) cut from a `source_fps` video."""
    times = [float(t) for t in timestamps_s]
    fps = uniform_fps(times, source_fps)
    indices = even_indices(len(times)) if fps is not None else list(range(len(times)))
    return FramePlan(fps, tuple(indices), tuple(times[i] for i in indices))


def images_plan(timestamps_s: Sequence[float]) -> FramePlan:
    """Every keyframe as an image after its timestamp text, whatever the spacing (targets that take no video)."""
    times = tuple(float(t) for t in timestamps_s)
    return FramePlan(None, tuple(range(len(times))), times)


def matches_fps(timestamps_s: Sequence[float], fps: float, source_fps: float) -> bool:
    """Whether the keyframes are evenly spaced (`uniform_fps`) at `fps`: their span differs from
    `(n - 1) / fps` by at most one source frame.

    >>> matches_fps([0.0, 0.5, 1.0, 1.52], 2.0, 25.0), matches_fps([0.0, 1.0, 2.0], 2.0, 25.0)
    (True, False)
    """
    if uniform_fps(timestamps_s, source_fps) is None or len(timestamps_s) < 2:
        return False
    span_s = timestamps_s[-1] - timestamps_s[0]
    return abs(span_s - (len(timestamps_s) - 1) / fps) <= 1 / source_fps + 1e-9


def global_rate_plan(
    frame_plan: FramePlan, timestamps_s: Sequence[float], source_fps: float, state: dict[str, Any]
) -> FramePlan:
    """A row's `frame_plan` (`plan` of its keyframes at `timestamps_s`) for a trainer with ONE fps for every video
    (LLaMA-Factory, ms-swift): kept as a video only when the keyframes are evenly spaced at `state["video_fps"]`
    (`matches_fps`; set from the first evenly spaced row when None), else timestamped images. Counts
    `state["shown_as"]`."""
    times = [float(t) for t in timestamps_s]
    if frame_plan.as_video and state.get("video_fps") is None:
        state["video_fps"] = frame_plan.fps
    if frame_plan.as_video and matches_fps(times, state["video_fps"], source_fps):
        state.setdefault("shown_as", Counter())["video"] += 1
        return FramePlan(state["video_fps"], frame_plan.indices, frame_plan.timestamps_s)
    state.setdefault("shown_as", Counter())["images"] += 1
    return FramePlan(None, tuple(range(len(times))), tuple(times))
