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

from vdata.rewards.base import Explanation, Reward, not_applicable, register, zero
from vdata.rewards.presets.video_r1 import think_answer_fullmatch
from vdata.tasks.parsing import finite_number
from vdata.tasks.spans import read_gold_spans

# Same language as Time-R1's `\d+\.?\d*`, written so that it cannot backtrack quadratically: `(?<!\d)` skips
# starts inside a digit run (a match starting inside a run implies one at the run's start, which findall tries
# first, so the matches are the same).
_PAIR = re.compile(r"(?<!\d)(\d+(?:\.\d*)?) (to|and) (\d+(?:\.\d*)?)", re.IGNORECASE)


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


def parse_time_r1(text: str) -> tuple[float, float] | None:
    """Time-R1's `parse_timestamp_output`: the last `A to B` / `A and B` of the last answer block."""
    blocks = answer_blocks(text)
    if not blocks:
        return None
    pairs = _PAIR.findall(blocks[-1])
    if not pairs:
        return None
    return float(pairs[-1][0]), float(pairs[-1][2])


def _iou(pred: tuple[float, float], gold: tuple[float, float]) -> float:
    inter = max(0.0, min(pred[1], gold[1]) - max(pred[0], gold[0]))
    union = max(pred[1], gold[1]) - min(pred[0], gold[0])
    return inter / union if union > 0 else 0.0


@register("time-r1/iou")
@dataclass(frozen=True)
class TimeR1IoU(Reward):
    """Time-R1's `iou_timestamp_reward`. Quirks: no clamping to the video; negative numbers and `mm:ss` are not
    read (`00:12 to 00:20` parses as 12 to 0, a reversed span, which scores 0); `12.5-20` is not read; where
    the paper's code crashes (zero-length union) this gives 0. Reads `spans`. Range [0, 1].

    >>> s = {"task": "temporal_grounding", "spans": [{"start_s": 10.0, "end_s": 20.0}]}
    >>> TimeR1IoU()("<answer>10 to 20</answer>", s), TimeR1IoU()("<answer>10-20</answer>", s)
    (1.0, 0.0)
    """

    keeps_whole_text = True  # judged whole, as the paper's code does (no tail cut)
    tasks = ("temporal_grounding",)
    fields = ("spans",)

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        gold, why = read_gold_spans(sample)
        if why:
            return not_applicable(why)
        pred = parse_time_r1(completion)
        if pred is None:
            return zero("no 'A to B' in the last answer block")
        if not all(math.isfinite(t) for t in pred):
            return zero("a time is beyond the float range", parsed=pred)
        value = _iou(pred, gold[0])
        return Explanation(value, {"iou": value}, parsed=pred)


@register("time-r1/iou_weighted")
@dataclass(frozen=True)
class TimeR1IoUWeighted(Reward):
    """Time-R1's `iou_timestamp_reward_v2`: `IoU * (1 - |gs/D - ps/D|) * (1 - |ge/D - pe/D|)`, D = `duration_s`.

    Quirk kept: the factors are not clamped, so a prediction ending far past the video can score below 0
    (down to -(reward) when an endpoint is more than one duration off). Reads `spans`, `duration_s`.
    Range [-1, 1]; None without spans or duration.

    >>> s = {"task": "temporal_grounding", "spans": [{"start_s": 10.0, "end_s": 20.0}], "duration_s": 10.0}
    >>> TimeR1IoUWeighted()("<answer>15 to 50</answer>", s) < 0
    True
    """

    keeps_whole_text = True  # judged whole, as the paper's code does (no tail cut)
    tasks = ("temporal_grounding",)
    fields = ("spans", "duration_s")
    value_range = (-1.0, 1.0)

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        gold, why = read_gold_spans(sample)
        duration = finite_number(sample.get("duration_s"))
        if why:
            return not_applicable(why)
        if not duration or duration <= 0:
            return not_applicable("sample has no duration_s")
        pred = parse_time_r1(completion)
        if pred is None:
            return zero("no 'A to B' in the last answer block")
        if not all(math.isfinite(t) for t in pred):
            return zero("a time is beyond the float range", parsed=pred)
        d, (gs, ge) = float(duration), gold[0]
        iou = _iou(pred, gold[0])
        value = iou * (1 - abs(gs / d - pred[0] / d)) * (1 - abs(ge / d - pred[1] / d))
        return Explanation(max(-1.0, min(1.0, value)), {"iou": iou}, parsed=pred)


@register("time-r1/format")
@dataclass(frozen=True)
class TimeR1Format(Reward):
    """Time-R1's `format_reward`: Video-R1's full match, on the stripped text (outer whitespace allowed).

    >>> TimeR1Format()(" <think>x</think> <answer>1 to 2</answer>\\n", {})
    1.0
    """

    keeps_whole_text = True  # judged whole, as the paper's code does (no tail cut)

    def judge(self, completion: str, sample: Mapping[str, Any]) -> Explanation:
        return Explanation(1.0 if think_answer_fullmatch(completion.strip()) else 0.0)
