"""The model side: loading a Qwen-VL-family policy, encoding prompts with their keyframes, completion log-probs.

Prompts are the engines' prompts (`vdata.engines.Templates`): the system and task text and the row's stored
keyframes given to the processor as one video whose `VideoMetadata` carries the frames' true times
(`vdata.engines.vlm.video_metadata`). A batch is laid out as `[left-padded prompt | right-padded
completion]`; `N` = sequences, `P` = prompt tokens, `T` = completion tokens.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vdata.errors import ConfigError

if TYPE_CHECKING:
    import torch

    from vdata.engines.prompts import Prompt

logger = logging.getLogger(__name__)

Inputs = dict[str, Any]


def require_torch() -> None:
    """Raise a `ConfigError` naming the extra when torch or transformers is missing."""
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as e:
        raise ConfigError(f"training needs {e.name}: pip install 'vdata[train]'") from None


def resolve_device(device: str, dtype: str) -> tuple[str, Any]:
    """(`cpu` or `cuda[:N]`, torch dtype): `auto` picks CUDA when available; dtype `auto` = bf16 on CUDA, fp32 on CPU."""
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"--device {device}: no CUDA device is available")
    if dtype == "auto":
        return device, torch.bfloat16 if device.startswith("cuda") else torch.float32
    return device, getattr(torch, dtype)


def load_model(
    path: str, device: str, dtype: Any, trainable: bool, gradient_checkpointing: bool = False
) -> Any:
    """An `AutoModelForImageTextToText` from `path` on `device`; frozen and in eval mode unless `trainable`."""
    from transformers import AutoModelForImageTextToText

    try:
        model = AutoModelForImageTextToText.from_pretrained(path, dtype=dtype)
    except (OSError, ValueError) as e:
        raise ConfigError(f"--model {path}: cannot load it with transformers ({e})") from None
    model.to(device)
    if trainable:
        if gradient_checkpointing:
            model.gradient_checkpointing_enable()
            model.config.use_cache = False
        model.train()
    else:
        model.requires_grad_(False)
        model.eval()
    return model


def vision_tower(model: Any) -> Any:
    """The vision encoder of a Qwen-VL-family model (`model.model.visual` or `model.visual`)."""
    inner = getattr(model, "model", model)
    return getattr(inner, "visual", None) or getattr(model, "visual", None)


def adapt(model: Any, lora_r: int, lora_alpha: int, lora_targets: str, freeze_vision: bool, adapter: str | None = None):
    """The model as it trains: the vision tower frozen when `freeze_vision`; with `lora_r` > 0, a PEFT LoRA model
    (rank `lora_r`, scale `lora_alpha / lora_r`) on the language model's `lora_targets` modules, every other
    weight frozen, starting from the saved `adapter` folder when resuming."""
    if freeze_vision and vision_tower(model) is not None:
        vision_tower(model).requires_grad_(False)
    if not lora_r:
        return model
    try:
        from peft import LoraConfig, PeftModel, get_peft_model
    except ImportError:
        raise ConfigError("--lora-r needs peft: pip install 'vdata[train]'") from None
    model.enable_input_require_grads()  # gradient checkpointing needs a grad path from frozen embeddings
    if adapter is not None:
        return PeftModel.from_pretrained(model, adapter, is_trainable=True)
    targets = [t.strip() for t in lora_targets.split(",") if t.strip()]
    pattern = rf"^(?!.*visual).*\.({'|'.join(targets)})$"  # the language model's modules, not the vision tower's
    return get_peft_model(model, LoraConfig(r=lora_r, lora_alpha=lora_alpha, target_modules=pattern, lora_dropout=0.0))


def save_model(model: Any, processor: Any, path: Any, merge: bool, state_dict: dict[str, Any] | None = None) -> None:
    """Save `model` and `processor` to `path`: a LoRA model merged into full weights when `merge` (loadable with
    `from_pretrained` like any model), else its adapter only (`adapter_config.json`, `adapter_model.safetensors`).
    `state_dict` holds the weights when the model's own are shards (FSDP: `distributed.full_state_dict`); a sharded
    LoRA model is merged on a whole copy (`peft_copy`)."""
    if merge and hasattr(model, "merge_and_unload"):
        import copy

        whole = peft_copy(model, state_dict) if state_dict is not None else copy.deepcopy(model)
        model, state_dict = whole.merge_and_unload(), None
    model.save_pretrained(path, safe_serialization=True, state_dict=state_dict)
    processor.save_pretrained(path)


def peft_copy(model: Any, state_dict: dict[str, Any]) -> Any:
    """A whole copy, on CPU, of the PEFT `model` holding the weights `state_dict` (its keys): the base model loaded
    again from its path, the same adapter added."""
    from peft import get_peft_model

    config = model.peft_config[model.active_adapter]
    dtype = next(v.dtype for v in state_dict.values() if v.is_floating_point())
    twin = get_peft_model(load_model(config.base_model_name_or_path, "cpu", dtype, trainable=False), config)
    twin.load_state_dict(state_dict)
    return twin


def load_processor(path: str) -> Any:
    """The model's `AutoProcessor`, left-padding its tokenizer (prompts are left-padded)."""
    from transformers import AutoProcessor

    try:
        processor = AutoProcessor.from_pretrained(path)
    except (OSError, ValueError) as e:
        raise ConfigError(f"--model {path}: cannot load its processor ({e})") from None
    processor.tokenizer.padding_side = "left"
    return processor


