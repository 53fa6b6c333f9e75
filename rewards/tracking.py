"""`tracking`: mean box IoU over the gold keyframes (rules in `vdata.tasks.tracking`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import Explanation, register
from vdata.rewards.box_iou import BoxReward
from vdata.tasks.parsing import Box
from vdata.tasks.tracking import track_iou


@register("tracking")
@dataclass(frozen=True)
class Tracking(BoxReward):
    """Mean IoU over the gold boxes: each gold box is compared with the predicted box nearest its time (within
    half a keyframe interval); a gold frame with no predicted box counts 0.

    Reads `boxes`, `frame_timestamps_s`, `width`, `height`. Range [0, 1]; None without timed gold boxes.
    Judges `tracking`.

    >>> s = {"task": "tracking", "width": 100, "height": 100, "frame_timestamps_s": [0.0, 1.0],
    ...      "boxes": [{"timestamp_s": 0.0, "x1": 0.0, "y1": 0.0, "x2": 10.0, "y2": 10.0},
    ...                {"timestamp_s": 1.0, "x1": 5.0, "y1": 0.0, "x2": 15.0, "y2": 10.0}]}
    >>> Tracking()("<answer>0.0s: [0, 0, 10, 10]</answer>", s)
    0.5
    """

    tasks = ("tracking",)
    fields = ("boxes", "frame_timestamps_s", "width", "height")

    def judge_boxes(self, answer: str, sample: Mapping[str, Any], gold: list[Box]) -> Explanation:
        value, parsed = track_iou(answer, sample, self.coord_space)
        return Explanation(value, parsed=parsed)
