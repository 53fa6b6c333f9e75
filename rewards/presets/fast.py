"""The presets' fast path: a value without an `Explanation`, as a trainer calls a reward thousands of times a step.

`first_gold_span` reads the schema's own form of one gold span directly and hands every other form to the task
layer's reader, with the same result; `first_gold_box` is the task layer's `read_gold_boxes`, which reads the
schema's own form of boxes that way itself.

A `FastPreset` computes one `Verdict` tuple, `(value, error, parsed, components)`: `judge` (what `explain` and the
adapters' diagnostics use) wraps it in an `Explanation`; `__call__` returns its value directly, after the same
guards as `Reward.explain` (a `str` completion, a `dict` sample, a task the preset judges), and hands anything
else to `explain`. Both paths run the same `verdict`, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vdata.rewards.base import Explanation, Reward
from vdata.tasks.boxes import read_gold_boxes
from vdata.tasks.parsing import Box
from vdata.tasks.spans import Span, read_gold_spans

#: `(value, error, parsed, components)`: the fields of an `Explanation`, components None when there are none.
Verdict = tuple[float | None, str | None, Any, dict[str, float] | None]


class FastPreset(Reward):
    """Base of the presets: subclasses implement `verdict`; judged whole (`keeps_whole_text`), as the papers do.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Half(FastPreset):
    ...     def verdict(self, completion, sample):
    ...         return 0.5, None, completion, None
    >>> Half()("x", {}), Half().explain("x", {}).parsed, Half()(None, {})
    (0.5, 'x', 0.0)
    """

    keeps_whole_text = True  # judged whole, as the papers' code does (no tail cut)

    def verdict(self, completion: str, sample: Mapping[str, Any]) -> Verdict:
        raise NotImplementedError

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        value, error, parsed, components = self.verdict(completion, sample)
        return Explanation(value, {} if components is None else components, parsed, error)

    def __call__(self, completion: str, sample: Mapping[str, Any]) -> float | None:
        if type(completion) is str and type(sample) is dict and (not self.tasks or sample.get("task") in self.tasks):
            return self.verdict(completion, sample)[0]
        return self.explain(completion, sample).value


def first_gold_span(sample: Mapping[str, Any]) -> tuple[Span | None, str | None]:
    """`(first gold span, None)` or `(None, reason)`, as `read_gold_spans` gives them. The schema's form of one
    span (a list of one dict of float seconds, finite, start <= end) is read here in a few comparisons; any other
    form goes to `read_gold_spans` (tests/rewards/test_preset_parity.py checks that the two agree).

    >>> first_gold_span({"spans": [{"start_s": 1.0, "end_s": 2.0}]}), first_gold_span({"spans": [[1, 2]]})
    (((1.0, 2.0), None), ((1.0, 2.0), None))
    """
    spans = sample.get("spans")
    if type(spans) is list and len(spans) == 1 and type(spans[0]) is dict:
        start, end = spans[0].get("start_s"), spans[0].get("end_s")
        # `(a + b) * 0.0 == 0.0` is false for NaN and infinity (and for sums past the float range: read below)
        if type(start) is float and type(end) is float and (start + end) * 0.0 == 0.0 and start <= end:
            return (start, end), None
    gold, why = read_gold_spans(sample)
    return (gold[0] if gold else None), why


def first_gold_box(sample: Mapping[str, Any]) -> tuple[Box | None, str | None]:
    """`(first gold box, None)` or `(None, reason)`, as `read_gold_boxes` gives them (which reads the schema's own
    form in a few comparisons itself).

    >>> first_gold_box({"boxes": [{"x1": 0.0, "y1": 0.0, "x2": 4.0, "y2": 2.0, "timestamp_s": None}]})
    ((0.0, 0.0, 4.0, 2.0), None)
    """
    gold, why = read_gold_boxes(sample)
    return (gold[0][0] if gold else None), why
