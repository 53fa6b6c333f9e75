"""Samples for training: the SFT target text, the worker-side `Prepare` of a row, frame shuffling. No torch here."""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata import tasks
from vdata.schemas import parse_meta
from vdata.tasks import extract_answer, format_response

logger = logging.getLogger(__name__)

@dataclass
class Sample:
    """One row ready for the loop, made in a data-loader worker: the `row` (for rewards), its engine `prompt`,
    the keyframes decoded to RGB `images`, the SFT `target` (None when the row has none, or for GRPO) and the
    prompt's token count (`tokens`: text plus video tokens, None when not counted)."""

    row: dict[str, Any]
    prompt: Any
    images: list[Any]
    target: str | None = None
    tokens: int | None = None


@dataclass(frozen=True)
class Prepare:
    """The worker-side transform of a row into a `Sample`: the engines' prompt (`vdata.engines.Templates`), its
    keyframes decoded, the SFT target when `sft`, the token count when `counter` (a `tokens.TokenCounter`)."""

    sft: bool = False
    counter: Any = None

    def __call__(self, row: dict[str, Any]) -> Sample:
        from vdata.engines import Templates

        prompt = Templates().prompt(row)
        target = sft_target(row) if self.sft else None
        if self.sft and target is None:
            return Sample(row, prompt, [], None, None)
        tokens = self.counter.prompt_tokens(prompt) + self.counter.text_tokens(target) if self.counter else None
        return Sample(row, prompt, prompt.images(), target, tokens)


def answer_text(row: Mapping[str, Any]) -> str | None:
    """The text that goes inside `<answer>` for a row: when `meta.distill` kept a teacher response, the answer
    the verifier judged in it (`vdata.tasks.extract_answer`: the last `<answer>` block, the one the rewards
    read); else the gold, written by the row's task (`Task.target`); None when there is none.

    >>> response = "<think>..</think><answer>A</answer> wait, re-check. <answer>B</answer>"
    >>> answer_text({"task": "multiple_choice", "answer": "B", "meta": {"distill": {"response": response}}})
    'B'
    """
    distilled = parse_meta(row.get("meta")).get("distill")
    response = distilled.get("response") if isinstance(distilled, dict) else None
    if isinstance(response, str) and (answer := extract_answer(response)):
        return answer
    task = row.get("task")
    return tasks.get(task).target(row) if task in tasks.names() else None


def sft_target(row: Mapping[str, Any]) -> str | None:
    """The assistant turn SFT learns: `<think>{cot}</think>\\n<answer>{answer}</answer>`; None without either.

    >>> sft_target({"task": "multiple_choice", "options": ["red", "blue"], "cot": "at 2.0s it turns blue", "answer": "B"})
    '<think>at 2.0s it turns blue</think>\\n<answer>B</answer>'
    """
    cot = (row.get("cot") or "").strip()
    answer = answer_text(row)
    if not cot or answer is None:
        return None
    return format_response(cot, answer)


def shuffled_order(num_frames: int, key: str) -> list[int]:
    """A seeded permutation of frame positions that moves at least one frame when there are two or more.

    >>> sorted(shuffled_order(5, "x")) == list(range(5)) and shuffled_order(5, "x") != list(range(5))
    True
    """
    order = list(range(num_frames))
    random.Random(key).shuffle(order)
    if num_frames > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order
