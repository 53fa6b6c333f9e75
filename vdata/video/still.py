"""Image samples (schema v2 `media` "image"): one image or several, read without a decoder.

Each image is opened with Pillow, turned upright by its EXIF orientation, converted to RGB (alpha dropped, palette
expanded), resized exactly as video keyframes are (`vdata.video.resize.fit_pixels` at the build's `max_pixels` and
`size_factor`, Pillow's box filter as in `vdata.video.decode`) and re-encoded by the build's encoder (JPEG at
`--jpeg-quality`): a stored image is a stored keyframe. A missing image is `video_missing`, a file Pillow cannot
read (corrupt, truncated, not an image) is `video_unreadable`: error rows naming the image.

>>> _relative(Path("/corpus/imgs/2.png"), Path("/corpus/imgs/1.png"), "imgs/1.png")
'imgs/2.png'
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from vdata.errors import ItemError
from vdata.video import decode
from vdata.video.resize import fit_pixels

#: Encodes an RGB uint8 array [H, W, 3] to the stored bytes (the build's JPEG encoder).
Encoder = Callable[[np.ndarray], bytes]


def read_image(path: Path, max_pixels: int, size_factor: int, encode: Encoder) -> tuple[bytes, tuple[int, int]]:
    """The stored bytes of the image at `path` (upright, RGB, resized by `fit_pixels(w, h, max_pixels,
    size_factor)`, encoded by `encode`) and its original upright `(width, height)` in pixels."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not path.exists():
        raise ItemError("video_missing", "image file not found", str(path))
    if not path.is_file():
        raise ItemError("video_not_a_file", "the image path is not a regular file", str(path))
    try:
        with Image.open(path) as image:
            upright = ImageOps.exif_transpose(image)
            rgb = np.asarray(upright.convert("RGB"))
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as e:
        raise ItemError("video_unreadable", f"not an image Pillow can read ({e})", str(path)) from None
    height, width = rgb.shape[:2]
    if width == 0 or height == 0:
        raise ItemError("video_unreadable", "the image has no pixels", str(path))
    size = fit_pixels(width, height, max_pixels, size_factor)
    return encode(decode._resize(rgb, size)), (width, height)


def image_row(item: Any, max_pixels: int, size_factor: int, encode: Encoder) -> dict[str, Any]:
    """The schema-v2 row of an image item (`Item.images` set): its images as `frames`, in order; no time axis
    (`fps`, `frame_timestamps_s`, `frame_indices` null; `duration_s` and the clip window 0.0); `width`/`height`
    the first image's original size; `num_frames` the number of images; `meta["images"]` every image's path
    relative to the corpus root when there are several. Spans and boxes have no meaning on images here
    (`bad_annotation`)."""
    if item.spans is not None or item.boxes is not None:
        raise ItemError("bad_annotation", "an image sample with time spans or boxes (images have no time axis; "
                        "boxes on images are not supported)", item.origin or str(item.video))
    if not item.images:
        raise ItemError("bad_annotation", "an image sample without images", item.origin or str(item.video))
    frames, sizes = [], []
    for path in item.images:
        data, size = read_image(Path(path), max_pixels, size_factor, encode)
        frames.append({"bytes": data, "path": None})
        sizes.append(size)
    meta = dict(item.meta)
    if len(item.images) > 1:
        meta["images"] = [_relative(Path(p), Path(item.video), item.video_rel) for p in item.images]
    return {
        "id": item.id, "source": item.source, "split": item.split, "media": "image",
        "video": item.video_rel, "video_id": item.video_id,
        "duration_s": 0.0, "fps": None, "width": sizes[0][0], "height": sizes[0][1], "num_frames": len(frames),
        "clip_start_s": 0.0, "clip_end_s": 0.0,
        "frames": frames, "frame_timestamps_s": None, "frame_indices": None,
        "scenes": None, "subtitles": None, "audio": None,
        "task": item.task, "question": item.question,
        "options": list(item.options) if item.options is not None else None,
        "answer": item.answer, "spans": None, "boxes": None, "cot": item.cot,
        "meta": json.dumps(meta, sort_keys=True),
    }


def _relative(path: Path, first: Path, first_rel: str) -> str:
    """`path` relative to the corpus root, given the first image's absolute and relative paths."""
    root = first
    for _ in Path(first_rel).parts:
        root = root.parent
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
