"""`vllm`: offline batched `LLM.generate` with the keyframes as one video input per prompt (needs a GPU); and
`VllmPolicy`, the trainer's rollouts from a vLLM copy of the policy colocated on its GPU (`vdata.engines.policy`).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vdata.engines.base import Engine, EngineError, batch_seed, missing_extra
from vdata.engines.policy import (
    PolicyEngine,
    Rollouts,
    media_token_ids,
    pad_completions,
    policy_weights,
    register_policy,
)
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


def mm_processor_kwargs(max_pixels: int | None) -> dict[str, Any]:
    """vLLM's processor keyword arguments: no frame re-sampling, `max_pixels` (per frame) as `longest_edge`."""
    kwargs: dict[str, Any] = {"do_sample_frames": False}
    if max_pixels is not None:
        kwargs["size"] = {"longest_edge": max_pixels, "shortest_edge": min(3136, max_pixels)}
    return kwargs


def vllm_request(processor: Any, prompt: Prompt, images: Sequence[Any], mm_kwargs: dict[str, Any],
                 needs_metadata: bool) -> dict[str, Any]:
    """One `LLM.generate` prompt: the chat-template text and the keyframes (`images`: decoded RGB frames) as one
    video, `(frames [T, H, W, 3] uint8, metadata)` when `needs_metadata` (Qwen3-VL family), else the frames with
    `fps` in the processor kwargs; an image sample (schema v2) as its images."""
    import numpy as np

    text = processor.apply_chat_template(prompt.messages(), add_generation_prompt=True, tokenize=False)
    if prompt.media == "image":  # an image sample: its images, no video
        return {"prompt": text, "multi_modal_data": {"image": list(images)}}
    frames = np.stack([np.asarray(im) for im in images])
    kwargs = dict(mm_kwargs)
    if needs_metadata:
        video: Any = (frames, {**video_metadata(prompt), "do_sample_frames": False})
    else:
        video = frames
        kwargs["fps"] = prompt.sampling_fps
    return {"prompt": text, "multi_modal_data": {"video": video}, "mm_processor_kwargs": kwargs}


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
        self.mm_kwargs = mm_processor_kwargs(config.max_pixels)
        self.llm = LLM(
            model=config.model,
            tensor_parallel_size=config.tensor_parallel,
            limit_mm_per_prompt={"video": 1, "image": MAX_IMAGES},
            dtype=config.dtype,
            seed=config.sampling.seed,
        )
        logger.info("vLLM loaded %s (%s), tensor parallel %d", config.model, model_type, config.tensor_parallel)

    def generate(self, prompts: Sequence[Prompt], n: int, sampling: Sampling) -> list[list[str]]:
        if not prompts:
            return []
        from vllm import SamplingParams

        start = time.perf_counter()
        requests = [vllm_request(self.processor, p, p.images(), self.mm_kwargs, self.needs_metadata) for p in prompts]
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


#: Share of the GPU's memory the colocated vLLM takes (its weights and KV cache); the rest is the trainer's
#: (TRL's `vllm_gpu_memory_utilization` default).
COLOCATE_GPU_MEMORY = 0.3


def free_port() -> int:
    """A TCP port free on this host now (for `MASTER_PORT`)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@register_policy("vllm")
class VllmPolicy(PolicyEngine):
    """Rollouts from a vLLM copy of the policy colocated on the training GPU (TRL's `vllm_mode="colocate"`).

    Built once per run: `LLM` loads the policy's files (`model.name_or_path`) in this process with vLLM's
    `external_launcher` executor, one engine per training process (seeded with `--seed` + rank; `RANK`,
    `LOCAL_RANK`, `WORLD_SIZE`, `MASTER_ADDR` and `MASTER_PORT` are set when no launcher set them), taking
    `COLOCATE_GPU_MEMORY` of the GPU, in the policy's dtype. The model's generation config is not read, so
    sampling stops at the tokenizer's eos only, as with the transformers engine; media placeholder tokens get a
    -100 logit bias. `sync_weights` copies every parameter of the live policy (a LoRA model's adapters merged in,
    then unmerged) into vLLM's model with its `load_weights`, which maps the Hugging Face names to vLLM's, then
    resets vLLM's prefix cache, whose keys and values came from the old weights.

    Not tested: vLLM cannot be installed on the machines this was written on and no GPU was lent; the calls follow
    TRL 1.16's colocated generation (`trl/generation/vllm_generation.py`). vLLM renders the same `Prompt`s and
    keyframes (`vllm_request`) but tokenises them with its own processor, so a video's prompt tokens may differ
    slightly from the trainer's encoding, which the loss reads.
    """

    @classmethod
    def require(cls) -> None:
        if importlib.util.find_spec("vllm") is None:
            raise missing_extra("vllm", "vllm")

    def __init__(self, model: Any, processor: Any, max_pixels: int | None, device: Any, seed: int = 0) -> None:
        super().__init__(model, processor, max_pixels, device, seed)
        try:
            from vllm import LLM
        except ImportError as e:
            raise missing_extra(e.name or "vllm", "vllm") from None
        for key, value in (("RANK", "0"), ("LOCAL_RANK", "0"), ("WORLD_SIZE", "1"), ("MASTER_ADDR", "127.0.0.1")):
            os.environ.setdefault(key, value)
        os.environ.setdefault("MASTER_PORT", str(free_port()))
        self.needs_metadata = model.config.model_type in METADATA_MODEL_TYPES
        self.mm_kwargs = mm_processor_kwargs(max_pixels)
        self.suppress = {i: -100.0 for i in media_token_ids(model)}
        self.llm = LLM(
            model=model.name_or_path,
            dtype=str(model.dtype).removeprefix("torch."),
            gpu_memory_utilization=COLOCATE_GPU_MEMORY,
            distributed_executor_backend="external_launcher",
            seed=seed + int(os.environ["RANK"]),
            limit_mm_per_prompt={"video": 1, "image": MAX_IMAGES},
            generation_config="vllm",
        )
        logger.info("vLLM colocated copy of %s (%.0f%% of the GPU)", model.name_or_path, 100 * COLOCATE_GPU_MEMORY)
        self.sync_weights(model)  # a resumed or LoRA policy differs from the files vLLM loaded

    def rollouts(self, prompts: Sequence[Prompt], images: Sequence[Any], n: int, sampling: Sampling) -> Rollouts:
        from vllm import SamplingParams

        requests = [
            vllm_request(self.processor, p, frames, self.mm_kwargs, self.needs_metadata)
            for p, frames in zip(prompts, images, strict=True)
        ]
        params = SamplingParams(
            n=n,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            top_k=0,
            max_tokens=sampling.max_new_tokens,
            logit_bias=self.suppress or None,
        )
        outputs = self.llm.generate(requests, params, use_tqdm=False)  # in prompt order, n outputs each
        ids = pad_completions([c.token_ids for out in outputs for c in out.outputs], self.pad).to(self.device)
        texts = self.processor.batch_decode(ids, skip_special_tokens=True)
        return Rollouts(self.encode(prompts, images), ids, texts)

    def sync_weights(self, model: Any) -> None:
        import torch

        target = self.llm.llm_engine.model_executor.driver_worker.model_runner.model
        lora = hasattr(model, "merge_adapter")
        with torch.no_grad():
            if lora:
                model.merge_adapter()
            try:
                for name, tensor in policy_weights(model):
                    target.load_weights([(name, tensor)])
            finally:
                if lora:
                    model.unmerge_adapter()
        self.llm.reset_prefix_cache()

    def close(self) -> None:
        import torch

        del self.llm
        torch.cuda.empty_cache()
