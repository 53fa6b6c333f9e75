"""Spatial grounding: `box_iou`, `spatiotemporal_iou` (HC-STVG vIoU) and `tracking`.

Gold boxes are pixels of the original video (schema v1). A predicted box is first mapped from its
`coord_space` to those pixels: `pixels` (original video), `resized` (pixels of the frame as stored in the shard,
what Qwen2.5-VL sees; the size comes from `frame_width`/`frame_height` or the first JPEG's header), `norm1`
(0-1) or `norm1000` (0-1000, Qwen2-VL and Qwen3-VL). Then it is clamped to the frame.
"""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vdata.rewards.answer import AnswerReward, missing
from vdata.rewards.base import Explanation, check_choice, register, zero
from vdata.rewards.parsing import Box, ParseError, TimedBox, parse_boxes, parse_spans
from vdata.rewards.temporal import gold_spans
from vdata.rewards.temporal import iou as span_iou

logger = logging.getLogger(__name__)

COORD_SPACES = ("pixels", "resized", "norm1", "norm1000")


def _areas(a: Box, b: Box) -> tuple[float, float, float]:
    """(intersection, area of a, area of b); areas of inverted boxes are 0."""
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    inter = iw * ih if iw > 0 and ih > 0 else 0.0
    area_a = max(0.0, a[2] - a[0]) * max(0.0, a[3] - a[1])
    area_b = max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])
    return inter, area_a, area_b


def box_iou(a: Box, b: Box) -> float:
    """IoU of two `(x1, y1, x2, y2)` boxes; 0.0 when either box is empty or inverted."""
    inter, area_a, area_b = _areas(a, b)
    if area_a <= 0 or area_b <= 0:
        return 0.0
    return inter / (area_a + area_b - inter)


def box_giou(a: Box, b: Box) -> float:
    """Generalised IoU in [-1, 1]: IoU minus the share of the enclosing box covered by neither; -1 if invalid."""
    inter, area_a, area_b = _areas(a, b)
    if area_a <= 0 or area_b <= 0:
        return -1.0
    union = area_a + area_b - inter
    hull = (max(a[2], b[2]) - min(a[0], b[0])) * (max(a[3], b[3]) - min(a[1], b[1]))
    return inter / union - (hull - union) / hull


def frame_size(sample: Mapping[str, Any]) -> tuple[float, float] | None:
    """`(width, height)` of the frames as stored: `frame_width`/`frame_height`, else the first JPEG's header."""
    fw, fh = sample.get("frame_width"), sample.get("frame_height")
    if fw and fh:
        return float(fw), float(fh)
    frames = sample.get("frames") or []
    first = frames[0] if len(frames) else None
    data = first.get("bytes") if isinstance(first, Mapping) else first
    if not isinstance(data, (bytes, bytearray)):
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            return float(im.width), float(im.height)
    except (UnidentifiedImageError, OSError) as e:
        logger.warning("cannot read the stored frame size: %s", e)
        return None


def to_pixels(box: Box, space: str, sample: Mapping[str, Any]) -> Box | None:
    """Map a predicted box from `space` to clamped original-video pixels; None when the size is unknown."""
    width, height = sample.get("width"), sample.get("height")
    if not width or not height:
        return None
    w, h = float(width), float(height)
    if space == "pixels":
        sx, sy = 1.0, 1.0
    elif space == "norm1":
        sx, sy = w, h
    elif space == "norm1000":
        sx, sy = w / 1000.0, h / 1000.0
    else:
        size = frame_size(sample)
        if size is None:
            return None
        sx, sy = w / size[0], h / size[1]
    x1, y1, x2, y2 = box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy
    return (min(max(x1, 0.0), w), min(max(y1, 0.0), h), min(max(x2, 0.0), w), min(max(y2, 0.0), h))


def gold_boxes(sample: Mapping[str, Any]) -> list[tuple[Box, float | None, str | None]]:
    """The sample's boxes as `(box, timestamp_s, label)`."""
    out = []
    for b in sample.get("boxes") or []:
        try:
            box = (float(b["x1"]), float(b["y1"]), float(b["x2"]), float(b["y2"]))
        except (KeyError, TypeError, ValueError):
            continue
        t = b.get("timestamp_s")
        out.append((box, float(t) if t is not None else None, b.get("label")))
    return out


@dataclass(frozen=True)
class BoxReward(AnswerReward):
    """Shared option: the `coord_space` of predicted boxes (`pixels`, `resized`, `norm1`, `norm1000`)."""

    coord_space: str = "pixels"

    def __post_init__(self) -> None:
        check_choice(self.name, "coord_space", self.coord_space, COORD_SPACES)

    def predicted(self, answer: str, sample: Mapping[str, Any]) -> list[TimedBox] | Explanation:
        try:
            boxes = parse_boxes(answer)
        except ParseError as e:
            return zero(str(e))
        out = []
        for tb in boxes:
            px = to_pixels(tb.box, self.coord_space, sample)
            if px is None:
                return missing(f"width/height (and stored frame size for coord_space={self.coord_space!r})")
            out.append(TimedBox(px, tb.time_s))
        return out


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

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold = [g[0] for g in gold_boxes(sample)]
        if not gold:
            return missing("boxes")
        pred = self.predicted(answer, sample)
        if isinstance(pred, Explanation):
            return pred
        boxes = [p.box for p in pred]
        metric = (lambda a, b: (box_giou(a, b) + 1.0) / 2.0) if self.giou else box_iou
        total = (
            metric(boxes[0], gold[0]) if len(boxes) == len(gold) == 1 else _greedy_match(boxes, gold, metric)
        )
        value = total / max(len(boxes), len(gold))
        return Explanation(value, {"matched": total}, parsed=boxes)


