"""`spatiotemporal_iou`: HC-STVG's vIoU of a predicted tube (rules in `vdata.tasks.spatiotemporal_grounding`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import Explanation, check_choice, register
from vdata.rewards.box_iou import BoxReward
from vdata.tasks.parsing import Box
from vdata.tasks.spatiotemporal_grounding import tube


@register("spatiotemporal_iou")
@dataclass(frozen=True)
class SpatiotemporalIoU(BoxReward):
    """vIoU as HC-STVG defines it (`vdata.tasks.spatiotemporal_grounding.tube`): the sum of per-frame box IoU over
    frames inside both the predicted and the gold tube, divided by the number of frames in the union of their
    time extents.

    Frames are the sample's keyframes (`frame_timestamps_s`, else the gold box times). The answer gives a span
    and timed boxes, e.g. `{"span": [2, 6], "boxes": [{"time": 2.5, "bbox_2d": [..]}, ...]}` or
    `2.0 to 6.0; 2.5s: [x1, y1, x2, y2] ...` (a plain-text span comes before the first box); without a span the
    tube spans its box times. A predicted box is
    matched to the keyframe nearest its time, within half a frame interval; a frame in both tubes with no
    predicted box counts IoU 0. The gold extent is `spans[0]`, else the gold box times.
    `mode="additive"` scores `0.5 * tIoU + 0.5 * mean IoU over the frames in both`. Reads `boxes`, `spans`,
    `frame_timestamps_s`, `width`, `height`. Range [0, 1]; None without timed gold boxes.
    Judges `spatiotemporal_grounding`.
    """

    tasks = ("spatiotemporal_grounding",)
    fields = ("boxes", "spans", "frame_timestamps_s", "width", "height")
    mode: str = "viou"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice(self.name, "mode", self.mode, ("viou", "additive"))

    def judge_boxes(self, answer: str, sample: Mapping[str, Any], gold: list[Box]) -> Explanation:
        t = tube(answer, sample, self.coord_space)
        value = t.viou if self.mode == "viou" else 0.5 * t.tiou + 0.5 * t.mean_iou
        parts = {"viou": t.viou, "tiou": t.tiou, "mean_iou": t.mean_iou}
        return Explanation(value, parts, parsed={"span": t.span, "boxes": t.boxes})
