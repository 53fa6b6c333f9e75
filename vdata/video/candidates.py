"""Scene keyframes taken in the scene-detection pass itself, without a second decode.

A scene's keyframe (`sampling.scene_keyframe`: the frame nearest its middle among every `keyframe_stride`-th
frame from its start) depends on where the scene ends, known only when the detector reports the cut, so frames are
held (`take` callables from the decode pass: the decoded picture, converted only if picked) in two stages:
- pending: every frame the detector has not settled yet (a cut may still be reported before it;
  `SceneCollector.settled`, up to `HOLDING_BATCH_FRAMES` plus the detector's delay); its picture is held only if
  the frame may be a keyframe whether or not such a cut comes (`may_be_keyframe`: a scene a cut starts lasts at
  least the detector's `min_frames`, so its first few frames are never its keyframe). Holding every frame for a
  few frames costs the decoder more than the pictures: measured on the benchmark's 60-s 720p H.264 (bare PyAV
  decoding, each frame held for the next 4 frames: 4% more CPU, 6 frames: 8.6%),
- the open scene's candidates: once settled, a frame is kept if it is a keyframe of the scene for some length
  the scene may still reach: on the grid of the stride for its length so far (a longer scene's grid is a subset)
  and no earlier than the lowest such keyframe. That is 5 to 10 pictures (`KEYFRAME_GRID` 8).
When a cut closes the scene, its keyframe is taken (converted and encoded: a JPEG) and the rest dropped. If the
pending frames grow past `budget` (a detector that reports cuts late, e.g. through a long run of flashes), the
oldest are settled as if no cut were coming; a keyframe missed that way (or because a detector cut sooner than
its `min_frames`) is absent from `picked`, and the caller decodes it exactly (a second, seeking decode for that
scene only). So the keyframes are always the ones every other path takes.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable

from vdata.video.decode import Frame
from vdata.video.sampling import keyframe_stride, lowest_keyframe, scene_keyframe

#: Bytes of decoded pictures the pending frames may hold (at 720p YUV 4:2:0: 45 pictures).
BUDGET_BYTES = 64 << 20
#: Fewest and most pending frames held, whatever the picture size.
MIN_BUDGET, MAX_BUDGET = 24, 64


def budget_for(width: int, height: int) -> int:
    """Pending frames held at most: `BUDGET_BYTES` of 4:2:0 pictures, within [MIN_BUDGET, MAX_BUDGET].

    >>> budget_for(1280, 720), budget_for(3840, 2160), budget_for(160, 120)
    (48, 24, 64)
    """
    return max(MIN_BUDGET, min(MAX_BUDGET, BUDGET_BYTES // _picture_bytes(width, height)))


def fits_budget(pictures: int, width: int, height: int) -> bool:
    """True when `pictures` decoded 4:2:0 pictures of `width` x `height` pixels hold no more than `BUDGET_BYTES`.

    >>> fits_budget(8, 1280, 720), fits_budget(8, 3840, 2160)
    (True, False)
    """
    return pictures * _picture_bytes(width, height) <= BUDGET_BYTES


def _picture_bytes(width: int, height: int) -> int:
    return width * height * 3 // 2


class KeyframeCandidates:
    """Candidates for the keyframe of each scene of frames `first..last`: `offer` every frame from `first` in
    order with the cuts found so far (ascending frame indices) and the last settled frame
    (`SceneCollector.settled`), `finish` with every cut; `picked` then maps each keyframe taken to its frame."""

    def __init__(self, first: int, last: int, budget: int, min_frames: int = 0) -> None:
        self._last, self._budget, self._min_frames = last, budget, min_frames
        self._pending: deque[tuple[int, Callable[[], Frame] | None]] = deque()  # None: its picture not held
        self._start = first
        self._held: deque[tuple[int, Callable[[], Frame]]] = deque()  # the open scene's candidates, ascending
        self.picked: dict[int, Frame] = {}

    def offer(self, index: int, take: Callable[[], Frame], cuts: list[int], settled: int) -> None:
        self._pending.append((index, take if self.may_be_keyframe(index, cuts, settled) else None))
        if len(self._pending) > self._budget:  # the detector lags: settle the oldest as if no cut were coming
            settled = max(settled, self._pending[0][0])
        while self._pending and self._pending[0][0] <= settled:
            self._settle(*self._pending.popleft(), cuts)

    def finish(self, cuts: list[int]) -> None:
        """Settle every frame with every cut (ascending) and close the last scene (after the last frame)."""
        while self._pending:
            self._settle(*self._pending.popleft(), cuts)
        self._close_before(self._last + 1, cuts)
        self._close(self._last + 1)

    def may_be_keyframe(self, index: int, cuts: list[int], settled: int) -> bool:
        """Whether unsettled frame `index` may be held as a candidate once settled: with no other cut than those
        found (`cuts`, ascending), on the grid of its scene so far; or, if a cut is still reported in
        (settled, index], at or after the lowest keyframe of a scene starting at the earliest such cut and at least
        `min_frames` long (the detectors cut no sooner; shorter only where the window ends). A scene starting
        at a later cut has a later lowest keyframe."""
        start = self._start
        k = bisect.bisect_right(cuts, index)
        if k and cuts[k - 1] > start:
            start = cuts[k - 1]
        if (index - start) % keyframe_stride(index - start + 1) == 0:
            return True
        cut = max(settled, start) + 1  # the earliest cut still to come
        return cut <= index and index >= lowest_keyframe(cut, min(self._min_frames, self._last + 1 - cut))

    def _settle(self, index: int, take: Callable[[], Frame] | None, cuts: list[int]) -> None:
        """Frame `index`'s scene is known: keep it if it may be the open scene's keyframe (a few integer tests
        per frame: this runs for every frame of the pass)."""
        self._close_before(index, cuts)
        start, seen, held = self._start, index - self._start + 1, self._held
        stride = keyframe_stride(seen)
        if stride != keyframe_stride(seen - 1):  # the grid just coarsened: keep the points on the new one
            self._held = held = deque((i, t) for i, t in held if (i - start) % stride == 0)
        low = lowest_keyframe(start, seen)
        while held and held[0][0] < low:
            held.popleft()
        if (index - start) % stride == 0 and take is not None:
            held.append((index, take))

    def _close_before(self, index: int, cuts: list[int]) -> None:
        """Close the scenes that cuts after the open scene's start and up to `index` end."""
        k = bisect.bisect_right(cuts, self._start)
        while k < len(cuts) and cuts[k] <= min(index, self._last):
            self._close(cuts[k])
            k += 1

    def _close(self, end: int) -> None:
        """The scene [start, end) ends: take its keyframe, if held."""
        keyframe = scene_keyframe(self._start, end)
        for index, take in self._held:
            if index == keyframe:
                frame = take()
                self.picked[frame.index] = frame
                break
        self._held, self._start = deque(), end