def _greedy_match(pred: Sequence[Box], gold: Sequence[Box], metric: Any) -> float:
    pairs = sorted(
        ((metric(p, g), i, j) for i, p in enumerate(pred) for j, g in enumerate(gold)), reverse=True
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    total = 0.0
    for v, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            total += v
    return total


def _nearest(t: float, boxes: Sequence[TimedBox], tol: float) -> TimedBox | None:
    best = min((b for b in boxes if b.time_s is not None), key=lambda b: abs(b.time_s - t), default=None)  # type: ignore[operator]
    return best if best is not None and abs(best.time_s - t) <= tol else None  # type: ignore[operator]


def _tolerance(times: Sequence[float]) -> float:
    """Half the median spacing of keyframe times (at least 1 ms): how far a predicted box may be from a frame."""
    ts = sorted(set(times))
    gaps = sorted(b - a for a, b in itertools.pairwise(ts))
    return max(gaps[len(gaps) // 2] / 2.0, 1e-3) if gaps else 0.5


@register("spatiotemporal_iou")
@dataclass(frozen=True)
class SpatiotemporalIoU(BoxReward):
    """vIoU as HC-STVG defines it: the sum of per-frame box IoU over frames inside both the predicted and the gold
    tube, divided by the number of frames in the union of their time extents.

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

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold = [(b, t) for b, t, _ in gold_boxes(sample) if t is not None]
        if not gold:
            return missing("boxes with timestamp_s")
        pred = self.predicted(answer, sample)
        if isinstance(pred, Explanation):
            return pred
        timed = [p for p in pred if p.time_s is not None]
        if not timed:
            return zero("no predicted box has a time", parsed=pred)
        spans = gold_spans(sample)
        g_ext = spans[0] if spans else (min(t for _, t in gold), max(t for _, t in gold))
        try:
            p_spans = parse_spans(answer.split("[")[0] if "{" not in answer else _span_text(answer))
            p_ext = p_spans[0]
        except ParseError:
            p_ext = (min(p.time_s for p in timed), max(p.time_s for p in timed))  # type: ignore[type-var]
        grid = [float(t) for t in sample.get("frame_timestamps_s") or []] or sorted({t for _, t in gold})
        tol = _tolerance(grid)
        in_g = [t for t in grid if g_ext[0] - 1e-9 <= t <= g_ext[1] + 1e-9]
        in_p = [t for t in grid if p_ext[0] - 1e-9 <= t <= p_ext[1] + 1e-9]
        union = set(in_g) | set(in_p)
        both = sorted(set(in_g) & set(in_p))
        gold_timed = [TimedBox(b, t) for b, t in gold]
        ious = []
        for t in both:
            g = _nearest(t, gold_timed, tol)
            p = _nearest(t, timed, tol)
            ious.append(box_iou(p.box, g.box) if g is not None and p is not None else 0.0)
        t_iou = span_iou([p_ext], [g_ext])
        viou = sum(ious) / len(union) if union else 0.0
        mean_iou = sum(ious) / len(ious) if ious else 0.0
        value = viou if self.mode == "viou" else 0.5 * t_iou + 0.5 * mean_iou
        parts = {"viou": viou, "tiou": t_iou, "mean_iou": mean_iou}
        return Explanation(value, parts, parsed={"span": p_ext, "boxes": [(p.time_s, p.box) for p in timed]})


def _span_text(answer: str) -> str:
    import json

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

    def judge_answer(self, answer: str, sample: Mapping[str, Any]) -> Explanation:
        gold = [(b, t, label) for b, t, label in gold_boxes(sample) if t is not None]
        if not gold:
            return missing("boxes with timestamp_s")
        pred = self.predicted(answer, sample)
        if isinstance(pred, Explanation):
            return pred
        timed = [p for p in pred if p.time_s is not None]
        grid = [float(t) for t in sample.get("frame_timestamps_s") or []] or [t for _, t, _ in gold]
        tol = _tolerance(grid)
        ious = []
        for box, t, _ in gold:
            near = [p for p in timed if abs(p.time_s - t) <= tol]  # type: ignore[operator]
            ious.append(max((box_iou(p.box, box) for p in near), default=0.0))
        value = sum(ious) / len(ious)
        return Explanation(value, {"frames": float(len(ious))}, parsed=[(p.time_s, p.box) for p in timed])
