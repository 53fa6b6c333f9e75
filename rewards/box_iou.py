"""`box_iou` (spatial grounding), and `BoxReward`, the base of every box reward.

Gold boxes are pixels of the original video (schema v1); a predicted box is mapped from its `coord_space`
(`pixels`, `resized`, `norm1`, `norm1000`) to those pixels and clamped to the frame (`vdata.tasks.boxes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import AnswerReward, missing
from vdata.rewards.base import Explanation, check_choice, not_applicable, register, zero
from vdata.tasks.boxes import COORD_SPACES, MissingFrameSize, box_giou, read_gold_boxes
from vdata.tasks.parsing import Box, ParseError
from vdata.tasks.spans import read_gold_spans
from vdata.tasks.spatial_grounding import boxes_iou


@dataclass(frozen=True)
class BoxReward(AnswerReward):
    """Shared option: the `coord_space` of predicted boxes (`pixels`, `resized`, `norm1`, `norm1000`)."""

    coord_space: str = "pixels"

    def __post_init__(self) -> None:
        check_choice(self.name, "coord_space", self.coord_space, COORD_SPACES)

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        """`judge_boxes`, with the task layer's errors turned into verdicts: no gold is None, an unreadable
        answer is 0, an unknown frame size is None, and so is a gold that cannot be read (`read_gold_boxes`,
        and `read_gold_spans` for rewards that read `spans`)."""
        gold, why = read_gold_boxes(sample)
        if why:
            return not_applicable(why)
        if "spans" in self.fields and sample.get("spans") is not None:
            _, why = read_gold_spans(sample)
            if why and why != "sample has no spans":
                return not_applicable(why)
        try:
            return self.judge_boxes(answer, sample, [box for box, _, _ in gold])
        except LookupError as e:
            return missing(str(e.args[0]))
        except MissingFrameSize as e:
            return missing(str(e))
        except ParseError as e:
            return zero(str(e))

    def judge_boxes(self, answer: str, sample: Mapping[str, Any], gold: list[Box]) -> Explanation:
        """The verdict on `answer`; `gold`: the sample's gold boxes as `read_gold_boxes` read them (pixels),
        not empty."""
        raise NotImplementedError


@register("box_iou")
@dataclass(frozen=True)
class BoxIoU(BoxReward):
    """IoU between predicted and gold boxes, matched one to one (greedy by IoU), summed and divided by
    `max(#predicted, #gold)`: one box for one object is plain IoU, and extra boxes cost reward.

    Boxes are parsed by `parsing.parse_boxes` (`[x1, y1, x2, y2]`, JSON `bbox_2d`...). `giou=True` scores
    `(GIoU + 1) / 2` instead, so non-overlapping boxes still get a gradient. Reads `boxes`, `width`, `height`
    (and `frames` or `frame_width`/`frame_height` for `coord_space="resized"`). Range [0, 1]; None without gold
    boxes or frame size. Judges `spatial_grounding`.

    >>> s = {"task": "spatial_grounding", "width": 200, "height": 100,
    ...      "boxes": [{"x1": 20.0, "y1": 10.0, "x2": 60.0, "y2": 50.0}]}
    >>> BoxIoU()("<answer>[20, 10, 60, 50]</answer>", s), BoxIoU(coord_space="norm1")("<answer>[0.1, 0.1, 0.3, 0.5]</answer>", s)
    (1.0, 1.0)
    """

    tasks = ("spatial_grounding",)
    fields = ("boxes", "width", "height")
    giou: bool = False

    def judge_boxes(self, answer: str, sample: Mapping[str, Any], gold: list[Box]) -> Explanation:
        value, boxes = boxes_iou(answer, sample, self.coord_space, _half_giou if self.giou else None, gold)
        return Explanation(value, parsed=boxes)


def _half_giou(a: Box, b: Box) -> float:
    return (box_giou(a, b) + 1.0) / 2.0
