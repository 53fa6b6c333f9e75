"""`format`: one `<think>` block, then one `<answer>` block."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import Explanation, Reward, register, zero


@register("format")
@dataclass(frozen=True)
class Format(Reward):
    """1.0 when the completion is exactly one non-empty `<think>...</think>` block followed by one non-empty
    `<answer>...</answer>` block, with only whitespace before, between and after them; 0.0 otherwise.

    Tags are matched exactly (lower case, no inner spaces). `prefilled_think=True` is for chat templates that
    put `<think>` in the prompt: the completion then starts inside the thought and must not open it again.
    Range [0, 1]; reads no sample field; applies to every task.

    >>> Format()("<think>look</think>\\n<answer>B</answer>", {})
    1.0
    >>> Format()("<think>look</think><answer>B</answer> and more", {})
    0.0
    """

    prefilled_think: bool = False

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        text = completion.strip()
        counts = {tag: text.count(tag) for tag in ("<think>", "</think>", "<answer>", "</answer>")}
        want_open = 0 if self.prefilled_think else 1
        if counts["<think>"] != want_open:
            return zero(f"expected {want_open} <think> tag(s), found {counts['<think>']}")
        for tag in ("</think>", "<answer>", "</answer>"):
            if counts[tag] != 1:
                return zero(f"expected one {tag} tag, found {counts[tag]}")
        think_start = 0
        if not self.prefilled_think:
            if not text.startswith("<think>"):
                return zero("text before <think>")
            think_start = len("<think>")
        think_end = text.find("</think>")
        answer_open = text.find("<answer>")
        answer_close = text.find("</answer>")
        if not think_start <= think_end < answer_open < answer_close:
            return zero("tags out of order")
        if text[think_end + len("</think>") : answer_open].strip():
            return zero("text between </think> and <answer>")
        if not text.endswith("</answer>"):
            return zero("text after </answer>")
        if not text[think_start:think_end].strip():
            return zero("empty <think> block")
        if not text[answer_open + len("<answer>") : answer_close].strip():
            return zero("empty <answer> block")
        return Explanation(1.0)