def special_ids(processor: Any) -> tuple[int, int]:
    """(eos id, pad id) of the processor's tokenizer; pad falls back to eos."""
    tokenizer = processor.tokenizer
    eos = tokenizer.eos_token_id
    return eos, tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos


def encode_prompts(
    processor: Any, prompts: Sequence[Prompt], max_pixels: int | None = None, images: Sequence[Any] | None = None
) -> Inputs:
    """Processor inputs for `prompts` (`vdata.engines.vlm.encode_prompts`; `images` = their decoded keyframes):
    `input_ids` and `attention_mask` [B, P] left-padded, plus the video tensors (`pixel_values_videos`, ...)."""
    from vdata.engines.vlm import encode_prompts as encode

    return dict(encode(processor, prompts, max_pixels, images))


def select(inputs: Inputs, index: Sequence[int]) -> Inputs:
    """The rows `index` of a batch (repeats allowed): per-sequence tensors are indexed and the packed video
    patches (`pixel_values_videos`, one block of `t*h*w` rows per video) are cut and re-joined to match."""
    import torch

    n = inputs["input_ids"].shape[0]
    out: Inputs = {}
    for key, value in inputs.items():
        if key in ("pixel_values_videos", "pixel_values"):
            grid = inputs["video_grid_thw" if key == "pixel_values_videos" else "image_grid_thw"]  # [B, 3]
            blocks = torch.split(value, grid.prod(-1).tolist())  # B x [t*h*w, D]
            out[key] = torch.cat([blocks[i] for i in index])
        elif hasattr(value, "shape") and value.shape[:1] == (n,):
            out[key] = value[list(index)]
        else:
            out[key] = value
    return out


def completion_mask(ids: torch.Tensor, eos_id: int) -> torch.Tensor:
    """1 on each completion's tokens up to and including its first `eos_id`, 0 after it.

    ids [N, T] -> [N, T] (float). A completion without eos (cut at the length limit) is all ones.
    """
    import torch

    is_eos = ids == eos_id  # [N, T]
    first = torch.where(is_eos.any(1), is_eos.int().argmax(1), ids.shape[1])  # [N]
    return (torch.arange(ids.shape[1], device=ids.device).unsqueeze(0) <= first.unsqueeze(1)).float()


def encode_targets(processor: Any, texts: Sequence[str], device: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Tokenized assistant turns, each ending with eos: (ids [N, T] right-padded, mask [N, T])."""
    import torch

    eos, pad = special_ids(processor)
    rows = [processor.tokenizer(t, add_special_tokens=False)["input_ids"] + [eos] for t in texts]
    length = max(len(r) for r in rows)
    ids = torch.full((len(rows), length), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), length))
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1.0
    return ids.to(device), mask.to(device)


IGNORE = -100


def with_completions(inputs: Inputs, ids: torch.Tensor, mask: torch.Tensor) -> tuple[Inputs, torch.Tensor]:
    """Prompt inputs [N, P] with completions [N, T] appended, and the labels of the whole sequence.

    Returns (inputs with `input_ids`, `attention_mask`, `mm_token_type_ids` [N, P + T]; labels [N, P + T]):
    labels are the completion's token ids where `mask` is 1 and `IGNORE` (-100) on every prompt and padding
    token, so only assistant tokens are ever scored.
    """
    import torch

    out = dict(inputs)
    out["input_ids"] = torch.cat([inputs["input_ids"], ids], dim=1)
    out["attention_mask"] = torch.cat(
        [inputs["attention_mask"], mask.to(inputs["attention_mask"].dtype)], dim=1
    )
    if "mm_token_type_ids" in inputs:
        out["mm_token_type_ids"] = torch.cat([inputs["mm_token_type_ids"], torch.zeros_like(ids)], dim=1)
    prompt_labels = torch.full_like(inputs["input_ids"], IGNORE)  # [N, P]
    labels = torch.cat([prompt_labels, ids.masked_fill(mask == 0, IGNORE)], dim=1)  # [N, P + T]
    return out, labels


def label_logprobs(
    model: Any, inputs: Inputs, labels: torch.Tensor, temperature: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probability of each labelled token given the tokens before it, with the mask of labelled tokens.

    inputs [N, L] (+ videos), labels [N, L] -> (logp [N, T], mask [N, T]) over the last T positions, from the
    first labelled column on; only those positions' logits are computed. Logits are divided by `temperature`
    so the values match the distribution rollouts were sampled from.
    """
    from vdata.train.losses import token_logprobs

    labelled = (labels != IGNORE).any(0)  # [L]
    width = labels.shape[1] - int(labelled.int().argmax())  # T
    logits = model(**inputs, use_cache=False, logits_to_keep=width + 1).logits  # [N, T + 1, V]
    logits = logits[:, :-1]  # [N, T, V]: position L - T - 1 + t predicts label column L - T + t
    if temperature != 1.0:
        logits = logits / temperature
    target = labels[:, -width:]  # [N, T]
    mask = (target != IGNORE).float()  # [N, T]
    return token_logprobs(logits, target.clamp(min=0)) * mask, mask


def to_device(inputs: Inputs, device: Any) -> Inputs:
    """Every tensor of `inputs` moved to `device`."""
    return {k: v.to(device) if hasattr(v, "to") else v for k, v in inputs.items()}


def count_parameters(model: Any) -> int:
    """Number of parameters of `model`."""
    return sum(p.numel() for p in model.parameters())
