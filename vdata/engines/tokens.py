"""How many tokens a Qwen-VL-family model spends on a sample, in one place, two ways of reading the same rule.

- With a processor (`TokenCounter`, the trainer's batching): its own `_get_num_multimodal_tokens` (the patch size,
  merge size, temporal patch and pixel budget of Qwen2-VL, Qwen2.5-VL and Qwen3-VL, from the frame count and the
  first keyframe's size, read from its JPEG header) and its `replace_video_token` expansion text (Qwen3-VL
  writes each frame's time and its own vision start and end tokens). An image sample's images count
  `num_image_tokens` each.
- Without one (`video_tokens(family, ...)`, `vdata curate filter --max-tokens`): the families' published patch
  constants (`FAMILIES`) and the same arithmetic, checked against a real processor in the tests.

A model family's video processor resizes every frame with `smart_resize` (sides multiples of `patch * merge`,
the pixel count brought inside [min_pixels, max_pixels] keeping the aspect ratio), pads the frame count to a
multiple of `temporal_patch` by repeating the last frame, cuts `temporal_patch x patch x patch` patches, and
merges `merge x merge` of them into one token:

    tokens = ceil(frames / temporal_patch) * (height / patch) * (width / patch) / merge ** 2

(transformers' `Qwen2VLVideoProcessor` and `Qwen3VLVideoProcessor`; `tests/curate/test_filter.py` checks the
count against a real Qwen2.5-VL processor's `video_grid_thw`). The vision start and end markers add
`markers` tokens; Qwen3-VL's per-group timestamp text is not counted.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


class TokenCounter:
    """Counts for one processor and pixel budget (`max_pixels` per frame, None = the processor's)."""

    def __init__(self, processor: Any, max_pixels: int | None = None) -> None:
        self.processor, self.max_pixels = processor, max_pixels

    def video_tokens(self, num_frames: int, height: int, width: int) -> int:
        """Video tokens the processor gives `num_frames` frames of `height` x `width` pixels."""
        from vdata.engines.vlm import video_kwargs

        kwargs = video_kwargs(self.processor, self.max_pixels)
        data = self.processor._get_num_multimodal_tokens(video_sizes=[(num_frames, height, width)], videos_kwargs=kwargs)
        return int(data["num_video_tokens"][0])

    def prompt_tokens(self, prompt: Any) -> int:
        """Tokens of `prompt` as the processor encodes it (`vdata.engines.vlm.encode_prompts`), vision included."""
        import torch
        from PIL import Image
        from transformers.video_utils import VideoMetadata

        from vdata.engines.vlm import video_metadata

        processor = self.processor
        text = processor.apply_chat_template(prompt.messages(), add_generation_prompt=True, tokenize=False)
        if getattr(prompt, "media", "video") == "image":
            return self._image_prompt_tokens(text, prompt.frames)
        with Image.open(io.BytesIO(prompt.frames[0])) as first:
            width, height = first.size
        n = len(prompt.frames)
        total = self.video_tokens(n, height, width)
        temporal = processor.video_processor.temporal_patch_size
        frames = -(-n // temporal)  # frames are padded to a multiple of the temporal patch
        merge = processor.video_processor.merge_size
        grid = torch.tensor([[frames, total // frames * merge**2, 1]])  # only t and h x w matter to the expansion
        inputs = {"video_grid_thw": grid, "video_metadata": [VideoMetadata(**video_metadata(prompt))]}
        expansion = processor.replace_video_token(inputs, 0)
        pad = processor.video_token
        start = getattr(processor, "vision_start_token", "<|vision_start|>")
        end = getattr(processor, "vision_end_token", "<|vision_end|>")
        # a processor whose expansion brings its own vision start/end (Qwen3-VL) replaces the whole wrapper
        placeholder = start + pad + end if start in expansion else pad
        expanded = text.replace(placeholder, expansion, 1)
        return len(processor.tokenizer(expanded, add_special_tokens=False)["input_ids"])

    def _image_prompt_tokens(self, text: str, frames: Sequence[bytes]) -> int:
        """An image sample: each `<|image_pad|>` placeholder becomes its image's tokens (`num_image_tokens`)."""
        from PIL import Image

        sizes = []
        for data in frames:
            with Image.open(io.BytesIO(data)) as image:
                sizes.append((image.height, image.width))
        from vdata.engines.vlm import video_kwargs

        # the pixel budget reaches the images as `encode_prompts` passes it: the same `size`
        size = video_kwargs(self.processor, self.max_pixels).get("size")
        kwargs = {"size": size} if size else {}
        counts = self.processor._get_num_multimodal_tokens(image_sizes=sizes, images_kwargs=kwargs)["num_image_tokens"]
        tokens = self.processor.tokenizer(text, add_special_tokens=False)["input_ids"]
        return len(tokens) - len(frames) + sum(int(c) for c in counts)

    def text_tokens(self, text: str | None) -> int:
        """Tokens of an assistant turn as `vdata.train.model.encode_targets` writes it (the text, then eos)."""
        if text is None:
            return 0
        return len(self.processor.tokenizer(text, add_special_tokens=False)["input_ids"]) + 1
