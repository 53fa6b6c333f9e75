"""Small colour planes of decoded frames for scene scoring, read from the decoder's own Y, U and V planes.

Each plane is subsampled on its own to about `DETECT_WIDTH` pixels wide and half as many rows as the aspect
gives (`detect_size`; `shrink`: the source pixel at each output pixel's centre); no full-frame colour conversion
or scaling (swscale) runs. Pixel formats other than 8-bit planar YUV (10-bit, NV12, RGB, ...) are first
converted by swscale to 8-bit YUV 4:2:0 at twice the small size.

`PlaneSampler` writes them straight into a batch of planes, frame after frame (the scene pass: one NumPy
strided copy per plane, no intermediate arrays); `small_planes` returns one frame's.

`to_bgr` converts a batch of small planes to BGR (ITU-R BT.601, as swscale does by default), the picture a
scene detector sees; `hsv` gives OpenCV's 8-bit HSV of it (hue 0-179, saturation and value 0-255), each one
OpenCV call over the whole batch, into arrays kept from batch to batch (`Scratch`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Width in pixels, about, of the planes given to scene detection: detection is about colour and luma change,
#: not detail, and small planes keep it cheap.
DETECT_WIDTH = 160
#: The planes take one row in this many of a grid of square cells `DETECT_WIDTH` wide (`detect_size`): a row
#: sampled from a picture the decoder has just written is read whole from memory (its pixels share cache
#: lines), so the rows are what a subsample costs, and the scores are means over the picture, which half the
#: rows serve. Measured in process on the benchmark's 60-s 720p H.264 (median of 8 alternating rounds):
#: `--scenes content` took 50 us less per frame with 45 rows than with 90 (about 4% of the frame's decoding).
DETECT_ROW_STEP = 2
#: Pixel formats whose planes are read as they are: 8-bit planar YUV (`yuvj*`: full range).
_PLANAR_8BIT = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p"})


@dataclass(frozen=True)
class Planes:
    """Y, U and V of one frame (or a batch: a leading axis), each uint8 of the same shape; `full_range` is True
    for 0-255 ("JPEG") levels, False for 16-235 ("TV") levels."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    full_range: bool = False


def detect_size(width: int, height: int) -> tuple[int, int]:
    """Size (width, height) in pixels of the planes given to scene detection: `DETECT_WIDTH` wide at most, and
    one row in `DETECT_ROW_STEP` of the rows the aspect ratio gives that width.

    >>> detect_size(1280, 720), detect_size(1920, 1080), detect_size(160, 120)
    ((160, 45), (160, 45), (160, 60))
    """
    w = min(width, DETECT_WIDTH)
    return w, max(1, round(height * w / width / DETECT_ROW_STEP))


def small_planes(frame, size: tuple[int, int]) -> Planes:
    """The Y, U, V planes of a PyAV video frame, each subsampled to `size` (width, height) by `shrink`."""
    sampler = PlaneSampler(frame, size, 1)
    sampler.write(frame, 0)
    return Planes(sampler.batch.y[0], sampler.batch.u[0], sampler.batch.v[0], sampler.batch.full_range)


