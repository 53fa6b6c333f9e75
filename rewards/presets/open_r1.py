"""open-r1 (Hugging Face, github.com/huggingface/open-r1, `src/open_r1/rewards.py`) format rewards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import Explanation, Reward, register


@register("open-r1/format")
@dataclass(frozen=True)
class OpenR1Format(Reward):
    """open-r1's `format_reward`: `re.match(r"^<think>\\n.*?\\n</think>\\n<answer>\\n.*?\\n</answer>$",
    text, re.DOTALL | re.MULTILINE)`, computed without backtracking.

    Quirks: the newlines around each tag are required; because of MULTILINE, `$` also matches before any
    newline, so text after `</answer>\\n` still passes. Range [0, 1]; any task.

    >>> fn = OpenR1Format()
    >>> fn("<think>\\nx\\n</think>\\n<answer>\\nB\\n</answer>\\nanything", {}), fn("<think>x</think><answer>B</answer>", {})
    (1.0, 0.0)
    """

    keeps_whole_text = True  # judged whole, as the paper's code does (no tail cut)

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        head, mid, tail = "<think>\n", "\n</think>\n<answer>\n", "\n</answer>"
        if not completion.startswith(head):
            return Explanation(0.0)
        i = completion.find(mid, len(head))
        if i < 0:
            return Explanation(0.0)
        k = completion.find(tail, i + len(mid))
        while k >= 0:
            end = k + len(tail)
            if end == len(completion) or completion[end] == "\n":
                return Explanation(1.0)
            k = completion.find(tail, k + 1)
        return Explanation(0.0)


@register("open-r1/tag_count")
@dataclass(frozen=True)
class OpenR1TagCount(Reward):
    """open-r1's `tag_count_reward`: 0.25 for each of `<think>\\n`, `\\n</think>\\n`, `\\n<answer>\\n` and
    `\\n</answer>` that occurs exactly once. Range [0, 1]; any task.

    >>> OpenR1TagCount()("<think>\\nx\\n</think>\\n<answer>B</answer>", {})
    0.5
    """

    keeps_whole_text = True  # judged whole, as the paper's code does (no tail cut)

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        parts = {
            tag: 0.25 if completion.count(tag) == 1 else 0.0
            for tag in ("<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>")
        }
        return Explanation(sum(parts.values()), parts)
