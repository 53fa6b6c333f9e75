"""`free_form`: ROUGE between the answer and the gold text (tokens as in `vdata.tasks.text`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import AnswerReward, missing
from vdata.rewards.base import Explanation, check_choice, register
from vdata.tasks.base import gold_answer
from vdata.tasks.text import rouge_l, rouge_n, rouge_tokens


@register("free_form")
@dataclass(frozen=True)
class FreeForm(AnswerReward):
    """ROUGE-L F1 between the gold text and the answer (`metric="rouge_l"`), or the mean of ROUGE-1, ROUGE-2
    and ROUGE-L F1 (`metric="rouge_mean"`, Video-R1's choice).

    Tokens are lower-cased alphanumeric runs, each CJK character a token (so Chinese or Japanese answers do not
    score 0); on ASCII text ROUGE-L equals `rouge_score` without stemming. In `rouge_mean`, ROUGE-2 is left out
    of the mean when the gold or the answer has fewer than two tokens, so a correct one-word answer scores 1.0,
    not 0.667. Reads `answer`; judges `free_form` and `caption`. Range [0, 1]; None when the gold is missing.

    >>> round(FreeForm()("<answer>a man rides a horse</answer>", {"task": "free_form", "answer": "a man riding a horse"}), 3)
    0.8
    """

    tasks = ("free_form", "caption")
    fields = ("answer",)
    metric: str = "rouge_l"

    def __post_init__(self) -> None:
        check_choice("free_form", "metric", self.metric, ("rouge_l", "rouge_mean"))

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold = gold_answer(sample)
        if gold is None:
            return missing("answer")
        ref, pred = rouge_tokens(gold), rouge_tokens(answer)
        rl = rouge_l(ref, pred)
        if self.metric == "rouge_l":
            return Explanation(rl, {"rouge_l": rl}, parsed=answer)
        parts = {"rouge_1": rouge_n(ref, pred, 1), "rouge_l": rl}
        if len(ref) >= 2 and len(pred) >= 2:
            parts["rouge_2"] = rouge_n(ref, pred, 2)
        return Explanation(sum(parts.values()) / len(parts), parts, parsed=answer)
