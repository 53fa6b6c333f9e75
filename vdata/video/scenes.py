"""Scene cuts, found in the decode pass that happens anyway, from the decoder's own small Y, U, V planes.

`--scenes` names a detector and its options, `NAME[,KEY=VALUE...]` (`vdata.video.specs`):
- `none` (default): no scene detection; the `scenes` column is null.
- `content,threshold=27,min_frames=15`: PySceneDetect's `ContentDetector` rule, computed here in NumPy over
  batches of frames: a cut where the mean change of hue, saturation and value (OpenCV's 8-bit HSV, 0-255 scale)
  between consecutive frames, averaged over the three, is at least `threshold`; cuts closer than `min_frames` to
  the previous one are merged as PySceneDetect's flash filter merges them.
- `adaptive,threshold=3,min_frames=15,min_content=15,window_frames=2`: PySceneDetect's `AdaptiveDetector` rule:
  a cut where a frame's change is at least `threshold` times the mean change of the `window_frames` frames on
  each side and at least `min_content` (0-255 scale).
- `scenedetect-content`, `scenedetect-adaptive` (same options): PySceneDetect's own detectors, fed the same
  small frames one at a time (BGR), for reference; they find the same cuts (tests/video/test_scenes.py) at
  several times the CPU cost.
`min_frames` is the shortest scene, in frames: a cut closer than that to the previous one is dropped.

`SceneCollector.visit(index, picture)` takes every frame of the clip window in order (a PyAV frame, whose small
planes it samples, or its `vdata.video.planes.Planes`);
`scenes()` returns the scenes as (start_s, end_s) spans in seconds from video start, covering the window.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from vdata.registry import Registry
from vdata.video import specs
from vdata.video.planes import Planes, PlaneSampler, Scratch, detect_size, hsv, opencv, to_bgr
from vdata.video.probe import FrameTable
from vdata.video.sampling import scene_keyframe

#: Frames shown to the detector before a clip window starts (at least): the detectors ignore cuts within
#: `min_frames` (default 15) frames of the first frame they see, which would hide a cut just inside the
#: window. A detector with a longer `min_frames` is shown that many (`SceneDetector.lead_in_frames`).
LEAD_IN_FRAMES = 15
#: Frames scored together (vectorised: one OpenCV call per step for the batch, whose BGR and HSV of 160 x 45
#: planes take 0.35 MB each); cuts are known up to this many frames late (`SceneCollector.settled`), which
#: `KeyframeCandidates` allows for.
BATCH_FRAMES = 16
#: Frames scored together when the scene pass holds keyframe candidates (`vdata.video.candidates`): a frame is
#: held until its batch is scored. Measured in process on the benchmark's 60-s 720p H.264: `--frames scenes` cost
#: 5% more CPU than `--scenes content` alone with 4, 10% with 16 (2026-12-05, best of 10); after the scene planes
#: were halved (2026-12-06, median of 8) 4 and 16 were within noise of each other (7-9% over `--scenes content`,
#: of which about 2% are its 10 more JPEGs on that video). Holding a few pictures alone costs nothing measurable
#: (a pass holding every 9th frame for 64 frames: within noise of none).
HOLDING_BATCH_FRAMES = 4


class CutFinder(Protocol):
    """One pass of a detector: `add` consecutive frames (frame indices and their planes, a batch whose arrays
    the caller reuses after the call: keep copies, not them), then `finish` once for every cut frame index
    found. `unsettled_from()`: the first frame already added at which a later `add` or `finish` may still report
    a cut (None: none; cuts only at frames not added yet)."""

    def add(self, indices: list[int], planes: Planes) -> list[int]: ...

    def finish(self) -> list[int]: ...

    def unsettled_from(self) -> int | None: ...


class SceneDetector:
    """A `--scenes` detector: its options are the fields of a frozen dataclass; `make()` returns a fresh
    `CutFinder` (None for `none`)."""

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
    """PySceneDetect's `ContentDetector` rule in NumPy (`threshold`: 0-255 scale; `min_frames`: shortest scene,
    frames)."""

    threshold: float = 27.0
    min_frames: int = 15

    def __post_init__(self) -> None:
        specs.check_positive("--scenes", self)

    def make(self) -> CutFinder:
        return _ContentCuts(self.threshold, self.min_frames)


@SCENE_DETECTORS.register("adaptive")
@dataclass(frozen=True)
class Adaptive(SceneDetector):
    """PySceneDetect's `AdaptiveDetector` rule in NumPy (`threshold`: ratio to the rolling mean; `min_frames`:
    shortest scene, frames; `min_content`: 0-255 scale; `window_frames`: frames on each side of the mean)."""

    threshold: float = 3.0
    min_frames: int = 15
    min_content: float = 15.0
    window_frames: int = 2

    def __post_init__(self) -> None:
        specs.check_positive("--scenes", self)

    def make(self) -> CutFinder:
        return _AdaptiveCuts(self)


@SCENE_DETECTORS.register("scenedetect-content")
@dataclass(frozen=True)
class SceneDetectContent(Content):
    """PySceneDetect's own `ContentDetector`, one frame at a time (the reference `content` is checked against)."""

    def make(self) -> CutFinder:
        detector = _import_detectors().ContentDetector(threshold=self.threshold, min_scene_len=self.min_frames)
        return _PySceneDetect(detector)


