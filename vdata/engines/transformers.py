"""`transformers`: batched `generate` with left padding on CPU or GPU, the frames given as one video; and
`TransformersPolicy`, the trainer's rollouts from the live policy (`vdata.engines.policy`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vdata.engines.base import Engine, EngineError, batch_seed, missing_extra
from vdata.engines.policy import PolicyEngine, Rollouts, media_token_ids, register_policy
from vdata.engines.registry import register
from vdata.engines.vlm import encode_prompts

if TYPE_CHECKING:
    from vdata.engines.config import EngineConfig, Sampling
    from vdata.engines.prompts import Prompt

logger = logging.getLogger(__name__)


@register("transformers")
class TransformersEngine(Engine):
    """A Hugging Face vision-language model (`AutoModelForImageTextToText`) and its `AutoProcessor`.

    Reads `model` (hub id or local path), `device` (`auto` = CUDA when available), `dtype` and `max_pixels`
    (per-frame pixel budget, overriding the video processor's `longest_edge`). Prompts are rendered with the
    processor's chat template; the keyframes go in as one video with `VideoMetadata` carrying their frame
    indices and fps, and the processor's own frame sampling is off. With temperature 0 one greedy completion
    is generated and repeated `n` times.
    """

    def __init__(self, config: EngineConfig) -> None:
        super().__init__(config)
        try:
            import torch
            from transformers import AutoModelForImageTextToText, AutoProcessor
        except ImportError as e:
            raise missing_extra(e.name or "transformers", "teacher") from None
        self._torch = torch
        device = config.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype: Any = config.dtype
        if dtype == "auto" and device == "cpu":
            dtype = torch.float32
        elif dtype != "auto":
            dtype = getattr(torch, dtype)
        try:
            self.processor = AutoProcessor.from_pretrained(config.model)
            self.model = AutoModelForImageTextToText.from_pretrained(config.model, dtype=dtype)
        except (OSError, ValueError) as e:
            raise EngineError(f"model {config.model}: cannot load it with transformers ({e})") from None
        self.model.to(device).eval()
        self.device = device
        tokenizer = self.processor.tokenizer
        tokenizer.padding_side = "left"
        self.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        self.max_pixels = config.max_pixels
        logger.info("loaded %s on %s", config.model, device)

    def model_inputs(self, prompts: Sequence[Prompt]) -> Any:
        """The processor's batch for `prompts` (left-padded token ids, video patches, `video_grid_thw`)."""
        return encode_prompts(self.processor, prompts, self.max_pixels).to(self.device)

    def generate(self, prompts: Sequence[Prompt], n: int, sampling: Sampling) -> list[list[str]]:
        if not prompts:
            return []
        torch = self._torch
        start = time.perf_counter()
        inputs = self.model_inputs(prompts)
        prompt_len = inputs["input_ids"].shape[1]
        self.stats.prompt_tokens += int(inputs["attention_mask"].sum())
        self.stats.preprocess_s += time.perf_counter() - start

        start = time.perf_counter()
        greedy = sampling.temperature == 0
        generator_kwargs: dict[str, Any] = (
            {"do_sample": False}
            if greedy
            else {"do_sample": True, "temperature": sampling.temperature, "top_p": sampling.top_p}
        )
        torch.manual_seed(batch_seed(sampling.seed, prompts))
        with torch.inference_mode():
            out = self.model.generate(
                **inputs,
                max_new_tokens=sampling.max_new_tokens,
                num_return_sequences=1 if greedy else n,
                pad_token_id=self.pad_token_id,
                **generator_kwargs,
            )
        new = out[:, prompt_len:]  # [B * n', T_new]
        self.stats.generated_tokens += int((new != self.pad_token_id).sum())
        decoded = self.processor.batch_decode(new, skip_special_tokens=True)
        self.stats.generate_s += time.perf_counter() - start
        self.stats.calls += 1
        per = 1 if greedy else n
        return [[decoded[i * per + (0 if greedy else k)] for k in range(n)] for i in range(len(prompts))]

    def close(self) -> None:
        del self.model
        if self.device.startswith("cuda"):
            self._torch.cuda.empty_cache()


@register_policy("transformers")
class TransformersPolicy(PolicyEngine):
    """Rollouts from the live policy with HF `generate`: the model under training itself, so `sync_weights` has
    nothing to copy (a no-op). Samples with `top_k` off, `temperature`, `top_p`, `max_new_tokens`, stopping at the
    tokenizer's eos, from torch's global generator (seeded with `--seed` and saved in checkpoints), so a run and
    its resumption sample the same; `sampling.seed` is not used."""

    def rollouts(self, prompts: Sequence[Prompt], images: Sequence[Any], n: int, sampling: Sampling) -> Rollouts:
        import torch

        inputs = self.encode(prompts, images)
        with torch.no_grad():
            out = self.policy.generate(
                **inputs,
                do_sample=True,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                top_k=0,
                max_new_tokens=sampling.max_new_tokens,
                num_return_sequences=n,
                eos_token_id=self.eos,
                pad_token_id=self.pad,
                use_cache=True,
                suppress_tokens=media_token_ids(self.policy),
                synced_gpus=False,  # each process generates alone (under FSDP on the whole weights, `whole`)
            )
        ids = out[:, inputs["input_ids"].shape[1] :]  # [B * n, T]
        return Rollouts(inputs, ids, self.processor.batch_decode(ids, skip_special_tokens=True))

    def sync_weights(self, model: Any) -> None:
        """Nothing to do: the engine generates with the training model's own parameters."""
