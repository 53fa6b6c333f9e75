"""`vdata debug-model`: a randomly initialised Qwen2-VL, Qwen2.5-VL or Qwen3-VL with a tokenizer and processor
built locally (nothing downloaded), to try the whole loop (build -> distill -> train -> infer -> eval) in minutes.

The tokenizer is a byte-level BPE trained on the spot on a small corpus with the Qwen chat special tokens; the
processor is the architecture's own image and video processors with a small pixel budget. `tiny` (about 0.2M
parameters) runs on CPU in tests; `small` (about 220M parameters: a 1024-wide, 16-layer text model and a
depth-12 vision tower) is the size to measure throughput on a GPU. The outputs are gibberish until trained.

    build_debug_model(Path("models/debug"), arch="qwen2.5-vl", size="tiny")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vdata.errors import ConfigError

ARCHS = ("qwen2-vl", "qwen2.5-vl", "qwen3-vl")
SIZES = ("tiny", "small")

SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
]

# A Qwen-style chat template: system/user/assistant turns; a video becomes
# `<|vision_start|><|video_pad|><|vision_end|>`, which the processor expands to the video's tokens.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'video' %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% else %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

_CORPUS = [
    "<think> The frames show a magenta box moving to the right. </think> <answer>B</answer>",
    "<think> At 1.5 seconds the scene changes colour. </think> <answer>1.5 - 3.0</answer>",
    "Answer with the letter of the correct option. Think step by step.",
    "The video frames are at 0.0s, 0.5s, 1.0s, 1.5s, 2.0s. Question: what happens?",
    "numbers 0 1 2 3 4 5 6 7 8 9 seconds box [10, 20, 30, 40] answer think",
]

#: (text: hidden, intermediate, layers, heads, kv heads; vision: depth, hidden, heads; context tokens) per size.
_SHAPES = {
    "tiny": {"hidden": 64, "intermediate": 128, "layers": 2, "heads": 2, "kv": 1, "depth": 2, "vision": 32, "vheads": 2,
             "context": 4096},
    "small": {"hidden": 1024, "intermediate": 2816, "layers": 16, "heads": 16, "kv": 4, "depth": 12, "vision": 512,
              "vheads": 8, "context": 32768},
}


def build_tokenizer(vocab_size: int = 512, context: int = 4096) -> Any:
    """A byte-level BPE `PreTrainedTokenizerFast` with the Qwen chat special tokens and `CHAT_TEMPLATE`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(_CORPUS * 4, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        padding_side="left",
        model_max_length=context,
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def _processor(arch: str, tokenizer: Any) -> Any:
    import transformers as tf

    if arch == "qwen3-vl":  # 16-pixel patches, merged 2 x 2
        pixels = {"shortest_edge": 64 * 64, "longest_edge": 128 * 128}
        return tf.Qwen3VLProcessor(
            image_processor=tf.Qwen2VLImageProcessor(size=pixels, patch_size=16),
            tokenizer=tokenizer,
            video_processor=tf.Qwen3VLVideoProcessor(size=pixels),
            chat_template=CHAT_TEMPLATE,
        )
    pixels = {"shortest_edge": 56 * 56, "longest_edge": 112 * 112}  # 14-pixel patches, merged 2 x 2
    cls = tf.Qwen2_5_VLProcessor if arch == "qwen2.5-vl" else tf.Qwen2VLProcessor
    return cls(
        image_processor=tf.Qwen2VLImageProcessor(size=pixels),
        tokenizer=tokenizer,
        video_processor=tf.Qwen2VLVideoProcessor(size=pixels),
        chat_template=CHAT_TEMPLATE,
    )


def _model(arch: str, size: str, ids: dict[str, int], vocab: int) -> Any:
    import transformers as tf

    s = _SHAPES[size]
    head_dim = s["hidden"] // s["heads"]
    unit = head_dim // 32  # mrope sections (temporal, height, width) = 4:6:6, summing to head_dim / 2
    text = {
        "vocab_size": vocab,
        "hidden_size": s["hidden"],
        "intermediate_size": s["intermediate"],
        "num_hidden_layers": s["layers"],
        "num_attention_heads": s["heads"],
        "num_key_value_heads": s["kv"],
        "max_position_embeddings": s["context"],
        "rope_parameters": {"rope_type": "default", "mrope_section": [4 * unit, 6 * unit, 6 * unit],
                            "rope_theta": 10000.0},
        "bos_token_id": ids["<|endoftext|>"],
        "eos_token_id": ids["<|im_end|>"],
        "pad_token_id": ids["<|endoftext|>"],
    }
    tokens = {
        "image_token_id": ids["<|image_pad|>"],
        "video_token_id": ids["<|video_pad|>"],
        "vision_start_token_id": ids["<|vision_start|>"],
        "vision_end_token_id": ids["<|vision_end|>"],
    }
    vision = {"depth": s["depth"], "num_heads": s["vheads"]}
    if arch == "qwen2.5-vl":
        vision.update(hidden_size=s["vision"], intermediate_size=2 * s["vision"], out_hidden_size=s["hidden"],
                      fullatt_block_indexes=[s["depth"] - 1])
        return tf.Qwen2_5_VLForConditionalGeneration(tf.Qwen2_5_VLConfig(text_config=text, vision_config=vision, **tokens))
    if arch == "qwen2-vl":
        vision.update(embed_dim=s["vision"], hidden_size=s["hidden"], mlp_ratio=2)
        return tf.Qwen2VLForConditionalGeneration(tf.Qwen2VLConfig(text_config=text, vision_config=vision, **tokens))
    text["head_dim"] = head_dim
    vision.update(hidden_size=s["vision"], intermediate_size=2 * s["vision"], out_hidden_size=s["hidden"],
                  num_position_embeddings=64, deepstack_visual_indexes=[s["depth"] - 1])
    return tf.Qwen3VLForConditionalGeneration(tf.Qwen3VLConfig(text_config=text, vision_config=vision, **tokens))


def build_debug_model(out: Path, arch: str = "qwen2.5-vl", size: str = "tiny", seed: int = 0) -> Path:
    """Save a random `arch` model of `size` with its tokenizer and processor to `out`; return `out`. Loadable with
    `AutoModelForImageTextToText.from_pretrained(out)` and `AutoProcessor.from_pretrained(out)`."""
    if arch not in ARCHS:
        raise ConfigError(f"--arch must be one of {', '.join(ARCHS)}, got {arch!r}")
    if size not in SIZES:
        raise ConfigError(f"--size must be one of {', '.join(SIZES)}, got {size!r}")
    try:
        import torch
    except ImportError:
        raise ConfigError("debug-model needs torch and transformers: pip install 'vdata[train]'") from None

    tokenizer = build_tokenizer(context=_SHAPES[size]["context"])
    ids = {tok: tokenizer.convert_tokens_to_ids(tok) for tok in SPECIAL_TOKENS}
    processor = _processor(arch, tokenizer)
    torch.manual_seed(seed)
    model = _model(arch, size, ids, len(tokenizer))
    model.generation_config.eos_token_id = ids["<|im_end|>"]
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    out = Path(out)
    model.save_pretrained(out)
    processor.save_pretrained(out)
    return out