@SCENE_DETECTORS.register("scenedetect-adaptive")
@dataclass(frozen=True)
class SceneDetectAdaptive(Adaptive):
    """PySceneDetect's own `AdaptiveDetector`, one frame at a time (the reference `adaptive` is checked
    against)."""

    def make(self) -> CutFinder:
        detector = _import_detectors().AdaptiveDetector(
            adaptive_threshold=self.threshold, min_scene_len=self.min_frames, window_width=self.window_frames,
            min_content_val=self.min_content)
        return _PySceneDetect(detector)


def _import_detectors() -> Any:
    try:
        from scenedetect import detectors
    except ImportError:
        raise ImportError("PySceneDetect's detectors need it installed: pip install 'vdata[video]'") from None
    return detectors


def content_scores(previous: np.ndarray | None, batch: Planes,
                   scratch: Scratch | None = None) -> tuple[np.ndarray, np.ndarray]:
    """PySceneDetect's content score of each frame of `batch` (its first frame against `previous`, the HSV of
    the frame before, or 0 without one): the mean absolute change of hue, saturation and value, averaged
    (0-255 scale). Returns the scores (float64, one per frame) and the HSV of the batch's last frame (a copy:
    the batch's own HSV lives in `scratch`, when given, until its next batch).

    The HSV of the batch is written after `previous` in one array, so every frame's change is one OpenCV call
    for the batch (`absdiff` of the array against itself one frame later, then a sum per frame): with equal
    weights the mean of the three channel means is the sum over the channels / (3 x pixels)."""
    cv2 = opencv()
    count, height, width = batch.y.shape
    rows = (count + 1) * height
    stack = (scratch.get("hsv", rows, width) if scratch is not None else np.empty((rows, width, 3), np.uint8))
    stack = stack.reshape(count + 1, height, width, 3)
    hsv(to_bgr(batch, scratch), stack[1:])
    if previous is not None:
        stack[0] = previous
    frames = (stack if previous is not None else stack[1:]).reshape(-1, height * width * 3)
    scores = np.zeros(0)
    if len(frames) > 1:
        # int32 sums (at most 255 x 3 x pixels per frame); OpenCV's float64 sum of uint8 is 80x slower
        sums = cv2.reduce(cv2.absdiff(frames[1:], frames[:-1]), 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S)
        scores = sums[:, 0] / (3 * height * width)
    if previous is None:
        scores = np.concatenate([[0.0], scores])
    return scores, stack[-1].copy()


class _Scored:
    """Scores every batch (`content_scores`), then runs `_step(index, score)` per frame (a few comparisons)."""

    def __init__(self) -> None:
        self._previous: np.ndarray | None = None
        self._scratch = Scratch()

    def add(self, indices: list[int], planes: Planes) -> list[int]:
        scores, self._previous = content_scores(self._previous, planes, self._scratch)
        return [cut for index, score in zip(indices, scores.tolist(), strict=True)
                for cut in self._step(index, score)]

    def _step(self, index: int, score: float) -> list[int]:
        raise NotImplementedError

    def finish(self) -> list[int]:
        return []

    def unsettled_from(self) -> int | None:
        return None


