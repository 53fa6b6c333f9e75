"""The stored keyframe size: the original aspect ratio inside a pixel budget."""

from __future__ import annotations

import math


def fit_pixels(width: int, height: int, max_pixels: int, factor: int = 28) -> tuple[int, int]:
    """Output `(width, height)` in pixels: aspect kept, `w * h <= max_pixels`, both multiples of `factor`.

    The arithmetic is Qwen2-VL's `smart_resize` without its minimum: round each side to the nearest multiple of
    `factor`, and if that exceeds the budget, shrink by sqrt(area / max_pixels) and round down. With the default
    factor 28, a stored frame is exactly the size Qwen2-VL / Qwen2.5-VL use at the same budget, so boxes in
    stored-frame pixels are the model's. `factor=1` keeps exact proportions.

    >>> fit_pixels(1920, 1080, 200704)
    (588, 336)
    >>> fit_pixels(320, 240, 200704, factor=1)
    (320, 240)
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"frame size must be positive, got {width}x{height}")
    if max_pixels < factor * factor:
        raise ValueError(f"max_pixels must be >= factor**2 = {factor * factor}, got {max_pixels}")
    w = max(factor, round(width / factor) * factor)
    h = max(factor, round(height / factor) * factor)
    if w * h > max_pixels:
        beta = math.sqrt(width * height / max_pixels)
        w = max(factor, math.floor(width / beta / factor) * factor)
        h = max(factor, math.floor(height / beta / factor) * factor)
    return w, h
