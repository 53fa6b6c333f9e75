"""Boxes: gold boxes of a sample, reading predicted boxes into original-video pixels, and overlap.

Gold boxes are `(x1, y1, x2, y2)` pixels of the original video (schema v1). A predicted box is first mapped from
its `coord_space` to those pixels: `pixels` (original video), `resized` (pixels of the frame as stored in the
shard, what Qwen2.5-VL sees; the size comes from `frame_width`/`frame_height` or the first JPEG's header),
`norm1` (0-1) or `norm1000` (0-1000, Qwen2-VL and Qwen3-VL). Then it is clamped to the frame.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from vdata.tasks.parsing import Box, TimedBox, as_list, finite_number, parse_boxes

logger = logging.getLogger(__name__)

#: The coordinate spaces a model may write boxes in.
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


def to_pixels(box: Box, space: str, sample: Mapping[str, Any], clamp: bool = True) -> Box | None:
    """Map a predicted box from `space` to original-video pixels, clamped to the frame unless `clamp=False`;
    None when the size is unknown."""
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
    if not clamp:
        return (x1, y1, x2, y2)
    return (min(max(x1, 0.0), w), min(max(y1, 0.0), h), min(max(x2, 0.0), w), min(max(y2, 0.0), h))


def gold_boxes(sample: Mapping[str, Any]) -> list[tuple[Box, float | None, str | None]]:
    """The sample's boxes as `(box, timestamp_s, label)`; empty when missing or unreadable (`read_gold_boxes`
    says why).

    >>> gold_boxes({"boxes": '[{"x1": 0, "y1": 0, "x2": 4, "y2": 2, "timestamp_s": 1.5}]'})
    [((0.0, 0.0, 4.0, 2.0), 1.5, None)]
    """
    return read_gold_boxes(sample)[0]


def read_gold_boxes(
    sample: Mapping[str, Any],
) -> tuple[list[tuple[Box, float | None, str | None]], str | None]:
    """`(boxes, None)`, or `([], reason)` when the sample's gold boxes are missing or cannot be read.

    Reads schema rows and the jsonl input form (`[{"x1", "y1", "x2", "y2", "timestamp_s"?, "label"?}, ...]`), its
    JSON text (a string column) and numpy arrays of them (parquet columns). A box without four finite
    coordinates, or with a timestamp that is not a finite number, makes the whole gold unreadable: a reward then
    returns None (cannot judge), never 0.

    >>> read_gold_boxes({"boxes": [{"x1": 0, "y1": 0, "x2": "?", "y2": 2}]})[1]
    "gold box 0 needs finite x1, y1, x2, y2: {'x1': 0, 'y1': 0, 'x2': '?', 'y2': 2}"
    """
    raw = sample.get("boxes")
    if type(raw) is list and raw:
        schema = _schema_boxes(raw)
        if schema is not None:
            return schema, None
    return _read_any_gold_boxes(sample)


def _schema_boxes(raw: list) -> list[tuple[Box, float | None, str | None]] | None:
    """The schema's own form of gold boxes (dicts of float pixel coordinates, finite, `timestamp_s` null or a
    finite float), read in a few comparisons per box, as `read_gold_boxes` reads them; None for any other form
    (then read by `_read_any_gold_boxes`: the parity test checks that the two agree). A reward reads the gold of
    every completion: this is most of what a box reward costs beyond parsing the answer."""
    out = []
    for b in raw:
        if type(b) is not dict:
            return None
        x1, y1, x2, y2, t = b.get("x1"), b.get("y1"), b.get("x2"), b.get("y2"), b.get("timestamp_s")
        # `(a + b) * 0.0 == 0.0` is false for NaN and infinity (and for sums past the float range: read there)
        if not (type(x1) is float and type(y1) is float and type(x2) is float and type(y2) is float
                and (x1 + y1 + x2 + y2) * 0.0 == 0.0 and (t is None or (type(t) is float and t * 0.0 == 0.0))):
            return None
        label = b.get("label")
        out.append(((x1, y1, x2, y2), t, label if isinstance(label, str) else None))
    return out


def _read_any_gold_boxes(
    sample: Mapping[str, Any],
) -> tuple[list[tuple[Box, float | None, str | None]], str | None]:
    """`read_gold_boxes` for every form it reads."""
    raw = as_list(sample.get("boxes"))
    if raw is None:
        return [], "sample has no boxes"
    if isinstance(raw, (str, bytes)):
        try:
            raw = as_list(json.loads(raw))
        except (ValueError, RecursionError):
            return [], f"gold boxes are not JSON: {str(raw)[:60]!r}"
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        return [], f"gold boxes are a {type(raw).__name__}, not a list of boxes"
    out = []
    for i, b in enumerate(raw):
        if not isinstance(b, Mapping):
            return [], f"gold box {i} is not an object with x1, y1, x2, y2: {b!r:.60}"
        coords = [finite_number(b.get(k)) for k in ("x1", "y1", "x2", "y2")]
        if any(c is None for c in coords):
            return [], f"gold box {i} needs finite x1, y1, x2, y2: {dict(b)!r:.80}"
        t = b.get("timestamp_s")
        time_s = None if t is None else finite_number(t)
        if t is not None and time_s is None:
            return [], f"gold box {i} has a timestamp_s that is not a finite number: {t!r:.30}"
        label = b.get("label")
        out.append((tuple(coords), time_s, label if isinstance(label, str) else None))
    if not out:
        return [], "sample has no boxes"
    return out, None  # type: ignore[return-value]


class MissingFrameSize(ValueError):
    """The sample has no `width`/`height` (or no stored frame size for `coord_space="resized"`)."""


def read_boxes(text: str, sample: Mapping[str, Any], coord_space: str = "pixels") -> list[TimedBox]:
    """The boxes written in `text` (`parse_boxes`), mapped to clamped original-video pixels, with their times.

    Raises `ParseError` when there is no box and `MissingFrameSize` when the sample's size is unknown.

    >>> read_boxes("[0.1, 0.1, 0.5, 0.5]", {"width": 200, "height": 100}, "norm1")
    [TimedBox(box=(20.0, 10.0, 100.0, 50.0), time_s=None)]
    """
    out = []
    for tb in parse_boxes(text):
        px = to_pixels(tb.box, coord_space, sample)
        if px is None:
            raise MissingFrameSize(f"width/height (and stored frame size for coord_space={coord_space!r})")
        out.append(TimedBox(px, tb.time_s))
    return out


def format_box(box: Box) -> str:
    """A box as answer text, `[x1, y1, x2, y2]` rounded to whole pixels (what `parse_boxes` reads back).

    >>> format_box((20.4, 10.0, 60.0, 49.6))
    '[20, 10, 60, 50]'
    """
    return "[" + ", ".join(f"{round(v):d}" for v in box) + "]"


def matched_iou(
    pred: Sequence[Box], gold: Sequence[Box], metric: Callable[[Box, Box], float] | None = None
) -> float:
    """The sum of `metric` (IoU by default) over a one-to-one greedy matching of predicted to gold boxes."""
    metric = metric or box_iou
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


def nearest(t: float, boxes: Sequence[TimedBox], tol: float) -> TimedBox | None:
    best = min((b for b in boxes if b.time_s is not None), key=lambda b: abs(b.time_s - t), default=None)  # type: ignore[operator]
    return best if best is not None and abs(best.time_s - t) <= tol else None  # type: ignore[operator]


def tolerance(times: Sequence[float]) -> float:
    """Half the median spacing of keyframe times (at least 1 ms): how far a predicted box may be from a frame."""
    ts = sorted(set(times))
    gaps = sorted(b - a for a, b in itertools.pairwise(ts))
    return max(gaps[len(gaps) // 2] / 2.0, 1e-3) if gaps else 0.5
