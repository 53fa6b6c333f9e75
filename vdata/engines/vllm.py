"""`vllm`: offline batched `LLM.generate` with the keyframes as one video input per prompt (needs a GPU)."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vdata.engines.base import Engine, EngineError, batch_seed, missing_extra
from vdata.engines.registry import register
from vdata.engines.vlm import video_metadata

if TYPE_CHECKING:
    from vdata.engines.config import EngineConfig, Sampling
    from vdata.engines.prompts import Prompt

logger = logging.getLogger(__name__)

#: Images one image sample may hold (vLLM's `limit_mm_per_prompt` for images).
MAX_IMAGES = 16

#: Model types whose vLLM processor reads per-video metadata (frame indices, fps) to write timestamps.
METADATA_MODEL_TYPES = ("qwen3_vl", "qwen3_vl_moe", "qwen3_5", "qwen3_5_moe")


def frames_array(prompt: Prompt) -> Any:
    """The keyframes as one uint8 array `[T, H, W, 3]` (RGB)."""
    import numpy as np
    from PIL import Image

    return np.stack([np.asarray(Image.open(io.BytesIO(b)).convert("RGB")) for b in prompt.frames])


@register("vllm")
class VllmEngine(Engine):
    """vLLM's offline `LLM` with `tensor_parallel` GPUs and `limit_mm_per_prompt={"video": 1, "image":
    MAX_IMAGES}` (an image sample, schema v2, goes as its images).

    Prompts are rendered with the model's processor chat template. Qwen3-VL-family models get each video as
    `(frames, metadata)` with the keyframes' frame indices and fps (the model writes `<t seconds>` before each
    frame); other models (Qwen2.5-VL) get the frames and `mm_processor_kwargs={"fps": sampling fps}`, which sets
    the temporal position ids. `max_pixels` caps the per-frame pixel budget; the processor's frame sampling is
    off. All prompts of a batch go to one `generate` call (vLLM schedules them continuously).
    """

    def __init__(self, config: EngineConfig) -> None:
        super().__init__(config)
        try:
            from transformers import AutoConfig, AutoProcessor
            from vllm import LLM
        except ImportError as e:
            raise missing_extra(e.name or "vllm", "vllm") from None
        try:
            self.processor = AutoProcessor.from_pretrained(config.model)
            model_type = AutoConfig.from_pretrained(config.model).model_type
        except (OSError, ValueError) as e:
            raise EngineError(f"model {config.model}: cannot load its processor ({e})") from None
        self.needs_metadata = model_type in METADATA_MODEL_TYPES
        mm_kwargs: dict[str, Any] = {"do_sample_frames": False}
        if config.max_pixels is not None:
            mm_kwargs["size"] = {"longest_edge": config.max_pixels, "shortest_edge": min(3136, config.max_pixels)}
        self.mm_kwargs = mm_kwargs
        self.llm = LLM(
            model=config.model,
            tensor_parallel_size=config.tensor_parallel,
            limit_mm_per_prompt={"video": 1, "image": MAX_IMAGES},
            dtype=config.dtype,
            seed=config.sampling.seed,
        )
        logger.info("vLLM loaded %s (%s), tensor parallel %d", config.model, model_type, config.tensor_parallel)

    def _request(self, prompt: Prompt) -> dict[str, Any]:
        text = self.processor.apply_chat_template(prompt.messages(), add_generation_prompt=True, tokenize=False)
        if prompt.media == "image":  # an image sample: its images, no video
            return {"prompt": text, "multi_modal_data": {"image": prompt.images()}}
        frames = frames_array(prompt)
        kwargs = dict(self.mm_kwargs)
        if self.needs_metadata:
            video: Any = (frames, {**video_metadata(prompt), "do_sample_frames": False})
        else:
            video = frames
            kwargs["fps"] = prompt.sampling_fps
        return {"prompt": text, "multi_modal_data": {"video": video}, "mm_processor_kwargs": kwargs}

    def generate(self, prompts: Sequence[Prompt], n: int, sampling: Sampling) -> list[list[str]]:
        if not prompts:
            return []
        from vllm import SamplingParams

        start = time.perf_counter()
        requests = [self._request(p) for p in prompts]
        self.stats.preprocess_s += time.perf_counter() - start
        start = time.perf_counter()
        params = SamplingParams(
            n=n,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            max_tokens=sampling.max_new_tokens,
            seed=batch_seed(sampling.seed, prompts),
        )
        outputs = self.llm.generate(requests, params, use_tqdm=False)
        self.stats.generate_s += time.perf_counter() - start
        self.stats.calls += 1
        result = []
        for out in outputs:
            self.stats.prompt_tokens += len(out.prompt_token_ids or ())
            self.stats.generated_tokens += sum(len(c.token_ids) for c in out.outputs)
            result.append([c.text for c in out.outputs])
        return result
