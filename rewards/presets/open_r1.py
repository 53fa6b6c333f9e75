"""open-r1 (Hugging Face, github.com/huggingface/open-r1, `src/open_r1/rewards.py`) format rewards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import register
from vdata.rewards.presets.fast import FastPreset, Verdict

_TAGS = ("<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>")
_HEAD, _MIDDLE, _TAIL = "<think>\n", "\n</think>\n<answer>\n", "\n</answer>"


def open_r1_format_match(text: str) -> bool:
    """`re.match(r"^<think>\\n.*?\\n</think>\\n<answer>\\n.*?\\n</answer>$", text, re.DOTALL | re.MULTILINE)`,
    without backtracking: the text starts with `<think>\\n`, then the first `\\n</think>\\n<answer>\\n` after it,
    then some `\\n</answer>` after that which ends the text or a line.

    >>> open_r1_format_match("<think>\\nx\\n</think>\\n<answer>\\nB\\n</answer>\\nmore"), open_r1_format_match("<think>x")
    (True, False)
    """
    if not text.startswith(_HEAD):
        return False
    i = text.find(_MIDDLE, len(_HEAD))
    if i < 0:
        return False
    k = text.find(_TAIL, i + len(_MIDDLE))
    while k >= 0:
        end = k + len(_TAIL)
        if end == len(text) or text[end] == "\n":
            return True
        k = text.find(_TAIL, k + 1)
    return False


def tag_flags(text: str) -> tuple[bool, bool, bool, bool]:
    """Whether each of `<think>\\n`, `\\n</think>\\n`, `\\n<answer>\\n`, `\\n</answer>` occurs exactly once
    (`str.count`: non-overlapping occurrences, as open-r1 counts).

    >>> tag_flags("<think>\\nx\\n</think>\\n<answer>B</answer>")
    (True, True, False, False)
    """
    return (text.count("<think>\n") == 1, text.count("\n</think>\n") == 1, text.count("\n<answer>\n") == 1,
            text.count("\n</answer>") == 1)


@register("open-r1/format")
@dataclass(frozen=True)
class OpenR1Format(FastPreset):
    """open-r1's `format_reward`: `re.match(r"^<think>\\n.*?\\n</think>\\n<answer>\\n.*?\\n</answer>$",
    text, re.DOTALL | re.MULTILINE)`, computed without backtracking (`open_r1_format_match`).

    Quirks: the newlines around each tag are required; because of MULTILINE, `$` also matches before any
    newline, so text after `</answer>\\n` still passes. Range [0, 1]; any task.

    >>> fn = OpenR1Format()
    >>> fn("<think>\\nx\\n</think>\\n<answer>\\nB\\n</answer>\\nanything", {}), fn("<think>x</think><answer>B</answer>", {})
    (1.0, 0.0)
    """

    def verdict(self, completion: str, sample: Mapping[str, Any]) -> Verdict:
        return (1.0 if open_r1_format_match(completion) else 0.0), None, None, None


@register("open-r1/tag_count")
@dataclass(frozen=True)
class OpenR1TagCount(FastPreset):
    """open-r1's `tag_count_reward`: 0.25 for each of `<think>\\n`, `\\n</think>\\n`, `\\n<answer>\\n` and
    `\\n</answer>` that occurs exactly once (`tag_flags`). Range [0, 1]; any task. `explain` names each tag's
    part.

    >>> OpenR1TagCount()("<think>\\nx\\n</think>\\n<answer>B</answer>", {})
    0.5
    """

    def verdict(self, completion: str, sample: Mapping[str, Any]) -> Verdict:
        parts = {tag: 0.25 if flag else 0.0 for tag, flag in zip(_TAGS, tag_flags(completion), strict=True)}
        return sum(parts.values()), None, None, parts

    def __call__(self, completion: str, sample: Mapping[str, Any]) -> float | None:
        if type(completion) is str and type(sample) is dict:  # `tag_flags` inlined: the value `verdict` gives
            if "\n" not in completion:  # every tag counted holds a newline: one memchr instead of four scans
                return 0.0
            return ((completion.count("<think>\n") == 1) + (completion.count("\n</think>\n") == 1)
                    + (completion.count("\n<answer>\n") == 1) + (completion.count("\n</answer>") == 1)) * 0.25
        return self.explain(completion, sample).value
