"""How many tokens a Qwen-VL-family model spends on a video: the patch arithmetic of its processor, in one place.

A model family's video processor resizes every frame with `smart_resize` (sides multiples of `patch * merge`,
the pixel count brought inside [min_pixels, max_pixels] keeping the aspect ratio), pads the frame count to a
multiple of `temporal_patch` by repeating the last frame, cuts `temporal_patch x patch x patch` patches, and
merges `merge x merge` of them into one token:

    tokens = ceil(frames / temporal_patch) * (height / patch) * (width / patch) / merge ** 2

(transformers' `Qwen2VLVideoProcessor` and `Qwen3VLVideoProcessor`; `tests/curate/test_filter.py` checks the
count against a real Qwen2.5-VL processor's `video_grid_thw`). The vision start and end markers add
`markers` tokens; Qwen3-VL's per-group timestamp text is not counted. Used by `vdata curate filter`; the trainer
can call `video_tokens` for its own budgets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vdata.errors import ConfigError


@dataclass(frozen=True)
class Family:
    """A model family's video patching: `patch` (pixels), `merge` (patches per token side), `temporal_patch`
    (frames per patch), the default pixel range per frame `min_pixels`..`max_pixels` of its video processor, and
    `markers` (tokens around each video)."""

    patch: int
    merge: int
    temporal_patch: int
    min_pixels: int
    max_pixels: int
    markers: int = 2

    @property
    def factor(self) -> int:
        """Frame sides are multiples of this many pixels."""
        return self.patch * self.merge


FAMILIES: dict[str, Family] = {
    "qwen2-vl": Family(patch=14, merge=2, temporal_patch=2, min_pixels=128 * 28 * 28, max_pixels=768 * 28 * 28),
    "qwen2.5-vl": Family(patch=14, merge=2, temporal_patch=2, min_pixels=128 * 28 * 28, max_pixels=768 * 28 * 28),
    "qwen3-vl": Family(patch=16, merge=2, temporal_patch=2, min_pixels=128 * 32 * 32, max_pixels=768 * 32 * 32),
}


def family(name: str) -> Family:
    """The family `name`; an unknown name raises `ConfigError` listing the known ones."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ConfigError(f"unknown model family {name!r}; known: {', '.join(sorted(FAMILIES))}") from None


def smart_resize(height: int, width: int, factor: int, min_pixels: int, max_pixels: int) -> tuple[int, int]:
    """(height, width) in pixels a Qwen-VL processor resizes a frame to (transformers' `smart_resize`).

    >>> smart_resize(360, 640, 28, 128 * 28 * 28, 768 * 28 * 28)
    (364, 644)
    """
    h_bar, w_bar = round(height / factor) * factor, round(width / factor) * factor
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar, w_bar = math.ceil(height * beta / factor) * factor, math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


def video_grid(name: str, frames: int, height: int, width: int, min_pixels: int | None = None,
               max_pixels: int | None = None) -> tuple[int, int, int]:
    """(t, h, w) patches of a video of `frames` frames of `height` x `width` pixels (the processor's
    `video_grid_thw`); `min_pixels`, `max_pixels` per frame default to the family's."""
    fam = family(name)
    h, w = smart_resize(height, width, fam.factor, fam.min_pixels if min_pixels is None else min_pixels,
                        fam.max_pixels if max_pixels is None else max_pixels)
    return math.ceil(frames / fam.temporal_patch), h // fam.patch, w // fam.patch


def video_tokens(name: str, frames: int, height: int, width: int, min_pixels: int | None = None,
                 max_pixels: int | None = None) -> int:
    """Tokens the model `name` spends on the video (its markers included); 0 for no frames.

    >>> video_tokens("qwen2.5-vl", 8, 360, 640)  # 4 groups x (26 x 46 patches / 4) + 2
    1198
    """
    if frames <= 0:
        return 0
    t, h, w = video_grid(name, frames, height, width, min_pixels, max_pixels)
    fam = family(name)
    return t * h * w // fam.merge**2 + fam.markers