class _ContentCuts(_Scored):
    """`ContentDetector`: a cut at a frame scoring at least `threshold`, with PySceneDetect's flash filter in
    its default "merge" mode (cuts closer than `min_frames` merge into one, placed at the last of them)."""

    def __init__(self, threshold: float, min_frames: int) -> None:
        super().__init__()
        self._threshold, self._min = threshold, min_frames
        self._last_above: int | None = None
        self._merge_enabled = self._merging = False
        self._merge_start = 0

    def _step(self, index: int, score: float) -> list[int]:
        above = score >= self._threshold
        if self._last_above is None:
            self._last_above = index
        long_enough = index - self._last_above >= self._min
        if above:
            self._last_above = index
        if self._merging:
            if long_enough and not above and self._last_above - self._merge_start >= self._min:
                self._merging = False
                return [self._last_above]
            return []
        if not above:
            return []
        if long_enough:
            self._merge_enabled = True
            return [index]
        if self._merge_enabled:
            self._merging, self._merge_start = True, index
        return []

    def unsettled_from(self) -> int | None:
        """While merging, the last frame above the threshold after the merge's start, which ends it as a cut."""
        if self._merging and self._last_above is not None and self._last_above > self._merge_start:
            return self._last_above
        return None


class _AdaptiveCuts(_Scored):
    """`AdaptiveDetector`: each frame's score against the mean of its `window_frames` neighbours on each side."""

    def __init__(self, options: Adaptive) -> None:
        super().__init__()
        self._options = options
        self._window: list[tuple[int, float]] = []
        self._last_cut: int | None = None

    def _step(self, index: int, score: float) -> list[int]:
        o = self._options
        if self._last_cut is None:
            self._last_cut = index
        self._window.append((index, score))
        width = o.window_frames
        if len(self._window) < 2 * width + 1:
            return []
        self._window = self._window[-(2 * width + 1):]
        target, target_score = self._window[width]
        mean = sum(s for i, (_, s) in enumerate(self._window) if i != width) / (2.0 * width)
        if abs(mean) >= 0.00001:
            ratio = min(target_score / mean, 255.0)
        else:
            ratio = 255.0 if target_score >= o.min_content else 0.0
        if ratio >= o.threshold and target_score >= o.min_content and target - self._last_cut >= o.min_frames:
            self._last_cut = target
            return [target]
        return []

    def unsettled_from(self) -> int | None:
        """The frames after the last one judged (the middle of a full window): judged once their window is."""
        width = self._options.window_frames
        if not self._window:
            return None
        return self._window[width + 1][0] if len(self._window) == 2 * width + 1 else self._window[0][0]


class _PySceneDetect:
    """A PySceneDetect detector fed each frame of a batch as BGR."""

    def __init__(self, detector: Any) -> None:
        from scenedetect import FrameTimecode

        self._detector, self._timecode, self._seen = detector, FrameTimecode, -1
        self._first: int | None = None

    def add(self, indices: list[int], planes: Planes) -> list[int]:
        cuts: list[int] = []
        for index, bgr in zip(indices, to_bgr(planes), strict=True):
            self._seen = index
            self._first = index if self._first is None else self._first
            found = self._detector.process_frame(self._timecode(index, fps=25.0), bgr)
            cuts.extend(int(c.frame_num) for c in found)
        return cuts

    def unsettled_from(self) -> int | None:
        """PySceneDetect's detectors do not say how late they report a cut: every frame added stays unsettled."""
        return self._first

    def finish(self) -> list[int]:
        if self._seen < 0:
            return []
        return [int(c.frame_num) for c in self._detector.post_process(self._timecode(self._seen, fps=25.0)) or []]


