"""Rollouts of a policy under training, through the engine layer: G sampled completions per prompt as token ids.

A `PolicyEngine` serves the live training model. It takes vdata `Prompt`s with their decoded keyframes and
returns `Rollouts`: the prompts' processor batch (`vlm.encode_prompts`, the inputs the trainer's forward pass
reads), the completions' token ids and their texts. `sync_weights(model)` brings the engine's copy of the
weights up to date with the training model; the trainer calls it before every batch of rollouts.

- `transformers` (`TransformersPolicy`, the default): HF `generate` on the live model itself (no copy, so the
  sync is a no-op); tested on CPU against a direct `model.generate` call.
- `vllm` (`VllmPolicy`): a vLLM copy of the policy colocated on the training GPU, its weights loaded from the
  policy's parameters before each batch. Needs vLLM and a GPU; not run where this was written.

    engine = policy_engine("transformers", model, processor, max_pixels=None, device="cpu")
    engine.sync_weights(model)
    out = engine.rollouts(prompts, images, n=8, sampling=Sampling(temperature=1.0, top_p=1.0, max_new_tokens=256))
    out.ids  # [B * n, T]: completions of prompt b at rows b * n .. b * n + n - 1
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from vdata.registry import Registry

if TYPE_CHECKING:
    from vdata.engines.config import Sampling
    from vdata.engines.prompts import Prompt

_POLICY_ENGINES: Registry[type] = Registry("rollout engine")
#: Class decorator: make a policy engine available as `--rollout-engine name`.
register_policy = _POLICY_ENGINES.register
#: The class registered as a name; an unknown name raises `ConfigError` listing the known ones.
policy_engine_class = _POLICY_ENGINES.get
#: Every registered rollout engine name, sorted.
policy_engine_names = _POLICY_ENGINES.names


@dataclass
class Rollouts:
    """One batch of rollouts: `inputs`, the prompts' processor batch on the policy's device (`input_ids` and
    `attention_mask` [B, P] left-padded, plus the media tensors); `ids` [B * n, T] (long) the completions, each
    padded with the pad id after its end (eos, or `max_new_tokens`), T the longest; `texts` [B * n] decoded
    without special tokens."""

    inputs: dict[str, Any]
    ids: Any
    texts: list[str]


class PolicyEngine:
    """Base of the engines that serve a policy under training. Built once per run around the live `model` and its
    `processor` (tokenizer left-padding); `max_pixels` is the per-frame pixel budget (None: the processor's);
    `device` where the prompts' inputs and the completions go (the policy's); `seed` seeds an engine's own
    sampler (the run's `--seed`)."""

    name: ClassVar[str] = ""

    def __init__(self, model: Any, processor: Any, max_pixels: int | None, device: Any, seed: int = 0) -> None:
        self.policy = model
        self.processor = processor
        self.max_pixels = max_pixels
        self.device = device
        self.seed = seed
        tokenizer = processor.tokenizer
        self.eos = tokenizer.eos_token_id
        self.pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else self.eos

    @classmethod
    def require(cls) -> None:
        """Raise `ConfigError` when this engine's library is missing (checked with the options, at start-up)."""

    def rollouts(self, prompts: Sequence[Prompt], images: Sequence[Any], n: int, sampling: Sampling) -> Rollouts:
        """`n` sampled completions of each prompt (`images`: each prompt's keyframes decoded, `Prompt.images()`),
        with `sampling.temperature`, `top_p` and `max_new_tokens`; media placeholder tokens are never sampled."""
        raise NotImplementedError

    def sync_weights(self, model: Any) -> None:
        """Make the engine generate with `model`'s current weights."""
        raise NotImplementedError

    def close(self) -> None:
        """Free the engine's own copy of the model (optional hook)."""

    def encode(self, prompts: Sequence[Prompt], images: Sequence[Any]) -> dict[str, Any]:
        """The prompts' processor batch on `device` (`vlm.encode_prompts`: the trainer's encoding)."""
        from vdata.engines.vlm import encode_prompts

        return dict(encode_prompts(self.processor, prompts, self.max_pixels, images).to(self.device))


def policy_engine(
    name: str, model: Any, processor: Any, max_pixels: int | None, device: Any, seed: int = 0
) -> PolicyEngine:
    """The rollout engine `name` around the live `model` (the vLLM engine loads its copy here)."""
    return policy_engine_class(name)(model, processor, max_pixels, device, seed)


def pad_completions(completions: Sequence[Sequence[int]], pad: int) -> Any:
    """Token-id lists as one long tensor [N, T], each row padded with `pad` after its end (T the longest, >= 1).

    >>> pad_completions([[5, 6, 7], [8]], pad=0).tolist()
    [[5, 6, 7], [8, 0, 0]]
    """
    import torch

    ids = torch.full((len(completions), max([1, *map(len, completions)])), pad, dtype=torch.long)
    for row, tokens in zip(ids, completions, strict=True):
        row[: len(tokens)] = torch.tensor(tokens, dtype=torch.long)
    return ids


def media_token_ids(model: Any) -> list[int]:
    """Ids of the image and video placeholder tokens: never sampled, since the model would read them as media."""
    ids = (getattr(model.config, key, None) for key in ("image_token_id", "video_token_id"))
    return [i for i in ids if i is not None]


def policy_weights(model: Any) -> Iterator[tuple[str, Any]]:
    """(name, tensor) of every parameter of `model` under the plain model's names (`model.language_model...`,
    `lm_head.weight`, as in its `state_dict`). A PEFT LoRA model must have its adapters merged first
    (`merge_adapter()`): its wrapper prefix and `.base_layer` go, the `lora_` factors are left out. Tied weights
    come once; a sharded parameter (FSDP2's `DTensor`) is gathered whole, so every process must iterate."""
    lora = getattr(model, "prefix", None) if hasattr(model, "merge_adapter") else None
    for name, param in model.named_parameters():
        if lora is not None:
            if lora in name:
                continue
            name = name.removeprefix("base_model.model.").replace(".base_layer", "")
        yield name, param.full_tensor() if hasattr(param, "full_tensor") else param.data
