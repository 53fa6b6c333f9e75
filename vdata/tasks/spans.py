"""Time spans: the gold spans of a sample, reading predicted spans, and overlap (IoU, intersection).

Spans are `(start_s, end_s)` in seconds from the start of the video file, like the schema's `spans`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from vdata.tasks.parsing import ParseError, as_list, finite_number, is_real, parse_spans

Span = tuple[float, float]
#: How a reversed predicted span (start > end) is read: `zero` (unparseable) or `swap`.
REVERSED_POLICIES = ("zero", "swap")
#: What predicted times count from: `video` (the file's first frame) or `clip` (`clip_start_s`).
TIME_ORIGINS = ("video", "clip")


def gold_spans(sample: Mapping[str, Any]) -> list[Span]:
    """The sample's spans as `(start_s, end_s)` tuples; empty when missing or unreadable (`read_gold_spans` says
    why); reversed gold spans are dropped.

    >>> gold_spans({"spans": [{"start_s": 1.0, "end_s": 2.0}, {"start_s": 5.0, "end_s": 4.0}]})
    [(1.0, 2.0)]
    >>> gold_spans({"spans": [[2.5, 7.0]]}), gold_spans({"spans": '[{"start_s": 1, "end_s": 3}]'})
    ([(2.5, 7.0)], [(1.0, 3.0)])
    """
    return read_gold_spans(sample)[0]


def read_gold_spans(sample: Mapping[str, Any]) -> tuple[list[Span], str | None]:
    """`(spans, None)`, or `([], reason)` when the sample's gold spans are missing or cannot be read.

    Reads every form the project documents: schema rows (`[{"start_s": .., "end_s": ..}, ...]`), the jsonl input
    form (`[[start_s, end_s], ...]`, or one `[start_s, end_s]`), the JSON text of either (a string column), and
    numpy arrays of them (parquet columns). A span that is neither form, or holds a non-finite or non-numeric
    time, makes the whole gold unreadable: a reward then returns None (cannot judge), never 0. Reversed spans
    (start > end, invalid in schema v1) are dropped.

    >>> read_gold_spans({"spans": [[1, "x"]]})
    ([], "gold span 0 is not [start_s, end_s] or {start_s, end_s} with finite seconds: [1, 'x']")
    """
    raw = as_list(sample.get("spans"))
    if raw is None:
        return [], "sample has no spans"
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            return [], f"gold spans are not JSON: {str(raw)[:60]!r}"
        raw = as_list(raw)
    if isinstance(raw, Mapping) or (isinstance(raw, list) and len(raw) == 2 and all(is_real(v) for v in raw)):
        raw = [raw]
    if not isinstance(raw, list):
        return [], f"gold spans are a {type(raw).__name__}, not a list of spans"
    out = []
    for i, item in enumerate(raw):
        span = _gold_span(as_list(item))
        if span is None:
            return (
                [],
                f"gold span {i} is not [start_s, end_s] or {{start_s, end_s}} with finite seconds: {item!r:.60}",
            )
        if span[0] <= span[1]:
            out.append(span)
    if not out:
        return [], "sample has no spans" if not raw else "sample has no spans with start_s <= end_s"
    return out, None


def _gold_span(item: Any) -> Span | None:
    if isinstance(item, Mapping):
        start, end = finite_number(item.get("start_s")), finite_number(item.get("end_s"))
    elif isinstance(item, list) and len(item) == 2:
        start, end = finite_number(item[0]), finite_number(item[1])
    else:
        return None
    return None if start is None or end is None else (start, end)


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
