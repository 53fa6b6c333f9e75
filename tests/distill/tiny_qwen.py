"""A tiny Qwen2.5-VL built locally: `vdata.train.debug_model` at size `tiny` (random weights, a byte-level BPE
tokenizer trained on the spot, the Qwen2-VL image and video processors). No network, no downloaded weights. Its
outputs are gibberish; it exists to run the real `transformers` engine end to end on CPU."""

from __future__ import annotations

from pathlib import Path

from vdata.train.debug_model import CHAT_TEMPLATE, SPECIAL_TOKENS, build_debug_model

__all__ = ["CHAT_TEMPLATE", "SPECIAL_TOKENS", "build_tiny_qwen25_vl"]


def build_tiny_qwen25_vl(out_dir: Path) -> Path:
    """Save a tiny random Qwen2.5-VL model, tokenizer and processor to `out_dir`; return `out_dir`."""
    return build_debug_model(Path(out_dir), arch="qwen2.5-vl", size="tiny")