class SceneCollector:
    """Collects cut frame indices from one detector (a fresh `CutFinder` made by `detector`, which must be
    enabled) over frames `first..last` of `table`, scoring `batch_frames` frames at a time."""

    def __init__(self, detector: SceneDetector, table: FrameTable, first: int, last: int,
                 batch_frames: int = BATCH_FRAMES) -> None:
        self._finder: CutFinder = detector.make()
        self._batch_frames = batch_frames
        self._table, self._first, self._last = table, first, last
        self._cuts: list[int] = []
        self._indices: list[int] = []
        self._scored = -1  # the last frame index scored
        self._batch: Planes | None = None  # `batch_frames` frames' planes, filled in place and reused
        self._sampler: PlaneSampler | None = None  # writes PyAV frames' planes into `_batch`
        self._size: tuple[int, int] | None = None  # the planes' size (width, height), from the first frame
        self._final: list[int] | None = None

    def visit(self, index: int, picture: Any, take: Any = None) -> None:
        """Score frame `index` (frames come in order): `picture` is a PyAV video frame (its small planes are
        sampled here, `PlaneSampler`) or its small `Planes`; `take` is ignored (a `decode.Visitor`)."""
        k = len(self._indices)
        if type(picture) is Planes:
            k = self._copy(k, picture)
        else:
            sampler = self._sampler
            if sampler is None or not sampler.fits(picture):
                self._flush()
                self._size = self._size or detect_size(picture.width, picture.height)
                sampler = self._sampler = PlaneSampler(picture, self._size, self._batch_frames)
                self._batch, k = sampler.batch, 0
            sampler.write(picture, k)
        self._indices.append(index)
        if k + 1 >= self._batch_frames:
            self._flush()

    def _copy(self, k: int, planes: Planes) -> int:
        """Copy `planes` into slot `k` of the batch (a new batch, slot 0, when their shape differs); the slot."""
        batch = self._batch
        if (self._sampler is not None or batch is None or batch.y.shape[1:] != planes.y.shape
                or batch.full_range != planes.full_range):
            self._flush()
            self._sampler, k = None, 0
            empty = np.empty((self._batch_frames, *planes.y.shape), np.uint8)
            self._batch = batch = Planes(empty, np.empty_like(empty), np.empty_like(empty), planes.full_range)
        batch.y[k], batch.u[k], batch.v[k] = planes.y, planes.u, planes.v
        return k

    def _flush(self) -> None:
        if not self._indices or self._batch is None:
            return
        count, b = len(self._indices), self._batch
        self._cuts.extend(self._finder.add(self._indices, Planes(b.y[:count], b.u[:count], b.v[:count], b.full_range)))
        self._scored = self._indices[-1]
        self._indices = []

    def settled(self) -> int:
        """The last frame index up to which every cut is in `found()` (from frames visited; a frame's scene is
        known once it is settled): `batch_frames` behind the last visit at most, plus the detector's own delay."""
        pending = self._finder.unsettled_from()
        return self._scored if pending is None else min(self._scored, pending - 1)

    def found(self) -> list[int]:
        """The cuts found so far (up to `batch_frames` frames behind the last visit, plus the detector's own delay),
        ascending."""
        return self._cuts

    def cuts(self) -> list[int]:
        """Cut frame indices in (first, last], ascending; after the last frame (the first call ends the pass)."""
        if self._final is None:
            self._flush()
            self._cuts.extend(self._finder.finish())
            self._final = [c for c in sorted(set(self._cuts)) if self._first < c <= self._last]
        return self._final

    def scenes(self) -> list[tuple[float, float]]:
        """Spans (start_s, end_s) covering frames first..last; each cut starts a new scene."""
        return scenes_from_cuts(self._table, self._first, self._last, self.cuts())


def scene_keyframes(first: int, last: int, cuts: list[int]) -> list[int]:
    """The keyframe (`sampling.scene_keyframe`) of each scene of frames `first..last`, a new scene at each cut in
    (first, last].

    >>> scene_keyframes(0, 99, [30, 70, 120])
    [14, 50, 84]
    """
    bounds = [first, *sorted({c for c in cuts if first < c <= last}), last + 1]
    return [scene_keyframe(start, end) for start, end in itertools.pairwise(bounds)]


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