class PlaneSampler:
    """Writes the small planes (`size`: width, height in pixels) of PyAV frames into slots of a batch of
    `frames` planes (`batch`, allocated here), for frames of one picture: the width, height, pixel format and
    colour range of the frame it is made from (`fits`). Each plane is sampled at `shrink`'s pixels by one NumPy
    copy from the decoder's buffer into its slot. In the scene pass every Python operation per frame counts
    several times what it does on its own, since the decoder evicts the interpreter's code and data between
    frames: measured on the benchmark's 60-s 720p H.264, taking the planes as views and copying them cost 57 us
    per frame over decoding, `small_planes` with its intermediate arrays and checks 80 us (2026-12-06, median of
    7 rounds)."""

    def __init__(self, frame, size: tuple[int, int], frames: int) -> None:
        name = frame.format.name
        self._picture = (frame.width, frame.height, name, getattr(frame, "color_range", 0))
        self._reformat = name not in _PLANAR_8BIT
        if self._reformat:
            frame = self._converted(frame, size)
        full_range = name.startswith("yuvj") or getattr(frame, "color_range", 0) == 2
        self._size = size
        self._picks = tuple(_pick(plane.height, plane.width, size) for plane in frame.planes[:3])
        self._rows = tuple(plane.height for plane in frame.planes[:3])
        empty = np.empty((frames, size[1], size[0]), np.uint8)
        self.batch = Planes(empty, np.empty_like(empty), np.empty_like(empty), full_range)
        self._outs = (self.batch.y, self.batch.u, self.batch.v)

    def fits(self, frame) -> bool:
        """True when `frame` is a picture of the size, pixel format and colour range this sampler reads."""
        return (frame.width, frame.height, frame.format.name, getattr(frame, "color_range", 0)) == self._picture

    def write(self, frame, slot: int) -> None:
        """Write `frame`'s small planes into slot `slot` (0-based) of `batch` (`frame` must `fit`)."""
        if self._reformat:
            frame = self._converted(frame, self._size)
        # strict=False: a picture may have a fourth (alpha) plane, not sampled
        for plane, rows, pick, out in zip(frame.planes, self._rows, self._picks, self._outs, strict=False):
            out[slot] = np.frombuffer(plane, np.uint8).reshape(rows, plane.line_size)[pick]

    @staticmethod
    def _converted(frame, size: tuple[int, int]):
        """Pixel formats other than 8-bit planar YUV, as 8-bit YUV 4:2:0 at twice the small size (swscale)."""
        return frame.reformat(width=size[0] * 2, height=size[1] * 2, format="yuv420p")


def _pick(height: int, width: int, size: tuple[int, int]) -> tuple:
    """The index that samples a (height, width) plane at `shrink`'s pixels (`centres` of `size`: width,
    height): two slices, or arrays broadcast to the output's shape when a spacing is uneven.

    >>> _pick(3, 5, (2, 1))
    (slice(1, 2, 1), slice(1, 4, 2))
    >>> np.arange(30).reshape(3, 10)[_pick(3, 10, (3, 1))].tolist()  # columns 1, 5, 8 of row 1
    [[11, 15, 18]]
    """
    rows, cols = centres(height, size[1]), centres(width, size[0])
    if isinstance(rows, slice) and isinstance(cols, slice):
        return rows, cols
    as_array = lambda index, n: np.arange(n)[index] if isinstance(index, slice) else index  # noqa: E731
    return as_array(rows, height)[:, None], as_array(cols, width)[None, :]


