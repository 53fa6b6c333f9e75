"""`multiple_choice`: pick one of the sample's `options`; the gold `answer` is a letter (or an option's text).

How an answer names an option is lenient (`B`, `(b)`, `Option B`, `B. text`, the text alone); which option it
names is strict: naming two options is no answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from vdata.tasks.base import Scored, Task, gold_answer, register
from vdata.tasks.parsing import ParseError
from vdata.tasks.text import normalise

#: Option letters, `A` for `options[0]`.
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
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
    n = len(options) if options else len(LETTERS)
    answer = answer.strip()
    m = _ONLY_LETTER.match(answer)
    if m:
        i = LETTERS.index(m.group(1).upper())
        return {i} if i < n else set()
    texts = {normalise(o): i for i, o in enumerate(options or [])}
    found: set[int] = set()
    m = _LETTER_TEXT.match(answer)
    if m and (options is None or normalise(m.group(2)) in texts or m.group(1).isupper()):
        found.add(LETTERS.index(m.group(1).upper()))
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
        found.add(LETTERS.index(c.group(1)))
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
        i = LETTERS.index(m.group(1).upper())
        return i if options is None or i < len(options) else None
    if options:
        texts = {normalise(o): i for i, o in enumerate(options)}
        return texts.get(normalise(gold))
    return None


def named_option(answer: str, options: Sequence[str] | None) -> int:
    """The one option `answer` names; `ParseError` when it names none or several.

    >>> named_option("(b)", ["cat", "dog"])
    1
    """
    named = named_options(answer, options)
    if not named:
        raise ParseError(f"no option named in {answer[:80]!r}")
    if len(named) > 1:
        letters = "".join(sorted(LETTERS[i] for i in named))
        raise ParseError(f"several options named: {letters}")
    return next(iter(named))


@register("multiple_choice")
class MultipleChoice(Task):
    """The answer names one option. Gold: `answer` (a letter, or an option's text) and `options` (texts
    without letters). Metric: accuracy. SFT target: the gold letter.

    >>> task = MultipleChoice()
    >>> s = {"answer": "B", "options": ["a cat", "a dog"]}
    >>> task.parse("a dog", s), task.target(s), task.score("B.", s).values
    (1, 'B', {'accuracy': 1.0})
    """

    gold_fields = ("answer",)
    reward = "multiple_choice"
    question_answering = True
    metrics = ("accuracy",)
    discrete = True

    def parse(self, answer: str, sample: Mapping[str, Any]) -> int:
        return named_option(answer, sample.get("options") or None)

    def target(self, sample: Mapping[str, Any]) -> str | None:
        gold = gold_option(sample)
        return None if gold is None else LETTERS[gold]

    def score(self, answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
        gold = gold_option(sample)
        if gold is None:
            return None
        named = named_options(answer, sample.get("options") or None)
        letters = "".join(sorted(LETTERS[i] for i in named))
        if named == {gold}:
            return Scored({"accuracy": 1.0})
        if not named:
            return Scored({"accuracy": 0.0}, True, f"no option named in {answer[:80]!r}")
        if len(named) > 1:
            return Scored({"accuracy": 0.0}, False, f"several options named: {letters}")
        return Scored({"accuracy": 0.0}, False, f"named {letters}, gold is {LETTERS[gold]}")

    def vote_key(self, parsed: int) -> str:
        return LETTERS[parsed]
