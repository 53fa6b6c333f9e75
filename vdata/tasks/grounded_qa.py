"""`grounded_qa`: answer a question AND give the span that shows the evidence (NExT-GQA). Gold: `answer`
(with `options`, or a number, or text) and `spans` (seconds)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from vdata.tasks.base import Scored, Task, gold_answer, register
from vdata.tasks.metrics import GQA_THRESHOLDS, at_least, gqa_iou_iop
from vdata.tasks.multiple_choice import LETTERS, gold_option, named_options
from vdata.tasks.parsing import _SPAN, ParseError, parse_number
from vdata.tasks.spans import Span, format_span, gold_spans, pair_iou, read_spans
from vdata.tasks.text import normalise


def answer_correct(answer: str, sample: Mapping[str, Any]) -> bool | None:
    """Whether `answer` is the sample's answer: by option when the sample has options or a letter gold, as a
    number when the gold is one, else by normalised text. None when the sample has no answer."""
    gold = gold_answer(sample)
    if gold is None:
        return None
    if sample.get("options"):
        index = gold_option(sample)
        return None if index is None else named_options(answer, sample.get("options")) == {index}
    try:
        gold_value = parse_number(gold).value
    except ParseError:
        return normalise(answer) == normalise(gold)
    try:
        return abs(parse_number(answer).value - gold_value) <= 1e-9 * max(1.0, abs(gold_value))
    except ParseError:
        return False


def split_answer(answer: str) -> tuple[str, str]:
    """(answer text, span text) from a grounded answer, JSON or plain, in any order.

    >>> split_answer("B, 12.5 to 20.0")
    ('B', 'B, 12.5 to 20.0')
    """
    stripped = answer.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            lowered = {str(k).lower(): v for k, v in data.items()}
            text = str(lowered.get("answer", lowered.get("choice", "")))
            rest = {k: v for k, v in lowered.items() if k not in ("answer", "choice")}
            return text, json.dumps(rest.get("span", rest.get("spans", rest)))
    spans = list(_SPAN.finditer(answer))
    if not spans:
        return answer, answer
    text = "".join(answer[a:b] for a, b in gaps(spans, len(answer)))
    return text.strip(" \t\n,;:-[]()"), answer


def gaps(matches: list, n: int) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in matches:
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, n))
    return out


@register("grounded_qa")
class GroundedQA(Task):
    """The answer block holds the answer and its evidence span, in any order: `B, 12.5 to 20.0`,
    `[12.5, 20.0] B` or JSON `{"answer": "B", "span": [12.5, 20.0]}`. Metrics (NExT-GQA's `eval_ground.py`):
    Acc@QA, Acc@GQA (correct and IoP >= 0.5), mIoP, IoP@{0.3, 0.5}, mIoU, IoU@{0.3, 0.5} of the first span.
    SFT target: `ANSWER, START - END` (gold answer, first gold span). Votes: same answer, then span IoU.

    >>> s = {"answer": "A", "options": ["he waves", "he sits"], "spans": [{"start_s": 2.0, "end_s": 6.0}]}
    >>> GroundedQA().target(s), GroundedQA().score("A, 2 to 6", s).values["Acc@GQA"]
    ('A, 2.00 - 6.00', 1.0)
    """

    gold_fields = ("answer", "spans")
    reward = "grounded_qa"
    question_answering = True
    metrics = (
        "Acc@QA", "Acc@GQA", "mIoP", *(f"IoP@{t}" for t in GQA_THRESHOLDS),
        "mIoU", *(f"IoU@{t}" for t in GQA_THRESHOLDS),
    )
    headline = "Acc@GQA"
    curves = ("mIoP", "mIoU")

    def parse(self, answer: str, sample: Mapping[str, Any]) -> tuple[Any, Span]:
        """(the option index named, or the normalised answer text without options; the first span)."""
        text, span_text = split_answer(answer)
        options = sample.get("options") or None
        if options:
            named = named_options(text, options)
            choice: Any = next(iter(named)) if len(named) == 1 else None
        else:
            choice = normalise(text)
        return choice, read_spans(span_text, sample)[0]

    def target(self, sample: Mapping[str, Any]) -> str | None:
        gold, spans = gold_answer(sample), gold_spans(sample)
        if gold is None or not spans:
            return None
        if sample.get("options"):
            index = gold_option(sample)
            gold = None if index is None else LETTERS[index]
        return None if gold is None else f"{gold}, {format_span(spans[0])}"

    def score(self, answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
        gold = gold_spans(sample)
        if not gold:
            return None
        text, span_text = split_answer(answer)
        correct = answer_correct(text, sample)
        if correct is None:
            return None
        try:
            pred, error = read_spans(span_text, sample)[0], None
            iou, iop = gqa_iou_iop(pred, gold)
        except ParseError as e:
            error, iou, iop = str(e), 0.0, 0.0
        values = {"Acc@QA": float(correct), "Acc@GQA": float(correct) * at_least(iop, 0.5), "mIoP": iop}
        values.update({f"IoP@{t}": at_least(iop, t) for t in GQA_THRESHOLDS})
        values["mIoU"] = iou
        values.update({f"IoU@{t}": at_least(iou, t) for t in GQA_THRESHOLDS})
        return Scored(values, error is not None, error)

    def similarity(self, a: tuple[Any, Span], b: tuple[Any, Span]) -> float:
        return pair_iou(a[1], b[1]) if a[0] == b[0] else 0.0
