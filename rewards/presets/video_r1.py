"""Video-R1 (Feng et al. 2025, github.com/tulerfeng/Video-R1, `src/r1-v/src/open_r1/grpo.py`) rewards, quirks kept.

Read from the paper's code: the answer is the first `<answer>\\s*(.*?)\\s*</answer>` (case-sensitive tags), or
"" when there is none; the gold is `answer` with the same extraction when it carries tags. Video-R1 reads the
problem type from the first sample of the batch (`kwargs['problem_type'][0]`); this preset reads each sample's
own `task`, which is what that code computes when a batch holds one prompt (Video-R1's setting).
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import register
from vdata.rewards.presets.fast import FastPreset, Verdict
from vdata.tasks.text import edit_distance, rouge_l, rouge_n, rouge_score_tokens

_TYPES = {
    "multiple_choice": "multiple choice",
    "numeric": "numerical",
    "ocr": "OCR",
    "free_form": "free-form",
    "regression": "regression",
}


def _extract(text: str) -> str:
    """`re.search(r"<answer>\\s*(.*?)\\s*</answer>", text, re.DOTALL).group(1).strip()`, "" without a match,
    in linear time: the regex retries from every `<answer>`, quadratic on `"<answer>" * 50_000`. The first
    `<answer>` and the first `</answer>` after it delimit the match; when that `<answer>` has none after it, no
    later one has."""
    i = text.find("<answer>")
    j = text.find("</answer>", i + len("<answer>")) if i >= 0 else -1
    return text[i + len("<answer>") : j].strip() if j >= 0 else ""


def _float(text: str) -> float | None:
    """Video-R1's `float(text.replace(",", ""))`; None where that fails or is not finite (`nan`, `inf`, `1e999`)."""
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _rouge_mean(reference: str, prediction: str) -> float:
    """Mean of ROUGE-1/2/L F1 with rouge_score's tokenizer and Porter stemmer, as Video-R1 computes it
    (`rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)`); rouge_score itself is not
    needed (`tests/rewards/test_issue13_presets.py` checks the values against it)."""
    ref, pred = rouge_score_tokens(reference), rouge_score_tokens(prediction)
    return (rouge_n(ref, pred, 1) + rouge_n(ref, pred, 2) + rouge_l(ref, pred)) / 3


@register("video-r1/accuracy")
@dataclass(frozen=True)
class VideoR1Accuracy(FastPreset):
    """Video-R1's `accuracy_reward`, per problem type, with its quirks:

    - multiple choice: exact, case-sensitive string equality, so `B.` or `(B)` score 0 against `B`;
    - numerical: 0 unless the gold and the answer agree on containing `.` or `,` (the "decimal presence rule":
      `3.0` vs `3` scores 0), then `round(x, 2)` equality of `float(text.replace(",", ""))`;
    - OCR: `1 - WER` over whitespace words, case-sensitive, clamped to [0, 1];
    - free-form: mean of ROUGE-1/2/L F1 with rouge_score's tokenizer and Porter stemmer (nltk, as rouge_score),
      so a correct one-word answer scores 0.667 (ROUGE-2 of one word is 0) and text without `a-z0-9` (CJK)
      scores 0; the same values with or without `rouge_score` installed (beyond 4096 tokens, text is cut);
    - regression: `1 - min(1, (|pred - gold| + 1e-9) / (|gold| + 1e-9))`.
    One deviation: a number that is not finite (`nan`, `inf`, `1e999`) is not a number here (0.0); in the
    paper's code `nan` passes its `min(1, max(0, nan))` clamp as 0 and scores 1.0 for any gold (a reward hack).
    Tasks Video-R1 does not know return None (its code gives 0). Reads `task`, `answer`. Range [0, 1].

    >>> fn = VideoR1Accuracy()
    >>> fn("<answer>B.</answer>", {"task": "multiple_choice", "answer": "B"}), fn("<answer>3.0</answer>", {"task": "numeric", "answer": "3"})
    (0.0, 0.0)
    """

    tasks = tuple(_TYPES)
    fields = ("task", "answer")

    def __post_init__(self) -> None:
        if importlib.util.find_spec("nltk") is None:
            raise ValueError("video-r1/accuracy needs nltk for its Porter stemmer: pip install nltk")

    def verdict(self, completion: str, sample: Mapping[str, Any]) -> Verdict:
        gold_raw = sample.get("answer")
        if gold_raw is None:
            return None, "sample has no answer", None, None
        gold_raw = gold_raw if type(gold_raw) is str else str(gold_raw)
        gold = _extract(gold_raw) if "<answer>" in gold_raw else gold_raw.strip()
        out = _extract(completion)
        kind = _TYPES[str(sample.get("task"))]
        if kind == "multiple choice":
            value = 1.0 if out.strip() == gold.strip() else 0.0
        elif kind == "numerical":
            if (("." in gold) or ("," in gold)) != (("." in out) or ("," in out)):
                return 0.0, "decimal presence differs", out, None
            g, o = _float(gold), _float(out)
            value = 0.0 if g is None or o is None else float(round(g, 2) == round(o, 2))
        elif kind == "OCR":
            ref, hyp = gold.split(), out.split()
            value = max(0.0, min(1.0, 1 - edit_distance(ref, hyp) / max(1, len(ref))))
        elif kind == "free-form":
            value = max(0.0, min(1.0, _rouge_mean(gold, out)))
        else:
            g, o = _float(gold), _float(out)
            if g is None or o is None:
                return 0.0, "not a number", out, None
            value = 1 - min(1.0, max(0.0, (abs(o - g) + 1e-9) / (abs(g) + 1e-9)))
        return value, None, out, None


def think_answer_fullmatch(text: str) -> bool:
    """`re.fullmatch(r"<think>.*?</think>\\s*<answer>.*?</answer>", text, re.DOTALL)`, computed without regex
    backtracking: the text starts with `<think>`, ends with `</answer>`, and some `</think>` is followed by
    whitespace and an `<answer>` that opens before the final `</answer>`."""
    if not (text.startswith("<think>") and text.endswith("</answer>")):
        return False
    last = len(text) - len("</answer>")
    i = text.find("</think>", len("<think>"))
    while i >= 0:
        j = i + len("</think>")
        while j < len(text) and text[j].isspace():
            j += 1
        if text.startswith("<answer>", j) and j + len("<answer>") <= last:
            return True
        i = text.find("</think>", i + 1)
    return False


@register("video-r1/format")
@dataclass(frozen=True)
class VideoR1Format(FastPreset):
    """Video-R1's `format_reward`: 1.0 when `re.fullmatch(r"<think>.*?</think>\\s*<answer>.*?</answer>")`
    matches (DOTALL). Quirks: no leading or trailing whitespace allowed; empty blocks pass; extra `<answer>`
    blocks pass because `.*?` may span them. Range [0, 1]; any task.

    >>> VideoR1Format()("<think></think><answer>A</answer><answer>B</answer>", {}), VideoR1Format()(" <think>x</think><answer>B</answer>", {})
    (1.0, 0.0)
    """

    def verdict(self, completion: str, sample: Mapping[str, Any]) -> Verdict:
        return (1.0 if think_answer_fullmatch(completion) else 0.0), None, None, None
