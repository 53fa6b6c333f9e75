"""Image-folder videos: a folder of frame images (JPEG or PNG, no container) read as a video.

Tracking corpora (GOT-10k, LaSOT) and some instruction sets ship each sequence as `00000001.jpg`,
`00000002.jpg`, ...: frame i (0-based) is the i-th image in natural name order (`2.jpg` before `10.jpg`), and
its time is `i / fps` seconds, fps being the format's frame rate (GOT-10k's `meta_info.ini`, LaSOT's 30) that the
builder puts in the item's `meta[FPS_KEY]`. `probe_any` gives the same `VideoInfo` a container video gets (a
frame table whose every frame is a keyframe), and the `frames` decoder reads the chosen images, so the build
treats both alike.

>>> table = frame_table(3, 10.0)
>>> table.timestamps_s.tolist(), round(table.duration_s, 9)
([0.0, 0.1, 0.2], 0.3)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from vdata.errors import ItemError
from vdata.video import decode
from vdata.video.probe import FrameTable, VideoInfo, probe

#: File extensions read as frames (case-insensitive).
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png"})
#: `VideoInfo.container` of an image folder.
CONTAINER = "image_folder"
#: The decoder registered for image folders.
DECODER = "frames"
#: The `Item.meta` key holding an image folder's frame rate (frames per second), set by its builder.
FPS_KEY = "frames_fps"


def frame_files(folder: Path) -> list[Path]:
    """The frame images directly in `folder`, in natural name order (digit runs compared as numbers).

    >>> [p.name for p in sorted([Path("10.jpg"), Path("2.jpg")], key=_natural)]
    ['2.jpg', '10.jpg']
    """
    return sorted((p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()),
                  key=_natural)


def _natural(path: Path) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def frame_table(num_frames: int, fps: float) -> FrameTable:
    """The frame table of `num_frames` images at `fps` frames per second: frame i at `i / fps` s, all keyframes."""
    time_base = 1 / Fraction(repr(float(fps)))
    return FrameTable(np.arange(num_frames, dtype=np.int64), time_base, np.arange(num_frames, dtype=np.int64),
                      start_pts=0, last_duration=1)


def item_fps(item: Any) -> float | None:
    """The frame rate an item's builder gave its image folder (`meta[FPS_KEY]`), or None."""
    value = (item.meta or {}).get(FPS_KEY)
    return None if value is None else float(value)


def probe_any(path: str | Path, fps: float | None = None, leave_open: bool = False) -> VideoInfo:
    """`VideoInfo` of an image folder (`fps` frames per second), or `vdata.video.probe.probe` of anything else
    (`leave_open`: see there).

    A folder of frames without a frame rate, or with a non-positive one, raises `ItemError(video_unreadable)`;
    a folder with no frame images is not a video (`probe`'s `video_not_a_file`)."""
    folder = Path(path)
    files = frame_files(folder) if folder.is_dir() else []
    if not files:
        return probe(path, leave_open)
    if fps is None or not fps > 0:
        raise ItemError("video_unreadable", f"an image folder needs its frame rate (fps, got {fps}): its format "
                        "gives it, or the source's option --source FORMAT,fps=N:PATH", str(path))
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(files[0]) as first:
            width, height = first.size
            codec = (first.format or files[0].suffix.lstrip(".")).lower()
    except (OSError, UnidentifiedImageError) as e:
        raise ItemError("video_unreadable", f"frame {files[0].name} is not an image: {e}", str(path)) from None
    table = frame_table(len(files), fps)
    return VideoInfo(str(path), table.duration_s, float(fps), len(files), width, height, codec, table, CONTAINER)


@decode.register(DECODER)
def decode_frames(
    path: str, table: FrameTable, indices: Sequence[int], size: tuple[int, int], scan: decode.Scan | None = None
) -> list[decode.Frame]:
    """Read the images of frames `indices` of an image folder (frame i = the i-th image in natural name order),
    resized to `size` and encoded by `scan.encode` when given. A scan with `visit` (scene detection) is shown
    every frame of its range, in order, as full-range Y, Cb, Cr planes of about `planes.DETECT_WIDTH` pixels
    (a JPEG's own colour space: PIL's `YCbCr`), like PyAV's scan of a video. Every frame must have the first
    frame's size (`decode_failed` otherwise), since boxes are scaled by it."""
    if not Path(path).is_dir():
        raise ItemError("decode_failed", "the frames decoder reads image folders, not video files", path)
    files = frame_files(Path(path))
    if len(files) != len(table):
        raise ItemError("decode_failed", f"the folder holds {len(files)} frames, its probe {len(table)}", path)
    encode = scan.encode if scan is not None and scan.encode is not None else None
    wanted = set(int(i) for i in indices)
    visit = scan.visit if scan is not None else None
    visited = range(scan.first, (scan.last if scan.last >= 0 else len(files) - 1) + 1) if visit else range(0)
    times = table.timestamps_s
    reader = _FrameReader(files, path)
    out: dict[int, decode.Frame] = {}

    def frame(index: int, image: Any) -> decode.Frame:
        rgb = decode._resize(np.asarray(image.convert("RGB")), size)
        return decode.Frame(index, float(times[index]), encode(rgb) if encode else rgb)

    for index in sorted(wanted | set(visited)):
        image = reader.open(index)
        if index in visited and visit is not None:
            visit(index, _small_planes(image), lambda index=index, image=image: frame(index, image))
        if index in wanted:
            out[index] = frame(index, image)
    return [out[i] for i in sorted(wanted)]


class _FrameReader:
    """Opens frame images, checking each has the first frame's size; unreadable ones are `decode_failed`."""

    def __init__(self, files: list[Path], path: str) -> None:
        self.files, self.path, self.expected = files, path, None

    def open(self, index: int) -> Any:
        from PIL import Image, UnidentifiedImageError

        name = self.files[index].name
        try:
            with Image.open(self.files[index]) as image:
                image.load()
        except (OSError, UnidentifiedImageError) as e:
            raise ItemError("decode_failed", f"frame {name} cannot be read: {e}", self.path) from None
        if self.expected is None:
            with Image.open(self.files[0]) as first:
                self.expected = first.size
        if image.size != self.expected:
            raise ItemError("decode_failed", f"frame {name} is {image.size[0]}x{image.size[1]}, the sequence "
                            f"{self.expected[0]}x{self.expected[1]}", self.path)
        return image


def _small_planes(image: Any) -> Any:
    """Full-range Y, Cb, Cr planes of a PIL image at `planes.detect_size` (`planes.shrink`, as for videos)."""
    from vdata.video.planes import Planes, detect_size, shrink

    ycc = np.asarray(image.convert("YCbCr"))
    size = detect_size(image.width, image.height)
    y, u, v = (shrink(np.ascontiguousarray(ycc[..., c]), size) for c in range(3))
    return Planes(y, u, v, full_range=True)
