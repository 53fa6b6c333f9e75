"""Frame sampling policies: which moments of a clip window become keyframes.

A policy spec is `NAME[:VALUE][,KEY=VALUE...][,boxes]`:
- `uniform:16` (default): the centres of 16 equal segments of the window.
- `fps:1,max=64`: one frame every 1/fps seconds from the window start; over `max`, uniform `max` instead.
- `scenes,min=8,max=32`: the keyframe of each detected scene (`scene_keyframe`: its middle frame, or the
  nearest to it on a grid of its frames); over `max`, `max` scenes spread evenly; under `min`, topped up to `min`
  from the centres of `min` equal segments (`scene_times`).
- `,boxes` (any policy): also the frames nearest to each box annotation (spatial tasks).

Policies return times in seconds; the build maps each to the nearest frame inside the window and drops
duplicates, so a window with fewer frames than asked yields every frame once.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from vdata.registry import Registry
from vdata.video import specs


class Policy:
    """A frame policy: its options are the fields of a frozen dataclass (all > 0); `times` returns the
    requested times in seconds, given the clip window and its scenes (empty unless `needs_scenes`)."""

    name: ClassVar[str]
    #: The option a `:VALUE` sets (`uniform:16` is `n=16`); None: the policy takes no `:VALUE`.
    positional: ClassVar[str | None] = None
    #: True when the policy picks frames from scene cuts (scenes are then detected in a first pass).
    needs_scenes: ClassVar[bool] = False

    def __post_init__(self) -> None:
        specs.check_positive("--frames", self)

    def times(self, start_s: float, end_s: float, scenes: Sequence[tuple[float, float]],
              keyframes_s: Sequence[float] = ()) -> list[float]:
        """`keyframes_s`: each scene's keyframe time (`scene_keyframe`), one per scene when `scenes` is given."""
        raise NotImplementedError

    def times_known_before_scenes(self, start_s: float, end_s: float) -> list[float]:
        """The times `times` may ask for whatever the scenes are, besides the scenes' keyframes (for a policy that
        `needs_scenes`: decoded exactly in the scene-detection pass; the keyframes are chosen in it)."""
        return []


#: A scene's keyframe is chosen among every s-th of its frames, s about its length over this (`keyframe_stride`):
#: so it is within 1/16 of the scene's length of its middle, and the scene pass finds it while holding about 5 to
#: 10 decoded pictures of the open scene (`vdata.video.candidates`).
KEYFRAME_GRID = 8


