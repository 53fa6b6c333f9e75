"""Shared plumbing of the trainer adapters: completion text, sample rebuilding, and a weighted combination."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vdata.errors import ConfigError
from vdata.rewards.base import Reward, get, weighted_sum
from vdata.rewards.weights import DEFAULT_REWARDS, parse_weights

logger = logging.getLogger(__name__)

#: What the adapters score when not told otherwise: task accuracy plus the think/answer format, summed.


def completion_text(completion: Any) -> str:
    """The text of a plain (`str`) or conversational (`[{"role": "assistant", "content": ...}]`) completion.

    Content given as parts (`[{"type": "text", "text": ...}]`) is joined. A `reasoning_content` field (reasoning
    parsers of vLLM/SGLang split the thought out) is put back as `<think>...</think>` before the content.
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        completion = [completion]
    if not isinstance(completion, Sequence):
        return ""
    texts = []
    for message in completion:
        if not isinstance(message, Mapping):
            continue
        content = message.get("content")
        if isinstance(content, list):
            content = "".join(p.get("text", "") for p in content if isinstance(p, Mapping))
        content = content if isinstance(content, str) else ""
        reasoning = message.get("reasoning_content")
        if isinstance(reasoning, str) and reasoning.strip() and "<think>" not in content:
            content = f"<think>{reasoning}</think>{content}"
        texts.append(content)
    return "".join(texts)


#: End-of-turn and end-of-text tokens of the common chat templates: Qwen/ChatML (`<|im_end|>`, `<|endoftext|>`),
#: Llama 3 (`<|eot_id|>`, `<|eom_id|>`, `<|end_of_text|>`), Llama 2/Mistral (`</s>`), Gemma (`<end_of_turn>`,
#: `<eos>`), Phi-3 (`<|end|>`), DeepSeek (`<｜end▁of▁sentence｜>`), GLM (`<|user|>`, `<|observation|>`).
END_OF_TURN_TOKENS = (
    "<|im_end|>",
    "<|endoftext|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<|end_of_text|>",
    "</s>",
    "<end_of_turn>",
    "<eos>",
    "<|end|>",
    "<｜end▁of▁sentence｜>",
    "<|user|>",
    "<|observation|>",
)


def strip_end_tokens(text: str) -> str:
    """`text` without the end-of-turn tokens (`END_OF_TURN_TOKENS`) and whitespace at its end, as many as
    there are (a response padded with `<|endoftext|>` after `<|im_end|>` too). OpenRLHF decodes queries with
    special tokens kept; this is what its adapter and the reward server score. Tokens inside the text stay.

    >>> strip_end_tokens("<answer>B</answer><|im_end|>\\n<|endoftext|><|endoftext|>")
    '<answer>B</answer>'
    """
    end = len(text)
    while True:
        while end and text[end - 1].isspace():
            end -= 1
        for token in END_OF_TURN_TOKENS:
            if text.endswith(token, 0, end):
                end -= len(token)
                break
        else:
            return text[:end]


def load_sample(ground_truth: Any, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A sample dict from a dict or its JSON string; a non-JSON string becomes `{"answer": ...}`.

    Fields missing from it are taken from `extra` (verl's `extra_info`), so a dataset can put the gold in
    either place.
    """
    sample: dict[str, Any]
    ground_truth = plain(ground_truth)
    if isinstance(ground_truth, Mapping):
        sample = dict(ground_truth)
    elif isinstance(ground_truth, (str, bytes)):
        try:
            loaded = json.loads(ground_truth)
        except (ValueError, RecursionError):
            loaded = None
        sample = dict(loaded) if isinstance(loaded, Mapping) else {"answer": ground_truth}
    else:
        sample = {}
    for key, value in (extra or {}).items():
        sample.setdefault(key, value)
    return {key: plain(value) for key, value in sample.items()}


def plain(value: Any, depth: int = 0) -> Any:
    """`value` with numpy arrays and scalars (verl's and pandas' columns) turned into Python lists and numbers,
    inside dicts and lists too, so gold readers never meet an array whose truth value is ambiguous.

    Bytes and strings are kept as they are; below 16 levels of nesting values are left as they are.
    """
    if isinstance(value, (str, bytes, bytearray, int, float, bool)) or value is None or depth > 16:
        return value
    if isinstance(value, Mapping):
        return {k: plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and type(value).__module__ == "numpy":
        return plain(tolist(), depth + 1)
    return value


@dataclass(frozen=True)
class Combination:
    """Several rewards and their weights: `total` is the weighted sum (None counts 0), `components` each value."""

    names: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    fns: tuple[Reward, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        names = (self.names,) if isinstance(self.names, str) else tuple(self.names)
        if not names:
            names, weights = _split(parse_weights(DEFAULT_REWARDS))
        else:
            weights = tuple(float(w) for w in self.weights) or (1.0,) * len(names)
        if len(weights) != len(names):
            raise ConfigError(f"{len(weights)} weights for {len(names)} rewards {list(names)}")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "fns", tuple(get(n) for n in names))

    def __call__(self, completion: str, sample: Mapping[str, Any]) -> tuple[float, dict[str, float]]:
        values = [fn(completion, sample) for fn in self.fns]
        components = {name: 0.0 if v is None else v for name, v in zip(self.names, values, strict=True)}
        return weighted_sum(values, self.weights), components


def combination(rewards: str | Sequence[str] | None, weights: Sequence[float] | None) -> Combination:
    """A `Combination` from trainer kwargs: None (`DEFAULT_REWARDS`), a `NAME[:WEIGHT],...` string (read by
    `parse_weights`), or a list of names with `weights`."""
    if rewards is None:
        rewards = DEFAULT_REWARDS
    if isinstance(rewards, str):
        names, parsed = _split(parse_weights(rewards, flag="rewards"))
        return _cached(names, tuple(weights or parsed))
    return _cached(tuple(rewards), tuple(weights or ()))


def _split(pairs: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return tuple(n for n, _ in pairs), tuple(w for _, w in pairs)


_COMBINATIONS: dict[tuple[tuple[str, ...], tuple[float, ...]], Combination] = {}


def _cached(names: tuple[str, ...], weights: tuple[float, ...]) -> Combination:
    key = (names, weights)
    if key not in _COMBINATIONS:
        _COMBINATIONS[key] = Combination(names, weights)
    return _COMBINATIONS[key]
