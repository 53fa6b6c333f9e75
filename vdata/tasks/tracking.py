"""`tracking`: where is the object at each keyframe? The gold is timed `boxes` (pixels of the original video)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vdata.tasks.base import Scored, Task, register
from vdata.tasks.boxes import MissingFrameSize, box_iou, gold_boxes, read_boxes, tolerance
from vdata.tasks.parsing import Box, ParseError, parse_boxes
from vdata.tasks.spatiotemporal_grounding import timed_boxes_text


def track_iou(answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> tuple[float, list[Any]]:
    """(mean IoU in [0, 1] over the gold boxes, the predicted `(time_s, box)` pairs): each gold box is compared
    with the predicted box nearest its time (within half a keyframe interval); a gold frame with no predicted
    box counts 0. Raises `LookupError` without timed gold boxes, `ParseError`, `MissingFrameSize`.

    >>> s = {"width": 100, "height": 100, "frame_timestamps_s": [0.0, 1.0],
    ...      "boxes": [{"timestamp_s": 0.0, "x1": 0.0, "y1": 0.0, "x2": 10.0, "y2": 10.0},
    ...                {"timestamp_s": 1.0, "x1": 5.0, "y1": 0.0, "x2": 15.0, "y2": 10.0}]}
    >>> track_iou("0.0s: [0, 0, 10, 10]", s)[0]
    0.5
    """
    gold = [(b, t) for b, t, _ in gold_boxes(sample) if t is not None]
    if not gold:
        raise LookupError("boxes with timestamp_s")
    timed = [p for p in read_boxes(answer, sample, coord_space) if p.time_s is not None]
    grid = [float(t) for t in sample.get("frame_timestamps_s") or []] or [t for _, t in gold]
    tol = tolerance(grid)
    ious = []
    for box, t in gold:
        near = [p for p in timed if abs(p.time_s - t) <= tol]  # type: ignore[operator]
        ious.append(max((box_iou(p.box, box) for p in near), default=0.0))
    return sum(ious) / len(ious), [(p.time_s, p.box) for p in timed]


@register("tracking")
class Tracking(Task):
    """The answer is timed boxes `T.TTs: [x1, y1, x2, y2]; ...`. Metric: mIoU over the gold frames. SFT target:
    the gold boxes with their times. Votes compare first boxes by IoU."""

    gold_fields = ("boxes",)
    reward = "tracking"
    metrics = ("mIoU",)

    def parse(self, answer: str, sample: Mapping[str, Any]) -> Box:
        return parse_boxes(answer)[0].box

    def target(self, sample: Mapping[str, Any]) -> str | None:
        return timed_boxes_text(gold_boxes(sample)) or None

    def score(self, answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
        try:
            value, _ = track_iou(answer, sample, coord_space)
        except (LookupError, MissingFrameSize):
            return None
        except ParseError as e:
            return Scored({"mIoU": 0.0}, True, str(e))
        return Scored({"mIoU": value})

    def similarity(self, a: Box, b: Box) -> float:
        return box_iou(a, b)
