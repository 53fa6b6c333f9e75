"""Feeding stored keyframes to a Hugging Face Qwen-VL-family processor: shared by the `transformers` and `vllm`
engines and the trainer, so every stage shows the model the same video the same way.

The keyframes go in as one video whose `VideoMetadata` carries their frame indices and the video's fps (the
processor's own frame sampling is off), so Qwen3-VL writes the frames' true times into the prompt and
Qwen2.5-VL gets the keyframes' real sampling rate. An image sample (schema v2 `media` "image") goes in as its
images, no video and no time; a batch may mix both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vdata.engines.prompts import Prompt


def video_metadata(prompt: Prompt) -> dict[str, Any]:
    """The `VideoMetadata` fields that make a Qwen-VL processor see the keyframes' true times.

    `frames_indices / fps` are the frames' times (Qwen3-VL writes them into the prompt) and
    `len(frames_indices) / total_num_frames * fps` is the keyframes' sampling rate (Qwen2.5-VL's
    `second_per_grid_ts`), so `total_num_frames` is chosen to make that ratio `prompt.sampling_fps`.
    """
    n = len(prompt.frames)
    total = max(n, round(n * prompt.video_fps / prompt.sampling_fps))
    return {"total_num_frames": total, "fps": prompt.video_fps, "frames_indices": list(prompt.frame_indices)}


def video_kwargs(processor: Any, max_pixels: int | None) -> dict[str, Any]:
    """Processor keyword arguments: no frame re-sampling, and `max_pixels` (per frame) as the video processor's
    `longest_edge` budget when given."""
    kwargs: dict[str, Any] = {"do_sample_frames": False}
    if max_pixels is not None:
        size = dict(getattr(processor.video_processor, "size", None) or {})
        size["longest_edge"] = max_pixels
        size["shortest_edge"] = min(size.get("shortest_edge", max_pixels), max_pixels)
        kwargs["size"] = size
    return kwargs


def encode_prompts(
    processor: Any, prompts: Sequence[Prompt], max_pixels: int | None = None, images: Sequence[Any] | None = None
) -> Any:
    """The processor's batch (a `BatchFeature`) for `prompts`, rendered with the chat template and the
    generation prompt: `input_ids` and `attention_mask` [B, P] padded on the tokenizer's padding side, plus the
    video tensors (`pixel_values_videos`, `video_grid_thw`, ...) and, for image samples, the image tensors
    (`pixel_values`, `image_grid_thw`: one row per image). `images`: each prompt's frames already decoded
    (`Prompt.images()`, e.g. in a data-loader worker); None decodes them here."""
    from transformers.video_utils import VideoMetadata

    texts = [processor.apply_chat_template(p.messages(), add_generation_prompt=True, tokenize=False) for p in prompts]
    decoded = list(images) if images is not None else [p.images() for p in prompts]
    # image samples (`Prompt.media` "image") go as images, in prompt order; every other prompt as one video
    stills = [im for p, frames in zip(prompts, decoded, strict=True) if p.media == "image" for im in frames]
    videos = [frames for p, frames in zip(prompts, decoded, strict=True) if p.media != "image"]
    media: dict[str, Any] = {"images": stills} if stills else {}
    if videos:
        metadata = [VideoMetadata(**video_metadata(p)) for p in prompts if p.media != "image"]
        media.update(videos=videos, video_metadata=metadata)
    return processor(text=texts, padding=True, return_tensors="pt", **media, **video_kwargs(processor, max_pixels))
