"""Time-R1 (Wang et al. 2025, github.com/xiaomi-research/time-r1, `main.py`) temporal grounding rewards.

Read from the paper's code: the last `<answer>(.*?)</answer>` block (case-sensitive tags), in it the last match
of `(\\d+\\.?\\d*) (to|and) (\\d+\\.?\\d*)` (case-insensitive, single spaces); the gold is the sample's first span.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import register
from vdata.rewards.presets.fast import FastPreset, Verdict, first_gold_span
from vdata.rewards.presets.video_r1 import think_answer_fullmatch
from vdata.tasks.parsing import finite_number

# Same language as Time-R1's `\d+\.?\d*`, written so that it cannot backtrack quadratically: `(?<!\d)` skips
# starts inside a digit run (a match starting inside a run implies one at the run's start, which findall tries
# first, so the matches are the same).
_PAIR = re.compile(r"(?<!\d)(\d+(?:\.\d*)?) (to|and) (\d+(?:\.\d*)?)", re.IGNORECASE)
_NO_PAIR = "no 'A to B' in the last answer block"
_BEYOND = "a time is beyond the float range"


def answer_blocks(text: str) -> list[str]:
    """`re.findall(r"<answer>(.*?)</answer>", text, re.DOTALL)` in linear time (the regex retries from every
    `<answer>`, quadratic on `"<answer>" * 50_000`): each block runs from an `<answer>` to the first `</answer>`
    after it, and the next search starts after that `</answer>`."""
    blocks = []
    at = 0
    while True:
        i = text.find("<answer>", at)
        j = text.find("</answer>", i + len("<answer>")) if i >= 0 else -1
        if j < 0:
            return blocks
        blocks.append(text[i + len("<answer>") : j])
        at = j + len("</answer>")


def last_answer_block(text: str) -> str | None:
    """`answer_blocks(text)[-1]` (None when there is none) without building the list."""
    last = None
    at = 0
    while True:
        i = text.find("<answer>", at)
        j = text.find("</answer>", i + 8) if i >= 0 else -1
        if j < 0:
            return last
        last = text[i + 8 : j]
        at = j + 9


def first_answer_block(text: str) -> str | None:
    """`answer_blocks(text)[0]`, None when there is none: `re.search(r"<answer>(.*?)</answer>", DOTALL)`. The
    first `<answer>` and the first `</answer>` after it; when that `<answer>` has none after it, no later one has.

    >>> first_answer_block("<answer>a<answer>b</answer><answer>c</answer>"), first_answer_block("<answer>")
    ('a<answer>b', None)
    """
    i = text.find("<answer>")
    j = text.find("</answer>", i + 8) if i >= 0 else -1
    return text[i + 8 : j] if j >= 0 else None


def parse_time_r1(text: str) -> tuple[float, float] | None:
    """Time-R1's `parse_timestamp_output`: the last `A to B` / `A and B` of the last answer block.

    >>> parse_time_r1("<answer>1 to 2</answer><answer>3 AND 4.5, 5 to 6</answer>"), parse_time_r1("<answer>3-4</answer>")
    ((5.0, 6.0), None)
    """
    block = last_answer_block(text)
    if block is None:
        return None
    lower = block.lower()  # a match holds " to " or " and " in some case: most blocks without need no regex
    if " to " not in lower and " and " not in lower:
        return None
    pairs = _PAIR.findall(block)
    if not pairs:
        return None
    start, _, end = pairs[-1]
    return float(start), float(end)


def _iou(pred: tuple[float, float], gold: tuple[float, float]) -> float:
    """Time-R1's IoU of two spans, 0 where its code would divide by a zero union (conditionals, not min/max
    calls: the same values, in a reward's hot loop).

    >>> _iou((10.0, 30.0), (10.0, 20.0)), _iou((5.0, 5.0), (5.0, 5.0))
    (0.5, 0.0)
    """
    (ps, pe), (gs, ge) = pred, gold
    inter = (pe if pe < ge else ge) - (ps if ps > gs else gs)
    union = (pe if pe > ge else ge) - (ps if ps < gs else gs)
    return (inter if inter > 0.0 else 0.0) / union if union > 0 else 0.0


@register("time-r1/iou")
@dataclass(frozen=True)
class TimeR1IoU(FastPreset):
    """Time-R1's `iou_timestamp_reward`. Quirks: no clamping to the video; negative numbers and `mm:ss` are not
    read (`00:12 to 00:20` parses as 12 to 0, a reversed span, which scores 0); `12.5-20` is not read; where
    the paper's code crashes (zero-length union) this gives 0. Reads `spans`. Range [0, 1].

    >>> s = {"task": "temporal_grounding", "spans": [{"start_s": 10.0, "end_s": 20.0}]}
    >>> TimeR1IoU()("<answer>10 to 20</answer>", s), TimeR1IoU()("<answer>10-20</answer>", s)
    (1.0, 0.0)
    """

    tasks = ("temporal_grounding",)
    fields = ("spans",)

    def verdict(self, completion: str, sample: Mapping[str, Any]) -> Verdict:
        gold, why = first_gold_span(sample)
        if gold is None:
            return None, why, None, None
        pred = parse_time_r1(completion)
        if pred is None:
            return 0.0, _NO_PAIR, None, None
        if (pred[0] + pred[1]) * 0.0 != 0.0 and not (math.isfinite(pred[0]) and math.isfinite(pred[1])):
            return 0.0, _BEYOND, pred, None
        value = _iou(pred, gold)
        return value, None, pred, {"iou": value}


@register("time-r1/iou_weighted")
@dataclass(frozen=True)
class TimeR1IoUWeighted(FastPreset):
    """Time-R1's `iou_timestamp_reward_v2`: `IoU * (1 - |gs/D - ps/D|) * (1 - |ge/D - pe/D|)`, D = `duration_s`.

    Quirk kept: the factors are not clamped, so a prediction ending far past the video can score below 0
    (down to -(reward) when an endpoint is more than one duration off). Reads `spans`, `duration_s`.
    Range [-1, 1]; None without spans or duration.

    >>> s = {"task": "temporal_grounding", "spans": [{"start_s": 10.0, "end_s": 20.0}], "duration_s": 10.0}
    >>> TimeR1IoUWeighted()("<answer>15 to 50</answer>", s) < 0
    True
    """

    tasks = ("temporal_grounding",)
    fields = ("spans", "duration_s")
    value_range = (-1.0, 1.0)

    def verdict(self, completion: str, sample: Mapping[str, Any]) -> Verdict:
        gold, why = first_gold_span(sample)
        if gold is None:
            return None, why, None, None
        duration = sample.get("duration_s")
        if not (type(duration) is float and duration * 0.0 == 0.0 and duration > 0):  # else the general reader
            duration = finite_number(duration)
            if not duration or duration <= 0:
                return None, "sample has no duration_s", None, None
        pred = parse_time_r1(completion)
        if pred is None:
            return 0.0, _NO_PAIR, None, None
        if (pred[0] + pred[1]) * 0.0 != 0.0 and not (math.isfinite(pred[0]) and math.isfinite(pred[1])):
            return 0.0, _BEYOND, pred, None
        d, (gs, ge) = float(duration), gold
        iou = _iou(pred, gold)
        value = iou * (1 - abs(gs / d - pred[0] / d)) * (1 - abs(ge / d - pred[1] / d))
        return max(-1.0, min(1.0, value)), None, pred, {"iou": iou}


@register("time-r1/format")
@dataclass(frozen=True)
class TimeR1Format(FastPreset):
    """Time-R1's `format_reward`: Video-R1's full match, on the stripped text (outer whitespace allowed).

    >>> TimeR1Format()(" <think>x</think> <answer>1 to 2</answer>\\n", {})
    1.0
    """

    def verdict(self, completion: str, sample: Mapping[str, Any]) -> Verdict:
        return (1.0 if think_answer_fullmatch(completion.strip()) else 0.0), None, None, None
