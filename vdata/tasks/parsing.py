"""Parsing the text inside a model's `<answer>` block: numbers, time spans and boxes.

Every parser takes any string and returns a value or raises `ParseError` with a message meant for
`explain()`; none of them uses a regex that can backtrack catastrophically, and all work on bounded input
(`MAX_ANSWER_CHARS`). Times are returned in seconds, boxes as `(x1, y1, x2, y2)` floats in whatever coordinate
space the text used.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

#: Answers longer than this are not parsed for numbers, spans or boxes (a reward gives 0).
MAX_ANSWER_CHARS = 8192


class ParseError(ValueError):
    """The model's text does not hold what the reward expects; the message says what was missing."""


# ---------------------------------------------------------------------------------------------------- numbers
_NUMBER = re.compile(
    r"(?<![\d.])([-+−]?)(?=\.?\d)(\d{1,3}(?:,\d{3})+|\d+)?(\.\d+)?(?:[eE]([-+]?\d{1,3}))?(?!\d|\.\d)(\s?%)?"
)
_WORD_NUMBERS = {
    w: float(i)
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}


@dataclass(frozen=True)
class Number:
    """A parsed number: its `value` and whether it was written as a percentage (`50%` has value 50)."""

    value: float
    percent: bool = False


def parse_numbers(text: str) -> list[Number]:
    """Every number written in `text`: `3`, `-2.5`, `1,000`, `1e3`, `.5`, `50%`; word numbers zero..twenty.

    Thousands separators must group by three (`1,000`); `1,5` reads as two numbers. Numbers beyond the float
    range (`1e999`) are skipped; when nothing else is left, `ParseError` says so.
    """
    if len(text) > MAX_ANSWER_CHARS:
        raise ParseError(f"answer is {len(text)} characters, over the {MAX_ANSWER_CHARS} limit")
    found = []
    overflow = None
    for m in _NUMBER.finditer(text):
        sign, whole, frac, exp, pct = m.groups()
        if whole is None and frac is None:
            continue
        literal = (whole or "0").replace(",", "") + (frac or "") + (f"e{exp}" if exp else "")
        value = float(literal)  # `float("1e999")` is inf, where `10.0 ** 999` raises OverflowError
        if sign in ("-", "−"):
            value = -value
        if math.isfinite(value):
            found.append(Number(value, bool(pct)))
        elif overflow is None:
            overflow = m.group(0)
    if not found and overflow is not None:
        raise ParseError(f"number {overflow[:40]!r} is beyond the float range (about 1.8e308)")
    if not found:
        for word in re.findall(r"[a-z]+", text.lower()):
            if word in _WORD_NUMBERS:
                found.append(Number(_WORD_NUMBERS[word]))
    return found


def parse_number(text: str) -> Number:
    """The one number in `text`; several different numbers ("3 or 4") or none raise `ParseError`.

    >>> parse_number("about 1,000 people").value
    1000.0
    """
    numbers = parse_numbers(text)
    if not numbers:
        raise ParseError(f"no number in {text[:80]!r}")
    if any(n != numbers[0] for n in numbers[1:]):
        raise ParseError(f"several different numbers in {text[:80]!r}")
    return numbers[0]


# ---------------------------------------------------------------------------------------------------- times
_TIME = r"(?:\d{1,3}:){1,2}\d{1,2}(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_UNIT = r"(?:\s*(?:s|sec|secs|second|seconds)\b)?"
_SEP = r"\s*(?:-|–|—|~|to|and|until|till|through|,)\s*"
_SPAN = re.compile(rf"(?<![\d.:])({_TIME}){_UNIT}{_SEP}({_TIME}){_UNIT}", re.IGNORECASE)


def parse_time(token: str) -> float:
    """Seconds from `12.5`, `00:12.5` (mm:ss) or `1:02:03.5` (h:mm:ss)."""
    parts = token.split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60.0 + float(part)
    return seconds


def parse_spans(text: str) -> list[tuple[float, float]]:
    """Every `(start_s, end_s)` span written in `text`, in order, as written (a reversed span stays reversed).

    Reads `12.5 to 20`, `12.5-20.0`, `12.5 - 20.0 seconds`, `[12.5, 20.0]`, `from 12.5s to 20s`,
    `00:12.5 - 00:20`, `1:02:03.5 to 1:02:10`, JSON `{"start": .., "end": ..}` (also `start_s`/`end_s`,
    `begin`), a JSON pair `[s, e]` and lists of these. Raises `ParseError` when there is none.

    >>> parse_spans("from 00:12.5 to 00:20 and [30, 31.5]")
    [(12.5, 20.0), (30.0, 31.5)]
    """
    if len(text) > MAX_ANSWER_CHARS:
        raise ParseError(f"answer is {len(text)} characters, over the {MAX_ANSWER_CHARS} limit")
    stripped = text.strip()
    if stripped[:1] in "[{":
        spans = _json_spans(stripped)
        if spans:
            return spans
    spans = [(parse_time(m.group(1)), parse_time(m.group(2))) for m in _SPAN.finditer(text)]
    if not spans:
        raise ParseError(f"no time span in {text[:80]!r}")
    return spans


def _json_spans(text: str) -> list[tuple[float, float]]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    out: list[tuple[float, float]] = []
    _collect_spans(data, out, depth=0)
    return out


