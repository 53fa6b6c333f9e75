"""Small colour planes of decoded frames for scene scoring, read from the decoder's own Y, U and V planes.

Each plane is subsampled on its own to about `DETECT_WIDTH` pixels wide (`shrink`: OpenCV's centred
nearest-neighbour resize, one source pixel per output pixel); no full-frame colour conversion or scaling
(swscale) runs. Pixel formats other than 8-bit planar YUV (10-bit, NV12, RGB, ...) are first converted by
swscale to 8-bit YUV 4:2:0 at twice the small size.

`to_bgr` converts a batch of small planes to BGR (ITU-R BT.601, as swscale does by default), the picture a
scene detector sees; `hsv` gives OpenCV's 8-bit HSV of it (hue 0-179, saturation and value 0-255), each one
OpenCV call over the whole batch, into arrays kept from batch to batch (`Scratch`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Width in pixels, about, of the planes given to scene detection: detection is about colour and luma change,
#: not detail, and small planes keep it cheap.
DETECT_WIDTH = 160
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
    """Size (width, height) of the planes given to scene detection: `DETECT_WIDTH` wide at most, aspect kept.

    >>> detect_size(1280, 720), detect_size(1920, 1080), detect_size(160, 120)
    ((160, 90), (160, 90), (160, 120))
    """
    w = min(width, DETECT_WIDTH)
    return w, max(1, round(height * w / width))


def small_planes(frame, size: tuple[int, int]) -> Planes:
    """The Y, U, V planes of a PyAV video frame, each subsampled to `size` (width, height) by `shrink`."""
    name = frame.format.name
    if name not in _PLANAR_8BIT:
        frame = frame.reformat(width=size[0] * 2, height=size[1] * 2, format="yuv420p")
    y, u, v = (shrink(_plane(plane), size) for plane in frame.planes[:3])
    full = name.startswith("yuvj") or getattr(frame, "color_range", 0) == 2
    return Planes(y, u, v, full)


def shrink(plane: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`plane` (H x W uint8) subsampled to `size` (width, height): each output pixel is the source pixel at its
    centre (OpenCV's `INTER_NEAREST_EXACT`). Scene scores are means over the whole picture, so one sample per
    output pixel serves; it costs 6-7 us per plane of a 720p frame here against 15-17 us for OpenCV's linear
    interpolation (the three planes: 20 us against 54 us, 2% of the frame's decoding), measured when this
    replaced it. On the benchmark's grainy corpus the two gave the same cuts except at a few frames scoring
    near the threshold (its barcodes flipping many bits at once), both ways; the tests hold the NumPy
    detectors to PySceneDetect's on the same planes.

    >>> shrink(np.arange(16, dtype=np.uint8).reshape(4, 4), (2, 2)).tolist()
    [[5, 7], [13, 15]]
    """
    cv2 = opencv()
    return cv2.resize(plane, size, interpolation=cv2.INTER_NEAREST_EXACT)


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


def _plane(plane) -> np.ndarray:
    """A PyAV plane as a (height, width) uint8 view of its buffer (rows padded to `line_size` are cut)."""
    return np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]


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
    """Output arrays reused from one batch to the next (`to_bgr`, `hsv`): a fresh array of a batch's size (0.7 MB
    for 16 frames of 160 x 90 x 3) costs page faults on every call, measured at 4x the OpenCV work that fills
    it. An array handed out stays valid until the same name is asked for again."""

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


def hsv(bgr: np.ndarray, scratch: Scratch | None = None) -> np.ndarray:
    """OpenCV's 8-bit `COLOR_BGR2HSV` of BGR uint8 (..., H, W, 3), as PySceneDetect computes it: hue 0-179
    (degrees / 2), saturation and value 0-255 (uint8, same shape); written into `scratch`'s arrays when given.

    >>> hsv(np.array([[[0, 0, 255], [255, 0, 0], [40, 40, 40]]], np.uint8)).tolist()
    [[[0, 255, 255], [120, 255, 255], [0, 0, 40]]]
    """
    cv2 = opencv()

    flat = bgr.reshape(-1, bgr.shape[-2], 3)
    out = scratch.get("hsv", flat.shape[0], flat.shape[1]) if scratch is not None else None
    return cv2.cvtColor(flat, cv2.COLOR_BGR2HSV, out).reshape(bgr.shape)
