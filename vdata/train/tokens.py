"""Token counts of a sample without running the model or processing pixels: the processor's own arithmetic.

A prompt's length is its chat-template text with the video placeholder expanded the way the processor expands it:
the video's token count comes from the processor's `_get_num_multimodal_tokens` (the patch size, merge size,
temporal patch and pixel budget of Qwen2-VL, Qwen2.5-VL and Qwen3-VL, from the frame count and the first
keyframe's size, read from its JPEG header), the expansion text from its `replace_video_token` (Qwen3-VL writes
each frame's time and its own vision start and end tokens). An image sample's images count `num_image_tokens`
each. `pack_by_tokens` cuts a sequence of samples into
batches under a token budget.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any


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


def pack_by_tokens(items: Iterable[Any], budget: int, size: Any) -> Iterator[list[Any]]:
    """Consecutive `items` grouped into batches whose padded size `len(batch) x max(size(item))` stays within
    `budget` tokens (a longer item goes alone in its batch), in order.

    >>> list(pack_by_tokens([3, 3, 5, 1, 9, 2], budget=10, size=lambda n: n))
    [[3, 3], [5, 1], [9], [2]]
    """
    batch: list[Any] = []
    longest = 0
    for item in items:
        n = size(item)
        if batch and (len(batch) + 1) * max(longest, n) > budget:
            yield batch
            batch, longest = [], 0
        batch.append(item)
        longest = max(longest, n)
    if batch:
        yield batch


def split_by_tokens(items: Sequence[Any], budget: int, size: Any) -> list[list[Any]]:
    """`pack_by_tokens` as a list: the micro-batches of one step's `items`."""
    return list(pack_by_tokens(items, budget, size))
