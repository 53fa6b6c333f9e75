"""Scene cuts from PySceneDetect, fed the frames of a decode pass that happens anyway.

`--scenes` names a detector and its options, `NAME[,KEY=VALUE...]` (`vdata.video.specs`):
- `none` (default): no scene detection; the `scenes` column is null.
- `content,threshold=27,min_frames=15`: PySceneDetect's `ContentDetector`, a cut where the weighted change of
  hue, saturation and luma between consecutive frames (0-255 scale) exceeds `threshold`.
- `adaptive,threshold=3,min_frames=15,min_content=15,window_frames=2`: PySceneDetect's `AdaptiveDetector`, a
  cut where a frame's content change exceeds `threshold` times the mean change of the `window_frames` frames
  on each side and is at least `min_content` (0-255 scale).
`min_frames` is the shortest scene, in frames: a cut closer than that to the previous one is dropped.

`SceneCollector.visit(index, bgr)` takes every frame of the clip window in order (small BGR images);
`scenes()` returns the scenes as (start_s, end_s) spans in seconds from video start, covering the window.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from vdata.registry import Registry
from vdata.video import specs
from vdata.video.probe import FrameTable

#: Width in pixels of the frames shown to the detector (height keeps the aspect): detection is about
#: colour and luma change, not detail, and small frames keep it cheap.
DETECT_WIDTH = 160
#: Frames shown to the detector before a clip window starts (at least): PySceneDetect's detectors ignore cuts
#: within `min_frames` (default 15) frames of the first frame they see, which would hide a cut just inside the
#: window. A detector with a longer `min_frames` is shown that many (`SceneDetector.lead_in_frames`).
LEAD_IN_FRAMES = 15


class SceneDetector:
    """A `--scenes` detector: its options are the fields of a frozen dataclass; `make()` returns a fresh
    PySceneDetect detector (None for `none`)."""

    name: ClassVar[str]
    #: False for `none` only: the build then detects no scenes.
    enabled: ClassVar[bool] = True
    #: Shortest scene in frames (0 for `none`).
    min_frames: int = 0

    def make(self) -> Any:
        raise NotImplementedError

    @property
    def lead_in_frames(self) -> int:
        """Frames to show the detector before the first frame whose cuts count (see `LEAD_IN_FRAMES`)."""
        return max(LEAD_IN_FRAMES, self.min_frames)

    @classmethod
    def parse(cls, spec: str) -> SceneDetector:
        """The detector a `--scenes` spec names, with its options; bad specs raise `ConfigError`.

        >>> SceneDetector.parse("content,threshold=30")
        Content(threshold=30.0, min_frames=15)
        >>> specs.canonical(SceneDetector.parse("content,threshold=27,min_frames=20"))
        'content,min_frames=20'
        """
        parsed = specs.parse("--scenes", spec)
        return specs.make("--scenes", parsed, SCENE_DETECTORS.get(parsed.name))


#: The `--scenes` detectors by name.
SCENE_DETECTORS: Registry[type[SceneDetector]] = Registry("--scenes detector")


def _import_detectors() -> Any:
    try:
        from scenedetect import detectors
    except ImportError:
        raise ImportError("scene detection needs PySceneDetect: pip install 'vdata[video]'") from None
    return detectors


@SCENE_DETECTORS.register("none")
@dataclass(frozen=True)
class NoScenes(SceneDetector):
    """No scene detection."""

    enabled = False

    def make(self) -> None:
        return None


@SCENE_DETECTORS.register("content")
@dataclass(frozen=True)
class Content(SceneDetector):
    """PySceneDetect's `ContentDetector` (`threshold`: 0-255 scale; `min_frames`: shortest scene, frames)."""

    threshold: float = 27.0
    min_frames: int = 15

    def __post_init__(self) -> None:
        specs.check_positive("--scenes", self)

    def make(self) -> Any:
        return _import_detectors().ContentDetector(threshold=self.threshold, min_scene_len=self.min_frames)


@SCENE_DETECTORS.register("adaptive")
@dataclass(frozen=True)
class Adaptive(SceneDetector):
    """PySceneDetect's `AdaptiveDetector` (`threshold`: ratio to the rolling mean; `min_frames`: shortest
    scene, frames; `min_content`: 0-255 scale; `window_frames`: frames on each side of the rolling mean)."""

    threshold: float = 3.0
    min_frames: int = 15
    min_content: float = 15.0
    window_frames: int = 2

    def __post_init__(self) -> None:
        specs.check_positive("--scenes", self)

    def make(self) -> Any:
        return _import_detectors().AdaptiveDetector(
            adaptive_threshold=self.threshold, min_scene_len=self.min_frames, window_width=self.window_frames,
            min_content_val=self.min_content)


def detect_size(width: int, height: int) -> tuple[int, int]:
    """Size (width, height) of the frames given to the detector: `DETECT_WIDTH` wide, even, aspect kept."""
    w = min(width, DETECT_WIDTH)
    return w - w % 2, max(2, round(height * w / width / 2) * 2)


class SceneCollector:
    """Collects cut frame indices from one PySceneDetect detector (a fresh one made by `detector`, which must
    be enabled) over frames `first..last` of `table`."""

    def __init__(self, detector: SceneDetector, table: FrameTable, first: int, last: int) -> None:
        self._detector = detector.make()
        from scenedetect import FrameTimecode

        self._timecode = FrameTimecode
        self._fps = max(1.0, len(table) / table.duration_s) if table.duration_s > 0 else 25.0
        self._table, self._first, self._last = table, first, last
        self._cuts: list[int] = []
        self._seen = -1

    def visit(self, index: int, bgr: np.ndarray) -> None:
        self._seen = index
        cuts = self._detector.process_frame(self._timecode(index, fps=self._fps), bgr)
        self._cuts.extend(int(c.frame_num) for c in cuts)

    def cuts(self) -> list[int]:
        """Cut frame indices in (first, last], ascending; call once, after the last frame."""
        if self._seen >= 0:
            tail = self._detector.post_process(self._timecode(self._seen, fps=self._fps))
            self._cuts.extend(int(c.frame_num) for c in tail or [])
        return [c for c in sorted(set(self._cuts)) if self._first < c <= self._last]

    def scenes(self) -> list[tuple[float, float]]:
        """Spans (start_s, end_s) covering frames first..last; each cut starts a new scene."""
        return scenes_from_cuts(self._table, self._first, self._last, self.cuts())


def scenes_from_cuts(table: FrameTable, first: int, last: int, cuts: list[int]) -> list[tuple[float, float]]:
    """Spans (start_s, end_s) covering frames `first..last` of `table`, a new scene at each cut in (first, last].

    >>> import numpy as np; from fractions import Fraction
    >>> table = FrameTable(np.arange(10), Fraction(1, 2), np.array([0]))
    >>> scenes_from_cuts(table, 0, 9, [4, 12])
    [(0.0, 2.0), (2.0, 5.0)]
    """
    times = table.timestamps_s
    end_s = float(times[last]) + table.frame_duration_s
    bounds = [float(times[first])]
    bounds += [float(times[c]) for c in sorted(set(cuts)) if first < c <= last]
    bounds.append(end_s)
    return list(itertools.pairwise(bounds))
