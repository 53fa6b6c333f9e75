"""`multiple_choice`: lenient to how an option is named, strict to which one."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import AnswerReward, gold_answer, missing
from vdata.rewards.base import Explanation, register, zero
from vdata.rewards.text import normalise

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The whole answer is a letter: B, B., (B), [B], b), Option B, answer: B
_ONLY_LETTER = re.compile(
    r"^(?:(?:the\s+)?(?:answer|option|choice)\s*(?:is)?\s*[:：]?\s*)?[(\[]?([A-Za-z])[)\]]?[.:)]?$", re.I
)
# A letter, a delimiter, then text: "B. a red car", "(B) a red car", "B: a red car"
_LETTER_TEXT = re.compile(r"^[(\[]?([A-Za-z])(?:[)\]][.:]?|[.:)])\s*(.+)$", re.S)
# A capital letter standing alone inside free text: "I think it is B because"
_CONJUNCTIONS = {"or", "and", "nor", "vs", "versus", "then"}
_LONE_CAPITAL = re.compile(r"(?<![A-Za-z0-9'’])[(\[]?([A-Z])[)\]]?(?![A-Za-z0-9'’])")


def named_options(answer: str, options: Sequence[str] | None) -> set[int]:
    """Indices of the options an answer names: by letter (any case, `B`, `B.`, `(B)`, `[B]`, `Option B`),
    by letter and text (`B. option text`; a text that names another option adds that one too), or by the
    option text alone (case, punctuation and spacing ignored). Free text adds every standalone capital letter.

    >>> sorted(named_options("A or B", ["cat", "dog"]))
    [0, 1]
    """
    n = len(options) if options else len(_LETTERS)
    answer = answer.strip()
    m = _ONLY_LETTER.match(answer)
    if m:
        i = _LETTERS.index(m.group(1).upper())
        return {i} if i < n else set()
    texts = {normalise(o): i for i, o in enumerate(options or [])}
    found: set[int] = set()
    m = _LETTER_TEXT.match(answer)
    if m and (options is None or normalise(m.group(2)) in texts or m.group(1).isupper()):
        found.add(_LETTERS.index(m.group(1).upper()))
        rest = normalise(m.group(2))
        if rest in texts:
            found.add(texts[rest])
        return {i for i in found if i < n}
    whole = normalise(answer)
    if whole in texts:
        return {texts[whole]}
    for c in _LONE_CAPITAL.finditer(answer):
        following = answer[c.end() :].split(None, 1)
        word = following[0] if following and answer[c.end() : c.end() + 1].isspace() else ""
        if c.group(1) in "AI" and word[:1].islower() and word not in _CONJUNCTIONS:
            continue  # "A dog ...", "I think ...": an article or a pronoun, not an option
        found.add(_LETTERS.index(c.group(1)))
    if answer.isascii() or len(answer) < 200:
        found.update(i for t, i in texts.items() if t and len(t) > 2 and _contains_phrase(whole, t))
    return {i for i in found if i < n}


def _contains_phrase(text: str, phrase: str) -> bool:
    i = text.find(phrase)
    while i >= 0:
        before = text[i - 1] if i else " "
        j = i + len(phrase)
        after = text[j] if j < len(text) else " "
        if before == " " and after == " ":
            return True
        i = text.find(phrase, i + 1)
    return False


def gold_option(sample: Mapping[str, Any]) -> int | None:
    """The index of the correct option: the gold letter, or the gold text when it equals an option's text."""
    gold = gold_answer(sample)
    if gold is None:
        return None
    options = sample.get("options") or None
    m = _ONLY_LETTER.match(gold)
    if m:
        i = _LETTERS.index(m.group(1).upper())
        return i if options is None or i < len(options) else None
    if options:
        texts = {normalise(o): i for i, o in enumerate(options)}
        return texts.get(normalise(gold))
    return None


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
        letters = "".join(sorted(_LETTERS[i] for i in named))
        if not named:
            return zero(f"no option named in {answer[:80]!r}")
        if len(named) > 1:
            return zero(f"several options named: {letters}", parsed=letters)
        if gold in named:
            return Explanation(1.0, parsed=letters)
        return zero(f"named {letters}, gold is {_LETTERS[gold]}", parsed=letters)
