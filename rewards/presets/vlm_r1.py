"""VLM-R1 (Shen et al. 2025, github.com/om-ai-lab/VLM-R1, REC `iou_reward` of the Qwen2.5-VL module)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.rewards.base import check_choice, register
from vdata.rewards.presets.fast import FastPreset, Verdict, first_gold_box
from vdata.rewards.presets.time_r1 import first_answer_block
from vdata.tasks.boxes import COORD_SPACES, to_pixels

_BOX = re.compile(r"\[(\d+),\s*(\d+),\s*(\d+),\s*(\d+)]")


def vlm_r1_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """VLM-R1's IoU: the intersection uses inclusive pixel bounds (`x2 - 1`, `+ 1`), the union exclusive areas."""
    ix1, iy1 = max(a[0], b[0]), max(a[1], b[1])
    ix2, iy2 = min(a[2] - 1, b[2] - 1), min(a[3] - 1, b[3] - 1)
    inter = (ix2 - ix1 + 1) * (iy2 - iy1 + 1) if ix1 < ix2 and iy1 < iy2 else 0.0
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union != 0 else 0.0


@register("vlm-r1/iou")
@dataclass(frozen=True)
class VLMR1IoU(FastPreset):
    """VLM-R1's REC `iou_reward`. Quirks: the first `<answer>` block (case-sensitive tags) and in it the first
    `[x1, y1, x2, y2]` of non-negative integers only (`[10.5, ...]` is not read); the IoU mixes inclusive and
    exclusive pixel bounds (`vlm_r1_iou`), so an overlap one pixel wide or less counts as none; the value is
    clipped to [0, 1]. The gold is the sample's first box; `coord_space` maps the prediction first (VLM-R1's later
    `resize_bbox` is `coord_space="resized"`), scaled only and never clamped to the frame, as `resize_bbox` does
    (vdata's own `box_iou` clamps). Completions are judged whole, however long (the other rewards judge the last
    200,000 characters). Reads `boxes`, `width`, `height`. Range [0, 1].

    >>> s = {"task": "spatial_grounding", "width": 100, "height": 100,
    ...      "boxes": [{"x1": 10.0, "y1": 10.0, "x2": 20.0, "y2": 20.0}]}
    >>> VLMR1IoU()("<answer>[10, 10, 20, 20]</answer>", s), VLMR1IoU()("<answer>[10.0, 10, 20, 20]</answer>", s)
    (1.0, 0.0)
    """

    tasks = ("spatial_grounding",)
    fields = ("boxes", "width", "height")
    coord_space: str = "pixels"

    def __post_init__(self) -> None:
        check_choice("vlm-r1/iou", "coord_space", self.coord_space, COORD_SPACES)

    def verdict(self, completion: str, sample: Mapping[str, Any]) -> Verdict:
        gold, why = first_gold_box(sample)
        if gold is None:
            return None, why, None, None
        block = first_answer_block(completion)  # `re.search(r"<answer>(.*?)</answer>", DOTALL)`, in linear time
        box = _BOX.search(block) if block is not None else None
        if box is None:
            return 0.0, "no integer [x1, y1, x2, y2] in the first answer block", None, None
        x1, y1, x2, y2 = pred = (float(box[1]), float(box[2]), float(box[3]), float(box[4]))
        if not (math.isfinite(x1) and math.isfinite(y1) and math.isfinite(x2) and math.isfinite(y2)):
            return 0.0, "a coordinate is beyond the float range", box.group(0)[:80], None
        if self.coord_space != "pixels":
            mapped = to_pixels(pred, self.coord_space, sample, clamp=False)  # type: ignore[arg-type]
            if mapped is None:
                return None, f"cannot map coord_space={self.coord_space!r} without the frame size", None, None
            pred = mapped
        return max(0.0, min(1.0, vlm_r1_iou(pred, gold))), None, pred, None
