"""Test videos for curation: distinct generated videos, their near-duplicates, and datasets built from them.

`textured_video(path, seed)` writes a video of a seeded smooth colour texture panning slowly, with a seeded
square drifting over it: two seeds give unrelated content, and frames a fraction of a second apart look alike
(as in a real shot). `derive` makes the near-duplicates the issue names from such a file by decoding it and
encoding it again with PyAV: another CRF, another size, a crop of a few pixels, or a cut of a time window.
`build_dataset` runs the real `vdata build` (jsonl builder) over a folder of videos.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np

FPS, WIDTH, HEIGHT = 10.0, 96, 64


def _texture(seed: int, width: int, height: int) -> np.ndarray:
    from PIL import Image

    rng = np.random.default_rng(seed)
    grid = rng.integers(0, 256, (4, 8, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(grid).resize((width, height), Image.Resampling.BICUBIC))


def textured_frames(seed: int, seconds: float, fps: float = FPS, width: int = WIDTH, height: int = HEIGHT,
                    speed_px: float = 1.0) -> list[np.ndarray]:
    """RGB frames (uint8 [H, W, 3]) of video `seed`: a texture panning `speed_px` pixels per frame and a
    square drifting over it."""
    n = round(seconds * fps)
    big = _texture(seed, width + int(n * speed_px) + 1, height)
    rng = np.random.default_rng(seed + 10_000)
    colour = rng.integers(0, 256, 3, dtype=np.uint8)
    x0, y0 = rng.integers(0, width // 2), rng.integers(0, height // 2)
    side = height // 3
    frames = []
    for i in range(n):
        shift = int(i * speed_px)
        frame = big[:, shift:shift + width].copy()
        x, y = (x0 + i // 3) % (width - side), y0
        frame[y:y + side, x:x + side] = colour
        frames.append(frame)
    return frames


def encode(path: Path, frames: Sequence[np.ndarray], fps: float = FPS, crf: int = 23) -> Path:
    """Write RGB frames as H.264 (yuv420p, the given CRF); sides are rounded down to even numbers."""
    import av

    height, width = (s - s % 2 for s in frames[0].shape[:2])
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"crf": str(crf)}
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame[:height, :width]),
                                                                   format="rgb24")))
        container.mux(stream.encode(None))
    return path


def textured_video(path: Path, seed: int, seconds: float = 4.0, **kwargs: float) -> Path:
    return encode(path, textured_frames(seed, seconds, **kwargs))


def decode(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def derive(src: Path, dst: Path, kind: str, fps: float = FPS) -> Path:
    """A near-duplicate of `src`: `crf` (re-encoded at CRF 35), `resize` (to 3/4 of each side), `crop` (2 pixels
    off each edge) or `cut` (the 2 seconds from 1.0 s)."""
    from PIL import Image

    frames = decode(src)
    change: dict[str, Callable[[list[np.ndarray]], list[np.ndarray]]] = {
        "crf": lambda fs: fs,
        "resize": lambda fs: [np.asarray(Image.fromarray(f).resize((f.shape[1] * 3 // 4, f.shape[0] * 3 // 4)))
                              for f in fs],
        "crop": lambda fs: [f[2:-2, 2:-2] for f in fs],
        "cut": lambda fs: fs[round(1.0 * fps):round(3.0 * fps)],
    }
    return encode(dst, change[kind](frames), fps, crf=35 if kind == "crf" else 23)


def build_dataset(videos: Sequence[Path], out: Path, frames: str = "fps:2", extra: Sequence[dict] = ()) -> Path:
    """Build `videos` (one caption sample each, id = the file's stem; `extra` rows appended) with the real
    build into `out`."""
    from vdata.build import build
    from vdata.options import BuildOptions

    out.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"video": str(v), "id": v.stem, "task": "caption", "answer": f"video {v.stem}"} for v in videos]
    annotations = out.with_suffix(".jsonl")
    annotations.write_text("".join(json.dumps(r) + "\n" for r in [*rows, *extra]), encoding="utf-8")
    build([f"jsonl:{annotations}"], out, BuildOptions(frames=frames, workers=0, max_pixels=96 * 64))
    return out