def keyframe_stride(frames: int) -> int:
    """Spacing of the frames a scene of `frames` frames takes its keyframe from: the largest power of two that is
    at most `frames / KEYFRAME_GRID` (1 for scenes under 16 frames).

    >>> [keyframe_stride(n) for n in (1, 15, 16, 31, 32, 75, 1000)]
    [1, 1, 2, 2, 4, 8, 64]
    """
    return 1 << max(0, (frames // KEYFRAME_GRID).bit_length() - 1)


def scene_keyframe(start: int, end: int) -> int:
    """The keyframe of the scene of frames `start..end - 1` (0-based indices): of every `keyframe_stride`-th
    frame from `start`, the one nearest its middle frame `start + (end - start) // 2` (ties: the earlier). So it
    is the middle frame itself for scenes under 16 frames, and within `(end - start) / 16` frames of it. Every
    path of the build (the scene pass, a decoder that cannot scan, a long video's windows) takes this frame.

    >>> scene_keyframe(0, 10), scene_keyframe(30, 70), scene_keyframe(0, 30), scene_keyframe(100, 175)
    (5, 50, 14, 140)
    """
    stride = keyframe_stride(end - start)
    steps, rest = divmod((end - start) // 2, stride)
    return start + (steps + (2 * rest > stride)) * stride


def lowest_keyframe(start: int, seen: int) -> int:
    """A lower bound on the keyframe (`scene_keyframe`) of a scene starting at frame `start` that is at least
    `seen` frames long, whatever its length: about `seen * 7 / 16` frames after its start, one frame less.

    >>> lowest_keyframe(0, 75), min(scene_keyframe(0, n) for n in range(75, 5000))
    (31, 40)
    """
    return start + seen * (KEYFRAME_GRID - 1) // (2 * KEYFRAME_GRID) - 1


#: The `--frames` policies by name.
POLICIES: Registry[type[Policy]] = Registry("--frames policy")


def uniform(start_s: float, end_s: float, scenes: Sequence[tuple[float, float]], n: int = 16) -> list[float]:
    """Centres of `n` equal segments of [start_s, end_s].

    >>> uniform(0.0, 4.0, [], n=4)
    [0.5, 1.5, 2.5, 3.5]
    """
    step = (end_s - start_s) / n
    return [start_s + (i + 0.5) * step for i in range(n)]


def every(
    start_s: float, end_s: float, scenes: Sequence[tuple[float, float]], fps: float = 1.0, max: int = 64
) -> list[float]:
    """One time every `1/fps` seconds from `start_s`; if that exceeds `max` times, `uniform` with `max`.

    >>> every(0.0, 3.0, [], fps=1.0)
    [0.0, 1.0, 2.0]
    """
    count = int(np.floor((end_s - start_s) * fps - 1e-9)) + 1
    if count > max:
        return uniform(start_s, end_s, scenes, n=max)
    return [start_s + k / fps for k in range(count)]


def scene_times(start_s: float, end_s: float, keyframes_s: Sequence[float], min: int = 8, max: int = 32) -> list[float]:
    """Each scene's keyframe time (`keyframes_s`, seconds; `scene_keyframe`); over `max` scenes, `max` of them
    spread evenly; under `min`, the centres of `min` equal segments of the window (`uniform`) with each keyframe
    in place of the centre nearest it (ties: the earlier), so the `min` times never put a top-up on a keyframe.

    >>> scene_times(0.0, 4.0, [1.0, 3.0], min=2)
    [1.0, 3.0]
    >>> scene_times(0.0, 4.0, [1.9], min=4)
    [0.5, 1.9, 2.5, 3.5]
    """
    keys = list(keyframes_s)
    if len(keys) > max:
        picks = np.linspace(0, len(keys) - 1, max).round().astype(int)
        keys = [keys[i] for i in picks]
    if len(keys) < min:
        grid = uniform(start_s, end_s, (), n=min)
        for key in keys:
            grid.remove(builtins.min(grid, key=lambda t, m=key: abs(t - m)))
        keys += grid
    return sorted(keys)


@POLICIES.register("uniform")
@dataclass(frozen=True)
class Uniform(Policy):
    """`uniform:N`: the centres of `n` equal segments of the clip window (`uniform`)."""

    positional = "n"
    n: int = 16

    def times(self, start_s: float, end_s: float, scenes: Sequence[tuple[float, float]],
              keyframes_s: Sequence[float] = ()) -> list[float]:
        return uniform(start_s, end_s, scenes, n=self.n)


@POLICIES.register("fps")
@dataclass(frozen=True)
class Fps(Policy):
    """`fps:F,max=N`: one frame every `1/fps` seconds, at most `max` (then uniform) (`every`)."""

    positional = "fps"
    fps: float = 1.0
    max: int = 64

    def times(self, start_s: float, end_s: float, scenes: Sequence[tuple[float, float]],
              keyframes_s: Sequence[float] = ()) -> list[float]:
        return every(start_s, end_s, scenes, fps=self.fps, max=self.max)


@POLICIES.register("scenes")
@dataclass(frozen=True)
class Scenes(Policy):
    """`scenes,min=N,max=N`: the keyframe of each scene, topped up uniformly (`scene_times`)."""

    needs_scenes = True
    min: int = 8
    max: int = 32

    def times(self, start_s: float, end_s: float, scenes: Sequence[tuple[float, float]],
              keyframes_s: Sequence[float] = ()) -> list[float]:
        if len(keyframes_s) != len(scenes):
            raise ValueError(f"{len(scenes)} scenes but {len(keyframes_s)} keyframe times")
        return scene_times(start_s, end_s, keyframes_s, min=self.min, max=self.max)

    def times_known_before_scenes(self, start_s: float, end_s: float) -> list[float]:
        """The top-up grid of `scene_times` (the centres of `min` equal segments)."""
        return uniform(start_s, end_s, (), n=self.min)


@dataclass(frozen=True)
class FramePolicy:
    """A parsed `--frames` spec: the policy (its options included) and whether box frames are added."""

    policy: Policy
    include_boxes: bool = False

    @classmethod
    def parse(cls, spec: str) -> FramePolicy:
        """Parse `NAME[:VALUE][,KEY=VALUE...][,boxes]`; bad specs raise `ConfigError` naming the rule.

        >>> FramePolicy.parse("fps:2,boxes")
        FramePolicy(policy=Fps(fps=2.0, max=64), include_boxes=True)
        """
        parsed = specs.parse("--frames", spec, allowed_flags=frozenset({"boxes"}))
        policy = specs.make("--frames", parsed, POLICIES.get(parsed.name))
        return cls(policy, "boxes" in parsed.flags)

    @property
    def name(self) -> str:
        return self.policy.name

    @property
    def needs_scenes(self) -> bool:
        """True when the policy picks frames from scene cuts (scenes are then detected in a first pass)."""
        return self.policy.needs_scenes

    def times(
        self,
        start_s: float,
        end_s: float,
        scenes: Sequence[tuple[float, float]] = (),
        box_times_s: Sequence[float] = (),
        keyframes_s: Sequence[float] = (),
    ) -> list[float]:
        """Requested times (seconds from video start) inside [start_s, end_s], ascending; `keyframes_s`: the time
        of each scene's keyframe (`scene_keyframe`)."""
        times = self.policy.times(start_s, end_s, scenes, keyframes_s)
        return self._with_boxes(times, start_s, end_s, box_times_s)

    def times_known_before_scenes(self, start_s: float, end_s: float, box_times_s: Sequence[float] = ()) -> list[float]:
        """The times `times` may ask for besides scene keyframes, known before any scene is (ascending)."""
        times = self.policy.times_known_before_scenes(start_s, end_s)
        return self._with_boxes(times, start_s, end_s, box_times_s)

    def _with_boxes(self, times: list[float], start_s: float, end_s: float, box_times_s: Sequence[float]) -> list[float]:
        if self.include_boxes:
            times = [*times, *(t for t in box_times_s if start_s <= t <= end_s)]
        return sorted(times)
