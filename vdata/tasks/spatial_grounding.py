"""`spatial_grounding`: where is the described object? The gold is `boxes` (pixels of the original video)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vdata.tasks.base import Scored, Task, register
from vdata.tasks.boxes import MissingFrameSize, box_iou, format_box, gold_boxes, matched_iou, read_boxes
from vdata.tasks.metrics import at_least
from vdata.tasks.parsing import Box, ParseError, parse_boxes


def boxes_iou(
    answer: str, sample: Mapping[str, Any], coord_space: str = "pixels", metric: Any = None,
    gold: list[Box] | None = None,
) -> tuple[float, list[Box]]:
    """(IoU (or `metric`) of the predicted boxes with the gold boxes, the predicted boxes in pixels): boxes matched one to one (greedy), summed and
    divided by `max(#predicted, #gold)`, in [0, 1]: one box for one object is plain IoU, extra boxes cost.
    `gold`: the sample's gold boxes when the caller has read them already (`read_gold_boxes`), else read here.

    Raises `ParseError` (no box), `MissingFrameSize`, and `LookupError` when the sample has no gold boxes.

    >>> s = {"width": 200, "height": 100, "boxes": [{"x1": 20.0, "y1": 10.0, "x2": 60.0, "y2": 50.0}]}
    >>> boxes_iou("[20, 10, 60, 50]", s)[0], boxes_iou("[0.1, 0.1, 0.3, 0.5]", s, "norm1")[0]
    (1.0, 1.0)
    """
    gold = [g[0] for g in gold_boxes(sample)] if gold is None else gold
    if not gold:
        raise LookupError("boxes")
    pred = [p.box for p in read_boxes(answer, sample, coord_space)]
    metric = metric or box_iou
    total = metric(pred[0], gold[0]) if len(pred) == len(gold) == 1 else matched_iou(pred, gold, metric)
    return total / max(len(pred), len(gold)), pred


@register("spatial_grounding")
class SpatialGrounding(Task):
    """The answer is one box per object, `[x1, y1, x2, y2]` or JSON `bbox_2d`, in the `coord_space` the model
    writes. Metrics: mIoU and Acc@0.5. SFT target: the gold boxes in original-video pixels. Votes compare first
    boxes by IoU.

    >>> s = {"width": 200, "height": 100, "boxes": [{"x1": 20.0, "y1": 10.0, "x2": 60.0, "y2": 50.0}]}
    >>> SpatialGrounding().target(s), SpatialGrounding().score("[20, 10, 60, 50]", s).values
    ('[20, 10, 60, 50]', {'mIoU': 1.0, 'Acc@0.5': 1.0})
    """

    gold_fields = ("boxes",)
    reward = "box_iou"
    metrics = ("mIoU", "Acc@0.5")
    curves = ("mIoU",)

    def parse(self, answer: str, sample: Mapping[str, Any]) -> Box:
        return parse_boxes(answer)[0].box

    def target(self, sample: Mapping[str, Any]) -> str | None:
        gold = gold_boxes(sample)
        return ", ".join(format_box(b) for b, _, _ in gold) if gold else None

    def score(self, answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
        try:
            value, _ = boxes_iou(answer, sample, coord_space)
        except (LookupError, MissingFrameSize):
            return None
        except ParseError as e:
            return Scored({"mIoU": 0.0, "Acc@0.5": 0.0}, True, str(e))
        return Scored({"mIoU": value, "Acc@0.5": at_least(value, 0.5)})

    def similarity(self, a: Box, b: Box) -> float:
        return box_iou(a, b)
