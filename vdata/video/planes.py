"""Small colour planes of decoded frames for scene scoring, read from the decoder's own Y, U and V planes.

A frame's luma plane is sampled every `step` pixels (two diagonal samples averaged per `step` x `step` block,
about what PySceneDetect's default downscale with linear interpolation sees) and its chroma planes at the
matching places; no full-frame colour conversion or scaling (swscale) runs. Pixel formats other than 8-bit
planar YUV (10-bit, NV12, RGB, ...) are first converted by swscale to 8-bit YUV 4:2:0 at the small size.

`to_bgr` converts a batch of small planes to BGR (ITU-R BT.601, as swscale does by default), the picture a
scene detector sees; `hsv` gives OpenCV's 8-bit HSV of it (hue 0-179, saturation and value 0-255).
"""

from __future__ import annotations

from dataclasses import dataclass

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


def step_for(width: int) -> int:
    """The (even) sampling step that brings a `width`-pixel plane to about `DETECT_WIDTH` pixels.

    >>> step_for(1280), step_for(1920), step_for(160)
    (8, 12, 2)
    """
    return max(2, 2 * round(width / (2 * DETECT_WIDTH)))


def small_planes(frame, step: int) -> Planes:
    """The small Y, U, V planes of a PyAV video frame, sampled every `step` luma pixels (`step` even)."""
    name = frame.format.name
    if name not in _PLANAR_8BIT:
        width, height = max(2, frame.width // step * 2), max(2, frame.height // step * 2)
        frame = frame.reformat(width=width, height=height, format="yuv420p")
        step = 2
    y = _plane(frame.planes[0])
    rows, cols = y.shape[0] // step, y.shape[1] // step
    half = step // 2
    small_y = ((y[: rows * step : step, : cols * step : step].astype(np.uint16)
                + y[half : rows * step : step, half : cols * step : step]) >> 1).astype(np.uint8)
    chroma = []
    for plane in frame.planes[1:3]:
        c = _plane(plane)
        sy, sx = step * c.shape[0] // y.shape[0] or 1, step * c.shape[1] // y.shape[1] or 1
        chroma.append(np.ascontiguousarray(c[: rows * sy : sy, : cols * sx : sx][:rows, :cols]))
    full = name.startswith("yuvj") or getattr(frame, "color_range", 0) == 2
    return Planes(small_y, chroma[0], chroma[1], full)


def _plane(plane) -> np.ndarray:
    """A PyAV plane as a (height, width) uint8 view of its buffer (rows padded to `line_size` are cut)."""
    return np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]


def to_bgr(planes: Planes) -> np.ndarray:
    """BGR uint8 (..., H, W, 3) of small planes (BT.601 matrix; TV or full levels as the planes say).

    >>> grey = Planes(np.full((1, 1), 126, np.uint8), np.full((1, 1), 128, np.uint8), np.full((1, 1), 128, np.uint8))
    >>> to_bgr(grey).tolist()
    [[[128, 128, 128]]]
    """
    y = planes.y.astype(np.float32)
    u = planes.u.astype(np.float32) - 128
    v = planes.v.astype(np.float32) - 128
    if planes.full_range:
        r, g, b = y + 1.402 * v, y - 0.344136 * u - 0.714136 * v, y + 1.772 * u
    else:
        y = (y - 16) * (255 / 219)
        r = y + 1.596027 * v
        g = y - 0.391762 * u - 0.812968 * v
        b = y + 2.017232 * u
    return np.clip(np.rint(np.stack([b, g, r], axis=-1)), 0, 255).astype(np.uint8)


def hsv(bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """OpenCV's 8-bit `COLOR_BGR2HSV` of BGR uint8 (..., 3): hue 0-179 (degrees / 2), saturation and value 0-255,
    each as float32 (..., ) arrays.

    >>> h, s, v = hsv(np.array([[0, 0, 255], [255, 0, 0], [40, 40, 40]], np.uint8))
    >>> h.tolist(), s.tolist(), v.tolist()
    ([0.0, 120.0, 0.0], [255.0, 255.0, 0.0], [255.0, 255.0, 40.0])
    """
    b, g, r = (bgr[..., k].astype(np.float32) for k in range(3))
    value = np.maximum(np.maximum(b, g), r)
    low = np.minimum(np.minimum(b, g), r)
    diff = value - low
    with np.errstate(divide="ignore", invalid="ignore"):
        sat = np.where(value > 0, np.rint(diff * 255 / value), 0)
        scale = np.where(diff > 0, 60 / diff, 0)
    hue = np.where(value == r, (g - b) * scale, np.where(value == g, 120 + (b - r) * scale, 240 + (r - g) * scale))
    hue = np.where(hue < 0, hue + 360, hue)
    return np.rint(hue / 2).astype(np.float32) % 180, sat.astype(np.float32), value
