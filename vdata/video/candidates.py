"""Scene-middle keyframes chosen in the scene-detection pass itself, without a second decode.

The middle of a scene is known only when the scene ends, so while a scene is open its frames are kept as
candidates (`take` callables from the decode pass: the decoded picture, converted only if picked), every
`stride`-th frame from the scene start; when more than `budget` are held the stride doubles and every other one
is dropped. When a cut closes the scene, the candidate nearest its middle frame is taken (converted and
encoded: a JPEG) and the rest dropped.
So the middle is exact for scenes up to `budget` frames long and within `stride / 2` frames (at most
`scene length / budget`) of it for longer ones, and at most `budget` decoded pictures (`budget_for`,
`BUDGET_BYTES`) plus one JPEG per closed scene are held.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from vdata.video.decode import Frame
from vdata.video.probe import FrameTable

#: Bytes of decoded pictures the candidates of the open scene may hold (at 720p YUV 4:2:0: 45 pictures).
BUDGET_BYTES = 64 << 20
#: Fewest and most candidates held for the open scene, whatever the picture size.
MIN_BUDGET, MAX_BUDGET = 8, 64


def budget_for(width: int, height: int) -> int:
    """Candidates held for the open scene: `BUDGET_BYTES` of 4:2:0 pictures, within [MIN_BUDGET, MAX_BUDGET].

    >>> budget_for(1280, 720), budget_for(3840, 2160), budget_for(160, 120)
    (48, 8, 64)
    """
    return max(MIN_BUDGET, min(MAX_BUDGET, BUDGET_BYTES // (width * height * 3 // 2)))


class MiddleCandidates:
    """Candidates for the middle frame of each scene of frames `first..last` of `table`; `offer` every frame in
    order with the cuts found so far (ascending frame indices), `finish` with every cut, then `pick` the frame
    nearest each scene middle."""

    def __init__(self, table: FrameTable, first: int, last: int, budget: int) -> None:
        self._table, self._last, self._budget = table, last, budget
        self._start, self._stride = first, 1
        self._open: dict[int, Callable[[], Frame]] = {}
        self._picked: dict[int, Frame] = {}  # one per closed scene, taken (converted and encoded) at once

    def offer(self, index: int, take: Callable[[], Frame], cuts: list[int]) -> None:
        self._apply(cuts)
        if (index - self._start) % self._stride == 0:
            self._open[index] = take
            if len(self._open) > self._budget:
                self._stride *= 2
                self._open = {i: t for i, t in self._open.items() if (i - self._start) % self._stride == 0}

    def _apply(self, cuts: list[int]) -> None:
        """Close the scenes that the cuts not seen before end."""
        for cut in cuts[bisect.bisect_right(cuts, self._start):]:
            if cut > self._last:
                break
            self._close(cut)

    def _close(self, cut: int) -> None:
        """The scene [start, cut) ends: keep its candidate nearest its middle frame."""
        middle = self._middle(self._start, cut)
        before = [i for i in self._open if i < cut]
        if before:
            best = min(before, key=lambda i: (abs(i - middle), i))
            self._picked[best] = self._open[best]()
        self._open = {i: t for i, t in self._open.items() if i >= cut}
        self._start, self._stride = cut, 1

    def _middle(self, start: int, end: int) -> int:
        """The frame nearest the middle time of frames [start, end) (`end` may be one past the last frame)."""
        times = self._table.timestamps_s
        end_s = float(times[end]) if end < len(times) else float(times[-1]) + self._table.frame_duration_s
        return int(self._table.nearest([(float(times[start]) + end_s) / 2])[0])

    def finish(self, cuts: list[int]) -> None:
        """Close the scenes `cuts` (every cut found, ascending) end, and the last one (after the last frame)."""
        self._apply(cuts)
        self._close(self._last + 1)

    def pick(self, index: int) -> Frame:
        """The kept frame nearest frame `index` (a scene's middle: itself, or within the stride of it)."""
        best = min(self._picked, key=lambda i: (abs(i - index), i))
        return self._picked[best]
