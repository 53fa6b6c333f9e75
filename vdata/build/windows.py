"""A long video's scene scan split into windows, so that one video uses every worker (both engines).

With `--scenes`, the scan over every frame of a clip window is what makes a long video a straggler. An item's
first task probes its (local) video and, when the clip window is longer than `WINDOW_FRAMES` frames, answers
`Split` (the windows) instead of an outcome; the engine then runs one `window_task` per window
(`vdata.process.scan_window`: the cuts in it, and the policy's frames in it that do not depend on the scenes,
JPEGs kept as the scan passes them) and a `finish_task` that builds the row from what they found
(`process_item(..., windows)`, which decodes only the frames no window kept: the scene keyframes of
`--frames scenes`, nothing for the other policies). Cuts within the detector's lead-in
(`SceneDetector.lead_in_frames`) after a window's start are found as at a clip start, so the split finds the
same cuts as one scan, and the row is the same (`--frames scenes` takes the same `scene_keyframe` frames as the
one scan's candidates, `vdata.video.candidates`).
"""

from __future__ import annotations

from dataclasses import dataclass

from vdata.build.runner import Outcome, attempt, error_row
from vdata.builders.base import Item
from vdata.errors import ItemError
from vdata.options import BuildOptions
from vdata.process import WindowScan, scan_window, scan_windows

#: Frames of scene scan per window task (5 min at 30 fps): a longer clip window is scanned by several tasks.
WINDOW_FRAMES = 9000


@dataclass(frozen=True)
class Split:
    """An item task's answer instead of an outcome: scan these (first, last) frame windows first."""

    windows: list[tuple[int, int]]


def window_frames(options: BuildOptions) -> int:
    """Frames per window task for this build: `WINDOW_FRAMES` with `--scenes`, else 0 (never split)."""
    return WINDOW_FRAMES if options.scene_detector.enabled else 0


def item_task(entry: Item, options: BuildOptions, frames: int) -> Outcome | Split:
    """The item's outcome, or its scene scan's windows when its clip window is longer than `frames` frames
    (0: never split)."""
    if frames and (windows := scan_windows(entry, frames)):
        return Split(windows)
    return attempt(entry, options)


def window_task(entry: Item, options: BuildOptions, first: int, last: int) -> WindowScan | Outcome:
    """What the item's scene scan finds in (first, last] (`WindowScan`), or the item's error outcome."""
    try:
        return scan_window(entry, options, first, last)
    except ItemError as e:
        return False, error_row(entry, e.code, e.message, e.source_file)


def finish_task(entry: Item, options: BuildOptions, *windows: WindowScan | Outcome) -> Outcome:
    """The item's outcome from what its window tasks found (the first window's error, if one failed)."""
    for answer in windows:
        if isinstance(answer, tuple):
            return answer
    return attempt(entry, options, [w for w in windows if isinstance(w, WindowScan)])
