"""`spatiotemporal_grounding`: when AND where is the described object (HC-STVG, VidSTG)? Gold: timed `boxes`
(pixels of the original video) and `spans` (seconds)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vdata.tasks.base import Scored, Task, register
from vdata.tasks.boxes import (
    MissingFrameSize,
    box_iou,
    format_box,
    gold_boxes,
    nearest,
    read_boxes,
    tolerance,
)
from vdata.tasks.metrics import VIOU_THRESHOLDS, above
from vdata.tasks.parsing import Box, ParseError, TimedBox, parse_boxes, parse_spans
from vdata.tasks.spans import Span, format_span, gold_spans
from vdata.tasks.spans import iou as span_iou


@dataclass(frozen=True)
class Tube:
    """A predicted tube judged against the gold: `viou` (HC-STVG), `tiou` (time extents), `mean_iou` (box IoU
    over the frames in both), all in [0, 1]; the predicted `span` (seconds) and timed `boxes` (pixels)."""

    viou: float
    tiou: float
    mean_iou: float
    span: Span
    boxes: list[tuple[float | None, Box]]


def tube(answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Tube:
    """vIoU as HC-STVG defines it: the sum of per-frame box IoU over frames inside both the predicted and the
    gold tube, divided by the number of frames in the union of their time extents.

    Frames are the sample's keyframes (`frame_timestamps_s`, else the gold box times). The answer gives a span
    and timed boxes, e.g. `{"span": [2, 6], "boxes": [{"time": 2.5, "bbox_2d": [..]}, ...]}` or
    `2.0 to 6.0; 2.5s: [x1, y1, x2, y2] ...` (a plain-text span comes before the first box); without a span the
    tube spans its box times. A predicted box is matched to the keyframe nearest its time, within half a frame
    interval; a frame in both tubes with no predicted box counts IoU 0. The gold extent is `spans[0]`, else the
    gold box times. Raises `LookupError` without timed gold boxes, `MissingFrameSize`, and `ParseError` when no
    box (or no timed box) is written.
    """
    gold = [(b, t) for b, t, _ in gold_boxes(sample) if t is not None]
    if not gold:
        raise LookupError("boxes with timestamp_s")
    timed = [p for p in read_boxes(answer, sample, coord_space) if p.time_s is not None]
    if not timed:
        raise ParseError("no predicted box has a time")
    spans = gold_spans(sample)
    g_ext = spans[0] if spans else (min(t for _, t in gold), max(t for _, t in gold))
    try:
        p_ext = parse_spans(answer.split("[")[0] if "{" not in answer else span_text(answer))[0]
    except ParseError:
        p_ext = (min(p.time_s for p in timed), max(p.time_s for p in timed))  # type: ignore[type-var]
    grid = [float(t) for t in sample.get("frame_timestamps_s") or []] or sorted({t for _, t in gold})
    tol = tolerance(grid)
    in_g = [t for t in grid if g_ext[0] - 1e-9 <= t <= g_ext[1] + 1e-9]
    in_p = [t for t in grid if p_ext[0] - 1e-9 <= t <= p_ext[1] + 1e-9]
    union = set(in_g) | set(in_p)
    both = sorted(set(in_g) & set(in_p))
    gold_timed = [TimedBox(b, t) for b, t in gold]
    ious = []
    for t in both:
        g = nearest(t, gold_timed, tol)
        p = nearest(t, timed, tol)
        ious.append(box_iou(p.box, g.box) if g is not None and p is not None else 0.0)
    viou = sum(ious) / len(union) if union else 0.0
    mean_iou = sum(ious) / len(ious) if ious else 0.0
    return Tube(viou, span_iou([p_ext], [g_ext]), mean_iou, p_ext, [(p.time_s, p.box) for p in timed])


def span_text(answer: str) -> str:
    """The span part of a JSON tube answer (`span`, `time_span`, `segment`, or `start`/`end`), as JSON text."""
    try:
        data = json.loads(answer.strip())
    except (ValueError, RecursionError):
        return answer
    if isinstance(data, dict):
        lowered = {str(k).lower(): v for k, v in data.items()}
        for key in ("span", "time_span", "segment"):
            if key in lowered:
                return json.dumps(lowered[key])
        if "start" in lowered and "end" in lowered:
            return json.dumps({"start": lowered["start"], "end": lowered["end"]})
    return ""


def timed_boxes_text(boxes: list[tuple[Box, float | None, str | None]]) -> str:
    """Timed boxes as answer text, `T.TTs: [x1, y1, x2, y2]; ...` (what `parse_boxes` reads back with times)."""
    return "; ".join(f"{t:.2f}s: {format_box(b)}" for b, t, _ in boxes if t is not None)


@register("spatiotemporal_grounding")
class SpatiotemporalGrounding(Task):
    """The answer is a span and timed boxes (see `tube`). Metrics: m_tIoU, m_vIoU, vIoU@{0.3, 0.5} (strictly
    above, as HC-STVG's script). SFT target: `START - END; T.TTs: [box]; ...` from the gold. Votes compare first
    boxes by IoU.

    >>> s = {"width": 100, "height": 100, "spans": [{"start_s": 0.0, "end_s": 1.0}], "frame_timestamps_s": [0.0, 1.0],
    ...      "boxes": [{"timestamp_s": 0.0, "x1": 0.0, "y1": 0.0, "x2": 10.0, "y2": 10.0},
    ...                {"timestamp_s": 1.0, "x1": 5.0, "y1": 0.0, "x2": 15.0, "y2": 10.0}]}
    >>> task = SpatiotemporalGrounding()
    >>> task.target(s)
    '0.00 - 1.00; 0.00s: [0, 0, 10, 10]; 1.00s: [5, 0, 15, 10]'
    >>> task.score(task.target(s), s).values["m_vIoU"]
    1.0
    """

    gold_fields = ("boxes", "spans")
    reward = "spatiotemporal_iou"
    metrics = ("m_tIoU", "m_vIoU", *(f"vIoU@{t}" for t in VIOU_THRESHOLDS))
    headline = "m_vIoU"
    curves = ("m_vIoU",)

    def parse(self, answer: str, sample: Mapping[str, Any]) -> Box:
        return parse_boxes(answer)[0].box

    def target(self, sample: Mapping[str, Any]) -> str | None:
        timed = [g for g in gold_boxes(sample) if g[1] is not None]
        if not timed:
            return None
        spans = gold_spans(sample)
        extent = spans[0] if spans else (min(t for _, t, _ in timed), max(t for _, t, _ in timed))
        return f"{format_span(extent)}; {timed_boxes_text(timed)}"  # type: ignore[arg-type]

    def score(self, answer: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> Scored | None:
        try:
            t = tube(answer, sample, coord_space)
        except (LookupError, MissingFrameSize):
            return None
        except ParseError as e:
            return Scored(dict.fromkeys(self.metrics, 0.0), True, str(e))
        return Scored({"m_tIoU": t.tiou, "m_vIoU": t.viou, **{f"vIoU@{v}": above(t.viou, v) for v in VIOU_THRESHOLDS}})

    def similarity(self, a: Box, b: Box) -> float:
        return box_iou(a, b)