def shrink(plane: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`plane` (H x W uint8) subsampled to `size` (width, height): each output pixel is the source pixel at its
    centre (`centres`), a C-contiguous copy. Scene scores are means over the whole picture, so one sample per
    output pixel serves. A NumPy strided copy when the ratio is whole (1280 or 1920 wide to 160): 7 us per 720p
    plane against 11-25 us for OpenCV's `INTER_NEAREST_EXACT` (the same pixels at whole ratios) and more for
    its linear interpolation; the copy is bound by reading the rows it samples from a picture no longer in
    cache.

    >>> shrink(np.arange(16, dtype=np.uint8).reshape(4, 4), (2, 2)).tolist()
    [[5, 7], [13, 15]]
    >>> shrink(np.arange(15, dtype=np.uint8).reshape(3, 5), (2, 1)).tolist()
    [[6, 8]]
    """
    return np.ascontiguousarray(plane[_pick(plane.shape[0], plane.shape[1], size)])


@functools.lru_cache(maxsize=64)
def centres(source: int, target: int) -> slice | np.ndarray:
    """Source indices (0-based) of the pixels at the centres of `target` equal cells over `source` pixels:
    floor((i + 0.5) * source / target) for i in 0..target-1; a slice when they are evenly spaced.

    >>> centres(1280, 160), centres(10, 3).tolist()
    (slice(4, 1277, 8), [1, 5, 8])
    """
    index = (2 * np.arange(target, dtype=np.int64) + 1) * source // (2 * target)
    step = int(index[1] - index[0]) if target > 1 else 1
    if step > 0 and np.array_equal(index, index[0] + step * np.arange(target)):
        return slice(int(index[0]), int(index[-1]) + 1, step)
    index.setflags(write=False)  # shared by every caller (cached)
    return index


def opencv() -> Any:
    """OpenCV, kept to one thread in this process (set once, on first use): the planes are small, and OpenCV's
    thread pool, once started, deadlocks any process later forked from this one that uses OpenCV (a build's
    pool workers after an in-process build)."""
    import cv2

    global _CV2_ONE_THREAD
    if not _CV2_ONE_THREAD:
        cv2.setNumThreads(1)
        _CV2_ONE_THREAD = True
    return cv2


_CV2_ONE_THREAD = False


#: BT.601 YUV -> BGR, as rows (B, G, R) of [y, u, v, offset], for TV (16-235) and full (0-255) levels.
_TV = np.array([[1.164384, 2.017232, 0.0], [1.164384, -0.391762, -0.812968], [1.164384, 0.0, 1.596027]])
_FULL = np.array([[1.0, 1.772, 0.0], [1.0, -0.344136, -0.714136], [1.0, 0.0, 1.402]])


def _matrix(full_range: bool) -> np.ndarray:
    m = _FULL if full_range else _TV
    offset = -(m @ np.array([0.0 if full_range else 16.0, 128.0, 128.0]))
    return np.concatenate([m, offset[:, None]], axis=1)


#: `cv2.transform`'s 3 x 4 matrix by `full_range` (False: TV levels, True: full levels).
_MATRICES = {full: _matrix(full) for full in (False, True)}


class Scratch:
    """Output arrays reused from one batch to the next (`to_bgr`, and the scene scorer's HSV): a fresh array of a
    batch's size (0.7 MB for 16 frames of 160 x 90 x 3, the planes' size when measured) costs page faults on
    every call, measured at 4x the OpenCV work that fills it. An array handed out stays valid until the same
    name is asked for again."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, rows: int, width: int) -> np.ndarray:
        """A (rows, width, 3) uint8 array (a view of a kept one that has room, else a new one, then kept)."""
        kept = self._arrays.get(name)
        if kept is None or kept.shape[0] < rows or kept.shape[1] != width:
            kept = self._arrays[name] = np.empty((rows, width, 3), np.uint8)
        return kept[:rows]


def to_bgr(planes: Planes, scratch: Scratch | None = None) -> np.ndarray:
    """BGR uint8 (..., H, W, 3) of small planes (BT.601 matrix; TV or full levels as the planes say; rounded and
    clipped to 0-255 by OpenCV's `transform`); written into `scratch`'s arrays when given.

    >>> grey = Planes(np.full((1, 1), 126, np.uint8), np.full((1, 1), 128, np.uint8), np.full((1, 1), 128, np.uint8))
    >>> to_bgr(grey).tolist()
    [[[128, 128, 128]]]
    """
    cv2 = opencv()

    shape, width = planes.y.shape, planes.y.shape[-1]
    flat = [np.ascontiguousarray(p).reshape(-1, width) for p in (planes.y, planes.u, planes.v)]
    rows = flat[0].shape[0]
    yuv_out, bgr_out = (None, None) if scratch is None else (scratch.get("yuv", rows, width),
                                                              scratch.get("bgr", rows, width))
    # one interleaving copy in C (`cv2.merge`: 10x faster than `np.stack(..., axis=-1)` on a batch)
    yuv = cv2.merge(flat, yuv_out)
    return cv2.transform(yuv, _MATRICES[bool(planes.full_range)], bgr_out).reshape(*shape, 3)


def hsv(bgr: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """OpenCV's 8-bit `COLOR_BGR2HSV` of BGR uint8 (..., H, W, 3), as PySceneDetect computes it: hue 0-179
    (degrees / 2), saturation and value 0-255 (uint8, same shape); written into `out` (C-contiguous, the same
    shape) when given.

    >>> hsv(np.array([[[0, 0, 255], [255, 0, 0], [40, 40, 40]]], np.uint8)).tolist()
    [[[0, 255, 255], [120, 255, 255], [0, 0, 40]]]
    """
    cv2 = opencv()

    flat = bgr.reshape(-1, bgr.shape[-2], 3)
    flat_out = None if out is None else out.reshape(flat.shape)
    return cv2.cvtColor(flat, cv2.COLOR_BGR2HSV, flat_out).reshape(bgr.shape)
