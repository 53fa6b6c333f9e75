"""The shared base of rewards that judge the content of the `<answer>` block."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import Explanation, Reward, not_applicable, zero
from vdata.tasks.answer import extract_answer


@dataclass(frozen=True)
class AnswerReward(Reward):
    """A reward on the last `<answer>` block (`vdata.tasks.extract_answer`). `fallback=True` (eval style) judges
    the whole text when there is no block; the default (train style) gives 0 for a completion without one."""

    fallback: bool = False

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        answer = extract_answer(completion, self.fallback)
        if answer is None:
            return zero("no <answer>...</answer> block")
        return self.judge_answer(answer, sample)

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        raise NotImplementedError


def missing(field: str) -> Explanation:
    """None: the sample has no gold `field`."""
    return not_applicable(f"sample has no {field}")
