"""Time spans: the gold spans of a sample, reading predicted spans, and overlap (IoU, intersection).

Spans are `(start_s, end_s)` in seconds from the start of the video file, like the schema's `spans`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vdata.tasks.parsing import ParseError, parse_spans

Span = tuple[float, float]
#: How a reversed predicted span (start > end) is read: `zero` (unparseable) or `swap`.
REVERSED_POLICIES = ("zero", "swap")
#: What predicted times count from: `video` (the file's first frame) or `clip` (`clip_start_s`).
TIME_ORIGINS = ("video", "clip")


def gold_spans(sample: Mapping[str, Any]) -> list[Span]:
    """The sample's spans as `(start_s, end_s)` tuples (empty when missing); reversed gold spans are dropped.

    >>> gold_spans({"spans": [{"start_s": 1.0, "end_s": 2.0}, {"start_s": 5.0, "end_s": 4.0}]})
    [(1.0, 2.0)]
    """
    out = []
    for s in sample.get("spans") or []:
        try:
            start, end = float(s["start_s"]), float(s["end_s"])
        except (KeyError, TypeError, ValueError):
            continue
        if start <= end:
            out.append((start, end))
    return out


def read_spans(
    text: str, sample: Mapping[str, Any], reversed_span: str = "zero", time_origin: str = "video"
) -> list[Span]:
    """The spans written in `text` in video seconds: parsed (`parse_spans`), shifted by `clip_start_s` when
    `time_origin="clip"`, a reversed span swapped or refused (`reversed_span`), clamped to `[0, duration_s]`.
    Raises `ParseError` with the reason.

    >>> read_spans("5 to 80", {"duration_s": 60.0})
    [(5.0, 60.0)]
    """
    spans = parse_spans(text)
    offset = float(sample.get("clip_start_s") or 0.0) if time_origin == "clip" else 0.0
    duration = sample.get("duration_s")
    out = []
    for s, e in spans:
        if s > e:
            if reversed_span == "zero":
                raise ParseError(f"reversed span {s:g} > {e:g}")
            s, e = e, s
        s, e = s + offset, e + offset
        if duration:
            s, e = min(max(s, 0.0), float(duration)), min(max(e, 0.0), float(duration))
        out.append((s, e))
    return out


def format_span(span: Span) -> str:
    """A span as answer text, `start - end` in seconds with two decimals (what `parse_spans` reads back).

    >>> format_span((2.5, 7.0))
    '2.50 - 7.00'
    """
    return f"{span[0]:.2f} - {span[1]:.2f}"


def merge(spans: Sequence[Span]) -> list[Span]:
    """Sorted, non-overlapping union of spans.

    >>> merge([(5.0, 6.0), (0.0, 2.0), (1.0, 3.0)])
    [(0.0, 3.0), (5.0, 6.0)]
    """
    out: list[list[float]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def length(spans: Sequence[Span]) -> float:
    """Total length in seconds of the union of spans."""
    return sum(e - s for s, e in merge(spans))


def intersection(a: Sequence[Span], b: Sequence[Span]) -> float:
    """Total length in seconds of the intersection of two unions of spans."""
    total = 0.0
    ma, mb = merge(a), merge(b)
    i = j = 0
    while i < len(ma) and j < len(mb):
        lo, hi = max(ma[i][0], mb[j][0]), min(ma[i][1], mb[j][1])
        total += max(0.0, hi - lo)
        if ma[i][1] < mb[j][1]:
            i += 1
        else:
            j += 1
    return total


def pair_iou(a: Span, b: Span) -> float:
    """IoU in [0, 1] of two single spans; 0.0 when their union is empty."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    union = (a[1] - a[0]) + (b[1] - b[0]) - inter
    return inter / union if union > 0 else 0.0


def iou(a: Sequence[Span], b: Sequence[Span]) -> float:
    """Intersection over union in [0, 1] of two unions of spans; 0.0 when the union is empty.

    >>> iou([(10.0, 20.0)], [(15.0, 25.0)])
    0.3333333333333333
    """
    inter = intersection(a, b)
    union = length(a) + length(b) - inter
    return inter / union if union > 0 else 0.0
