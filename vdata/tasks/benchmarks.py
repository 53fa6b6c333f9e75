"""The evaluation benchmarks' own scoring rules: how each official script reads an answer and averages its table.

A benchmark builder (`builders/videomme.py`, ...) names its `Benchmark` as the class attribute `benchmark`;
`vdata eval` then scores each of its rows with `judge` (on the text inside `<answer>`, read by
`vdata.tasks.extract_answer` with `fallback=True` like every other metric) and reports the table the script
prints: the mean per value of each of `categories` and an overall that is micro (every question weighs the same)
or, with `overall_by`, the script's own function of the per-value means of that key (VSI-Bench's macro mean).

`judge(answer, row, meta)` returns the sample's value in [0, 1], or None when the script leaves the question out
of every denominator (Video-MME counts only answers it could extract). Each rule below names the script it
follows; the tests in `tests/eval/test_benchmarks.py` check them on hand-computed cases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vdata.tasks.metrics import mean_relative_accuracy
from vdata.tasks.multiple_choice import LETTERS, gold_option

Judge = Callable[[str, Mapping[str, Any], Mapping[str, Any]], "float | None"]


@dataclass(frozen=True)
class Benchmark:
    """The table of one benchmark's official script.

    - `judge`: the per-sample value (see module); None = not counted.
    - `categories`: `meta` keys reported as breakdowns, in the script's order; `"a/b"` crosses two keys.
    - `overall_by`: empty = the overall is the mean over all counted questions (micro); else a `meta` key whose
      per-value means `overall` turns into the overall (default: their plain mean, a macro mean).
    - `metric`: the name the script prints (`accuracy`, or `score` when accuracy and MRA are averaged).
    """

    judge: Judge
    categories: tuple[str, ...] = ()
    overall_by: str = ""
    overall: Callable[[Mapping[str, float]], float] | None = None
    metric: str = "accuracy"

    def combine(self, means: Mapping[str, float]) -> float:
        """The overall from the per-value means of `overall_by` (0.0 when there are none).

        >>> Benchmark(videomme_judge, overall_by="task_type").combine({"a": 1.0, "b": 0.0})
        0.5
        """
        if self.overall is not None:
            return self.overall(means)
        return sum(means.values()) / len(means) if means else 0.0


def _gold_letter(row: Mapping[str, Any]) -> str | None:
    gold = gold_option(row)
    return None if gold is None else LETTERS[gold]


# -- Video-MME and LongVideoBench: the first capital option letter --------------------------------------------

#: The prefixes Video-MME's `eval_your_results.py` removes. Two commas are missing in the script's list, so
#: "The best option is" and "Best answer:" are never removed alone (the `B` of "Best answer: C" is read).
VIDEOMME_PREFIXES = (
    "The best answer is", "The correct answer is", "The answer is", "The answer",
    "The best option isThe correct option is", "Best answer:Best option:",
)
#: The prefixes LongVideoBench's `parse_multi_choice_response` (lmms-eval `longvideobench/utils.py`) removes.
LONGVIDEOBENCH_PREFIXES = (
    "The best answer is", "The correct answer is", "The answer is", "The answer", "The best option is",
    "The correct option is", "Best answer:", "Best option:",
)


def first_letter(text: str, prefixes: Sequence[str], letters: str) -> str:
    """The first of `letters` left in `text` once each prefix is removed (case-sensitive), else "".

    >>> first_letter("The answer is (C).", VIDEOMME_PREFIXES, "ABCD")
    'C'
    >>> first_letter("Best answer: C", VIDEOMME_PREFIXES, "ABCD")
    'B'
    """
    s = text.strip()
    for prefix in prefixes:
        s = s.replace(prefix, "")
    m = re.search(f"[{letters}]", s)
    return m.group(0) if m else ""


def videomme_judge(answer: str, row: Mapping[str, Any], meta: Mapping[str, Any]) -> float | None:
    """Video-MME (`evaluation/eval_your_results.py`): the first of A-D after the prefixes; an answer with none
    is not counted (the script divides by the questions answered). 1.0 when it is the gold letter.

    >>> videomme_judge("I think B", {"answer": "B", "options": ["a", "b", "c", "d"]}, {})
    1.0
    >>> videomme_judge("no idea", {"answer": "B", "options": ["a", "b", "c", "d"]}, {}) is None
    True
    """
    letter = first_letter(answer, VIDEOMME_PREFIXES, "ABCD")
    if not letter:
        return None
    return 1.0 if letter == _gold_letter(row) else 0.0


def longvideobench_judge(answer: str, row: Mapping[str, Any], meta: Mapping[str, Any]) -> float:
    """LongVideoBench (lmms-eval `longvideobench/utils.py`): the first of A-E after the prefixes; when there is
    none the script picks a random option, so the value is its expectation, 1 / the number of options.

    >>> longvideobench_judge("(E) the ball", {"answer": "E", "options": list("abcde")}, {})
    1.0
    >>> longvideobench_judge("unsure", {"answer": "A", "options": ["x", "y", "z", "w"]}, {})
    0.25
    """
    letter = first_letter(answer, LONGVIDEOBENCH_PREFIXES, "ABCDE")
    if not letter:
        return 1.0 / max(1, len(row.get("options") or ()))
    return 1.0 if letter == _gold_letter(row) else 0.0


# -- MVBench ---------------------------------------------------------------------------------------------------


def mvbench_correct(pred: str, gold_index: int) -> bool:
    """MVBench's `check_ans` (Ask-Anything `video_chat2/mvbench.ipynb`): the first space-separated word of the
    lower-cased answer must contain one of a-g, and with dots removed lie inside the gold `(x)` (or contain it).

    >>> [mvbench_correct(p, 0) for p in ("(A) a dog", "A.", "a)", "B", "", "answer: A")]
    [True, True, True, False, False, False]
    """
    pred_option = pred.lower().split(" ")[0]
    gold = f"({LETTERS[gold_index].lower()})"
    if not any(c in pred_option for c in "abcdefg"):
        return False
    return pred_option.replace(".", "") in gold or gold in pred_option


def mvbench_judge(answer: str, row: Mapping[str, Any], meta: Mapping[str, Any]) -> float | None:
    """1.0 when `mvbench_correct`; None without a gold option."""
    gold = gold_option(row)
    return None if gold is None else float(mvbench_correct(answer, gold))


# -- VSI-Bench -------------------------------------------------------------------------------------------------


def vsibench_first_word(pred: str) -> str:
    """VSI-Bench's `fuzzy_matching`: the first space-separated word, trailing dots removed, stripped.

    >>> vsibench_first_word("B. the chair"), vsibench_first_word("3.5 meters")
    ('B', '3.5')
    """
    return pred.split(" ")[0].rstrip(".").strip()


def vsibench_judge(answer: str, row: Mapping[str, Any], meta: Mapping[str, Any]) -> float | None:
    """VSI-Bench (`thinking-in-space`, `lmms_eval/tasks/vsibench/utils.py`): a multiple-choice question scores
    1.0 when the first word equals the gold letter (any case); a numeric one scores the MRA of the first word read
    as a float (0.0 when it is not one). None without gold.

    >>> vsibench_judge("b.", {"task": "multiple_choice", "answer": "B", "options": ["x", "y"]}, {})
    1.0
    >>> vsibench_judge("13 chairs", {"task": "regression", "answer": "10"}, {})
    0.5
    >>> vsibench_judge("about 13", {"task": "regression", "answer": "10"}, {})
    0.0
    """
    word = vsibench_first_word(answer)
    if row.get("task") == "multiple_choice":
        gold = _gold_letter(row)
        return None if gold is None else float(word.lower() == gold.lower())
    try:
        gold_value = float(str(row.get("answer")))
    except ValueError:
        return None
    try:
        value = float(word)
    except ValueError:
        return 0.0
    return mean_relative_accuracy(value, gold_value)


#: VSI-Bench's three relative-direction types, averaged into one entry of its overall.
VSIBENCH_DIRECTION_TYPES = ("object_rel_direction_easy", "object_rel_direction_medium", "object_rel_direction_hard")


def vsibench_overall(means: Mapping[str, float]) -> float:
    """VSI-Bench's `vsibench_aggregate_results`: the per-type means with the three direction types replaced by
    their sum / 3 (a type with no question adds 0, and the direction entry is always there), then the plain mean.

    >>> vsibench_overall({"object_rel_direction_easy": 1.0, "object_rel_direction_hard": 0.5, "route_planning": 1.0})
    0.75
    """
    rest = {k: v for k, v in means.items() if k not in VSIBENCH_DIRECTION_TYPES}
    values = [*rest.values(), sum(means.get(k, 0.0) for k in VSIBENCH_DIRECTION_TYPES) / 3]
    return sum(values) / len(values)


# -- EgoSchema -------------------------------------------------------------------------------------------------


def egoschema_choice(pred: str, options: Sequence[str]) -> int:
    """The option index lmms-eval's `egoschema_process_results_generation` reads, -1 for none: the answer must
    equal a whole option `"A. text."` (a final period added when missing), else the option text with that
    period, else the bare letter `A`.

    >>> egoschema_choice("B", ["x", "y"]), egoschema_choice("y.", ["x", "y"]), egoschema_choice("y", ["x", "y"])
    (1, 1, -1)
    """
    texts = [o if o.endswith(".") else o + "." for o in options]
    for candidates in ([f"{LETTERS[i]}. {t}" for i, t in enumerate(texts)], texts, list(LETTERS[: len(options)])):
        for i, candidate in enumerate(candidates):
            if pred == candidate:
                return i
    return -1


def egoschema_judge(answer: str, row: Mapping[str, Any], meta: Mapping[str, Any]) -> float | None:
    """1.0 when `egoschema_choice` is the gold index (the Kaggle server compares indices); None without gold."""
    gold = gold_option(row)
    return None if gold is None else float(egoschema_choice(answer, row.get("options") or ()) == gold)


# -- TempCompass -----------------------------------------------------------------------------------------------


def tempcompass_multi_choice(pred: str, gold: str) -> float:
    """TempCompass `eval_multi-choice.py` without the LLM fallback (`--disable_llm`): the answer equals the gold
    `"B. text"`, or is a letter A-D, or starts with `X.` / `X)`, and that letter is the gold's; else 0.

    >>> [tempcompass_multi_choice(p, "B. fast") for p in ("B. fast", "B", "B) fast", "(B)", "fast")]
    [1.0, 1.0, 1.0, 0.0, 0.0]
    """
    if pred == gold:
        return 1.0
    if pred in ("A", "B", "C", "D"):
        return float(pred == gold[:1])
    for delimiter in (".", ")"):
        if any(pred.startswith(f"{x}{delimiter}") for x in "ABCD"):
            return float(pred.split(delimiter)[0] == gold[:1])
    return 0.0


def tempcompass_yes_no(pred: str, gold: str) -> float:
    """TempCompass `eval_yes_no.py` without the LLM: the lower-cased answer starts with `yes` or `no`, which
    must be the gold; anything else scores 0.

    >>> tempcompass_yes_no("Yes, it does.", "yes"), tempcompass_yes_no("It does not", "no")
    (1.0, 0.0)
    """
    low = pred.lower()
    said = "yes" if low.startswith("yes") else "no" if low.startswith("no") else None
    return float(said is not None and said == gold)


def tempcompass_caption_matching(pred: str, question: str, gold: str) -> float:
    """TempCompass `eval_caption_matching.py` (`eval_rule`) without the LLM. The question's lines after the
    first are `"<label>: <caption>"`; the answer may be a whole line, a caption (also after `") "`), or a label
    (dots removed); later matches override earlier ones. 1.0 when the match is the gold line, its label or its
    caption; 0 when nothing matches.

    >>> q = "Which caption matches the video better?\\nCaption A: a cat jumps\\nCaption B: a dog runs"
    >>> [tempcompass_caption_matching(p, q, "Caption B: a dog runs") for p in ("Caption B", "a dog runs", "B")]
    [1.0, 1.0, 0.0]
    """
    lines = question.split("\n")[1:]
    labelled = [line.split(": ", 1) for line in lines if ": " in line]
    found = None
    for line in lines:
        if line == pred:
            found = line
    for _, caption in labelled:
        if caption == pred or (") " in pred and caption == pred.split(") ")[1]):
            found = caption
    for label, _ in labelled:
        if label in (pred, pred.replace(".", "")):
            found = label
    if found is None:
        return 0.0
    return float(found in (gold, gold.split(":")[0], gold.split(": ", 1)[-1]))


def tempcompass_judge(answer: str, row: Mapping[str, Any], meta: Mapping[str, Any]) -> float | None:
    """The rule of the row's `meta.task_type` (`multi-choice`, `yes_no`, `caption_matching`, which reads the
    captions from the row's `question`); None without gold.

    >>> tempcompass_judge("no", {"answer": "no"}, {"task_type": "yes_no"})
    1.0
    """
    kind = meta.get("task_type")
    if kind == "multi-choice":
        gold = gold_option(row)
        if gold is None:
            return None
        return tempcompass_multi_choice(answer, f"{LETTERS[gold]}. {(row.get('options') or [])[gold]}")
    gold_text = str(row.get("answer") or "")
    if not gold_text:
        return None
    if kind == "yes_no":
        return tempcompass_yes_no(answer, gold_text)
    return tempcompass_caption_matching(answer, str(row.get("question") or ""), gold_text)


VIDEOMME = Benchmark(videomme_judge, ("duration", "domain", "sub_category", "task_type", "duration/domain",
                                     "duration/task_type"))
LONGVIDEOBENCH = Benchmark(longvideobench_judge, ("duration_group", "question_category"))
MVBENCH = Benchmark(mvbench_judge, ("task_type",))
VSIBENCH = Benchmark(vsibench_judge, ("question_type",), overall_by="question_type", overall=vsibench_overall,
                     metric="score")
EGOSCHEMA = Benchmark(egoschema_judge)
TEMPCOMPASS = Benchmark(tempcompass_judge, ("task_type", "dimension", "fine_dimension", "task_type/dimension"))