def _num(v: object) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) and math.isfinite(v):
        return float(v)
    if isinstance(v, str):
        try:
            return parse_time(v.strip().rstrip("sS").strip())
        except ValueError:
            return None
    return None


def _collect_spans(data: object, out: list[tuple[float, float]], depth: int) -> None:
    if depth > 4 or len(out) > 256:
        return
    if isinstance(data, dict):
        lowered = {str(k).lower(): v for k, v in data.items()}
        start = next((lowered[k] for k in ("start", "start_s", "begin", "from") if k in lowered), None)
        end = next((lowered[k] for k in ("end", "end_s", "stop", "to") if k in lowered), None)
        s, e = _num(start), _num(end)
        if s is not None and e is not None:
            out.append((s, e))
            return
        for v in data.values():
            _collect_spans(v, out, depth + 1)
    elif isinstance(data, list):
        if len(data) == 2 and all(_num(v) is not None and not isinstance(v, str) for v in data):
            out.append((float(data[0]), float(data[1])))
            return
        for v in data:
            _collect_spans(v, out, depth + 1)


# ---------------------------------------------------------------------------------------------------- boxes
_NUM = r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)"
_BOX = re.compile(rf"[\[(]\s*({_NUM})\s*,\s*({_NUM})\s*,\s*({_NUM})\s*,\s*({_NUM})\s*[\])]")
_BOX_TIME = re.compile(rf"({_TIME}){_UNIT}", re.IGNORECASE)

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class TimedBox:
    """A predicted box and the time (seconds) written before it, if any."""

    box: Box
    time_s: float | None = None


def parse_boxes(text: str) -> list[TimedBox]:
    """Every box written in `text` as `[x1, y1, x2, y2]` (or parentheses), or JSON objects.

    JSON forms: `{"bbox_2d": [...]}`, `{"bbox": [...]}`, `{"box": [...]}`, `{"x1":..,"y1":..,"x2":..,"y2":..}`,
    with an optional time key (`time`, `time_s`, `timestamp`, `timestamp_s`, `t`). In plain text, the last
    time written between the previous box and this one (`2.5s: [..]`) is the box's time. Raises `ParseError`
    when there is no box.

    >>> parse_boxes('1.5s: [10, 20, 30, 40]')
    [TimedBox(box=(10.0, 20.0, 30.0, 40.0), time_s=1.5)]
    """
    if len(text) > MAX_ANSWER_CHARS:
        raise ParseError(f"answer is {len(text)} characters, over the {MAX_ANSWER_CHARS} limit")
    stripped = text.strip()
    if stripped[:1] in "[{" and "{" in stripped:  # objects need JSON; plain lists read the same as text
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError):
            data = None
        out: list[TimedBox] = []
        _collect_boxes(data, out, None, 0)
        if out:
            return out
    boxes = []
    prev_end = 0
    for m in _BOX.finditer(text):
        times = _BOX_TIME.findall(text, prev_end, m.start())
        time_s = parse_time(times[-1]) if times else None
        boxes.append(TimedBox(tuple(float(g) for g in m.groups()), time_s))  # type: ignore[arg-type]
        prev_end = m.end()
    if not boxes:
        raise ParseError(f"no box [x1, y1, x2, y2] in {text[:80]!r}")
    return boxes


_TIME_KEYS = ("time", "time_s", "timestamp", "timestamp_s", "t")


def _collect_boxes(data: object, out: list[TimedBox], time_s: float | None, depth: int) -> None:
    if depth > 4 or len(out) > 1024:
        return
    if isinstance(data, dict):
        lowered = {str(k).lower(): v for k, v in data.items()}
        t = next((_num(lowered[k]) for k in _TIME_KEYS if k in lowered), None)
        t = time_s if t is None else t
        for key in ("bbox_2d", "bbox", "box"):
            if key in lowered:
                coords = lowered[key]
                if isinstance(coords, list) and len(coords) == 4:
                    nums = [_num(c) if not isinstance(c, str) else None for c in coords]
                    if all(n is not None for n in nums):
                        out.append(TimedBox(tuple(nums), t))  # type: ignore[arg-type]
                        return
        corners = [
            _num(lowered.get(k)) if not isinstance(lowered.get(k), str) else None
            for k in ("x1", "y1", "x2", "y2")
        ]
        if all(c is not None for c in corners):
            out.append(TimedBox(tuple(corners), t))  # type: ignore[arg-type]
            return
        for v in data.values():
            _collect_boxes(v, out, t, depth + 1)
    elif isinstance(data, list):
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in data)
        if len(data) == 4 and numeric and all(math.isfinite(v) for v in data):
            out.append(TimedBox(tuple(float(v) for v in data), time_s))  # type: ignore[arg-type]
            return
        for v in data:
            _collect_boxes(v, out, time_s, depth + 1)


# ---------------------------------------------------------------------------------------------------- gold fields
def as_list(value: Any) -> Any:
    """numpy arrays (parquet and verl columns) and tuples as lists; anything else unchanged."""
    if isinstance(value, tuple):
        return list(value)
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return value.tolist()
    return value


def is_real(value: Any) -> bool:
    """An int or float, not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def finite_number(value: Any) -> float | None:
    """`float(value)` when that is a finite number (numbers and numeric strings), else None; bools are None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return v if math.isfinite(v) else None
