"""Synthetic videos whose pixels carry their own ground truth (for tests, benchmarks and the demo).

Every frame carries its 0-based index as a 12-bit barcode across the top band (white block = 1) and a solid
magenta box whose position is a known function of the index (`box_at`). Scenes change the background colour
at known frame numbers, so scene detectors have real cuts to find. Decoding a stored keyframe back
(`read_index`, `find_box`) checks every timestamp, index and box exactly, even after JPEG and resizing.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

BITS = 12
BAND = 1 / 6  # the barcode occupies the top sixth of the frame
BOX_COLOR = (255, 0, 255)
SCENE_COLORS = [(30, 60, 200), (200, 120, 20), (20, 160, 60), (120, 20, 120), (180, 180, 40), (40, 40, 40)]

#: PyAV encoder names by short codec name.
PYAV_CODECS = {"h264": "libx264", "hevc": "libx265", "vp9": "libvpx-vp9", "mpeg4": "mpeg4"}
CONTAINERS = {"h264": ".mp4", "hevc": ".mp4", "vp9": ".webm", "mpeg4": ".avi"}


def box_at(index: int, width: int, height: int) -> tuple[int, int, int, int]:
    """The box (x1, y1, x2, y2; pixels, exclusive ends) drawn on frame `index` of a `width` x `height` video."""
    bw, bh = width // 5, height // 5
    span_x = width - bw - 8
    x1 = 4 + (index * 7) % max(span_x, 1)
    y1 = int(height * BAND) + 8 + (index * 3) % max(height - int(height * BAND) - bh - 16, 1)
    return x1, y1, x1 + bw, y1 + bh


def scene_of(index: int, cuts: Sequence[int]) -> int:
    """The scene number of frame `index` given the frame numbers where new scenes start."""
    return sum(1 for c in cuts if index >= c)


def make_frame(index: int, width: int, height: int, cuts: Sequence[int] = ()) -> np.ndarray:
    """One RGB frame (uint8, H x W x 3) carrying `index` as a barcode, the scene colour and the box."""
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = SCENE_COLORS[scene_of(index, cuts) % len(SCENE_COLORS)]
    band = int(height * BAND)
    frame[:band] = 0
    block = width / BITS
    for bit in range(BITS):
        if index >> (BITS - 1 - bit) & 1:
            frame[:band, int(bit * block) : int((bit + 1) * block)] = 255
    x1, y1, x2, y2 = box_at(index, width, height)
    frame[y1:y2, x1:x2] = BOX_COLOR
    return frame


def read_index(rgb: np.ndarray) -> int:
    """Read the frame index back from a (possibly resized, JPEG-compressed) RGB frame."""
    height, width = rgb.shape[:2]
    row = int(height * BAND / 2)
    value = 0
    for bit in range(BITS):
        x = int((bit + 0.5) * width / BITS)
        value = value << 1 | int(rgb[row, x].mean() > 128)
    return value


def find_box(rgb: np.ndarray) -> tuple[int, int, int, int]:
    """The bounding box (x1, y1, x2, y2; exclusive ends) of the magenta pixels in an RGB frame."""
    r, g, b = (rgb[..., c].astype(int) for c in range(3))
    mask = (r > 180) & (g < 90) & (b > 180)
    ys, xs = np.nonzero(mask)
    if not len(xs):
        raise ValueError("no box in this frame")
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def write_video(
    path: str | Path,
    *,
    codec: str = "h264",
    fps: float = 25.0,
    num_frames: int = 50,
    width: int = 320,
    height: int = 240,
    cuts: Sequence[int] = (),
    gop: int | None = None,
    frame_times_s: Sequence[float] | None = None,
) -> Path:
    """Write a test video; returns its path.

    `codec` is h264, hevc, vp9 (PyAV) or mpeg4 (OpenCV). `frame_times_s` makes a variable-frame-rate file
    (presentation times in seconds, one per frame, PyAV codecs only). `gop` sets the keyframe interval in frames.
    """
    path = Path(path)
    if codec == "mpeg4" and frame_times_s is None:
        return _write_opencv(path, fps, num_frames, width, height, cuts)
    import av

    if frame_times_s is not None:
        num_frames = len(frame_times_s)
    with av.open(str(path), "w") as container:
        rate = Fraction(fps).limit_denominator(1001)
        stream = container.add_stream(PYAV_CODECS[codec], rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if gop:
            stream.codec_context.gop_size = gop
        if codec == "hevc":
            stream.options = {"x265-params": "log-level=error"}
        if frame_times_s is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        for i in range(num_frames):
            frame = av.VideoFrame.from_ndarray(make_frame(i, width, height, cuts), format="rgb24")
            if frame_times_s is not None:
                frame.pts = round(frame_times_s[i] * 1000)
                frame.time_base = Fraction(1, 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _write_opencv(path: Path, fps: float, num_frames: int, width: int, height: int, cuts: Sequence[int]) -> Path:
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {path}")
    for i in range(num_frames):
        writer.write(make_frame(i, width, height, cuts)[..., ::-1].copy())
    writer.release()
    return path
