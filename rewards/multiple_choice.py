"""`multiple_choice`: lenient to how an option is named, strict to which one (rules in `vdata.tasks.multiple_choice`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import AnswerReward, missing
from vdata.rewards.base import Explanation, register, zero
from vdata.tasks.multiple_choice import LETTERS, gold_option, named_options


@register("multiple_choice")
@dataclass(frozen=True)
class MultipleChoice(AnswerReward):
    """1.0 when the answer names exactly the correct option, 0.0 otherwise (also when it names two options).

    Accepts `B`, `B.`, `(B)`, `[B]`, `b`, `Option B`, `B. option text`, and the option text alone (any case,
    punctuation ignored). Reads `answer` (a letter, or the option text) and `options` (texts without letters;
    may be missing when the answer is a letter). Range [0, 1]. None when the gold is missing or names no option.

    >>> s = {"task": "multiple_choice", "answer": "B", "options": ["a cat", "a dog"]}
    >>> [MultipleChoice()(f"<answer>{a}</answer>", s) for a in ("B.", "(b)", "a dog", "A or B")]
    [1.0, 1.0, 1.0, 0.0]
    """

    tasks = ("multiple_choice",)
    fields = ("answer", "options")

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold = gold_option(sample)
        if gold is None:
            return missing("answer naming one of its options")
        named = named_options(answer, sample.get("options") or None)
        letters = "".join(sorted(LETTERS[i] for i in named))
        if not named:
            return zero(f"no option named in {answer[:80]!r}")
        if len(named) > 1:
            return zero(f"several options named: {letters}", parsed=letters)
        if gold in named:
            return Explanation(1.0, parsed=letters)
        return zero(f"named {letters}, gold is {LETTERS[gold]}", parsed=letters)
