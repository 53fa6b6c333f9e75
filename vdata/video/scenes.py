"""Scene cuts from PySceneDetect, fed the frames of a decode pass that happens anyway.

`SceneCollector.visit(index, bgr)` takes every frame of the clip window in order (small BGR images);
`scenes()` returns the scenes as (start_s, end_s) spans in seconds from video start, covering the window.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from vdata.errors import ConfigError
from vdata.video.probe import FrameTable

#: Width in pixels of the frames shown to the detector (height keeps the aspect): detection is about
#: colour and luma change, not detail, and small frames keep it cheap.
DETECT_WIDTH = 160
#: Frames shown to the detector before a clip window starts: PySceneDetect's detectors ignore cuts within
#: `min_scene_len` (15) frames of the first frame they see, which would hide a cut just inside the window.
LEAD_IN_FRAMES = 15


def _content():
    from scenedetect.detectors import ContentDetector

    return ContentDetector()


def _adaptive():
    from scenedetect.detectors import AdaptiveDetector

    return AdaptiveDetector()


DETECTORS: dict[str, Callable[[], object]] = {"content": _content, "adaptive": _adaptive}
SCENE_MODES = ("none", *DETECTORS)


def check_mode(mode: str) -> str:
    if mode not in SCENE_MODES:
        raise ConfigError(f"unknown --scenes {mode!r}; known: {', '.join(SCENE_MODES)}")
    return mode


def detect_size(width: int, height: int) -> tuple[int, int]:
    """Size (width, height) of the frames given to the detector: `DETECT_WIDTH` wide, even, aspect kept."""
    w = min(width, DETECT_WIDTH)
    return w - w % 2, max(2, round(height * w / width / 2) * 2)


class SceneCollector:
    """Collects cut frame indices from one PySceneDetect detector over frames `first..last` of `table`."""

    def __init__(self, mode: str, table: FrameTable, first: int, last: int) -> None:
        try:
            from scenedetect import FrameTimecode
        except ImportError:
            raise ImportError("scene detection needs PySceneDetect: pip install 'vdata[video]'") from None
        self._timecode = FrameTimecode
        self._detector = DETECTORS[check_mode(mode)]()
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
