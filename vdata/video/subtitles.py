"""Subtitle files as timed text: SubRip (`.srt`), WebVTT (`.vtt`) and LongVideoBench's JSON cue lists.

A cue is `(start_s, end_s, text)`, seconds on the subtitle file's own clock; `window` moves cues to video time
(minus the format's offset, e.g. LongVideoBench's `starting_timestamp_for_subtitles`), keeps those overlapping
the clip window and clips them to it: the schema's `subtitles` column (seconds from video start, the origin of
`frame_timestamps_s`).

Real-world files are read as they come: a UTF-8 byte-order mark, CRLF or CR line ends, `,` or `.` before the
milliseconds, WebVTT cue settings (`align:start position:10%`), hour-less WebVTT times (`01:02.500`), cue ids,
`NOTE`/`STYLE`/`REGION` blocks, multi-line cues (joined with a newline), markup stripped (`<i>`, `<font ...>`,
`<c.yellow>`, `<v Roger>`, inline `<00:00:01.000>` times, SSA `{\\an8}` overrides) and HTML entities decoded.
A file that is not UTF-8 is read as Latin-1. Cues with no text left are dropped; a file with no readable cue
at all is an error (`bad_annotation`, naming the file).

>>> parse("1\\r\\n00:00:01,500 --> 00:00:03,000\\r\\n<i>Hello</i>\\r\\nworld\\r\\n", "a.srt")
[(1.5, 3.0, 'Hello\\nworld')]
>>> window([(1.5, 3.0, "hi"), (5.0, 6.0, "late")], 2.0, 4.0)
[{'start_s': 2.0, 'end_s': 3.0, 'text': 'hi'}]
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from vdata.errors import ItemError

#: Subtitle file extensions looked for beside a video (same stem), in this order.
EXTENSIONS = (".srt", ".vtt")

Cue = tuple[float, float, str]

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def _clean(lines: list[str]) -> str:
    text = "\n".join(html.unescape(_TAG.sub("", line)).strip() for line in lines)
    return "\n".join(line for line in text.splitlines() if line)


def parse(text: str, name: str = "subtitles") -> list[Cue]:
    """The cues of SubRip or WebVTT `text` (told apart by the `WEBVTT` header), in file order; `name` is the file
    named in errors."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.strip("\n").split("\n")
        timing = next((k for k, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue  # the WEBVTT header, NOTE / STYLE / REGION blocks, stray numbers
        found = _TIMING.match(lines[timing])
        if found is None:
            raise ItemError("bad_annotation", f"unreadable cue timing {lines[timing].strip()!r}", name)
        g = found.groups()
        start, end = _seconds(*g[:4]), _seconds(*g[4:])
        body = _clean(lines[timing + 1:])
        if body and end >= start:
            cues.append((start, end, body))
    if not cues and text.strip():
        raise ItemError("bad_annotation", "no subtitle cue could be read (not SubRip or WebVTT?)", name)
    return cues


def parse_json(data: Any, name: str = "subtitles") -> list[Cue]:
    """LongVideoBench's JSON cues, read as its loader reads them: `{"start": "HH:MM:SS.mmm", "end": ..., "line":
    text}` or `{"timestamp": [start_s, end_s], "text": text}` (an end that is not a number runs to the end of
    the video: `inf`, clipped by `window`).

    >>> parse_json([{"start": "00:00:02.5", "end": "00:00:04", "line": "hi"}, {"timestamp": [5.0, None], "text": "x"}])
    [(2.5, 4.0, 'hi'), (5.0, inf, 'x')]
    """
    if not isinstance(data, list):
        raise ItemError("bad_annotation", "expected a JSON list of subtitle cues", name)
    cues = []
    for cue in data:
        try:
            if "timestamp" in cue:
                start, end = cue["timestamp"]
                text = cue["text"]
                end = float(end) if isinstance(end, int | float) else float("inf")
            else:
                start, end, text = _clock(cue["start"]), _clock(cue["end"]), cue["line"]
            body = _clean(str(text).splitlines())
        except (KeyError, TypeError, ValueError) as e:
            raise ItemError("bad_annotation", f"unreadable subtitle cue {cue!r} ({e})", name) from None
        if body:
            cues.append((float(start), end, body))
    return cues


def _clock(value: Any) -> float:
    """Seconds of `HH:MM:SS(.fff)` (or a number)."""
    if isinstance(value, int | float):
        return float(value)
    parts = [float(p) for p in str(value).replace(",", ".").split(":")]
    return sum(p * 60**k for k, p in enumerate(reversed(parts)))


def read(path: Path) -> list[Cue]:
    """The cues of the subtitle file at `path` (`.json`: `parse_json`; otherwise `parse`). A missing or
    unreadable file is `bad_annotation` naming it."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ItemError("bad_annotation", f"cannot read the subtitle file ({e.strerror})", str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if path.suffix.lower() == ".json":
        try:
            return parse_json(json.loads(text), str(path))
        except ValueError as e:
            raise ItemError("bad_annotation", f"not JSON ({e})", str(path)) from None
    return parse(text, str(path))


def beside(video: Path) -> Path | None:
    """The subtitle file beside `video` with its stem (`clip.srt`, else `clip.vtt`), or None."""
    for ext in EXTENSIONS:
        candidate = video.with_suffix(ext)
        if candidate.is_file():
            return candidate
    return None


def window(cues: list[Cue], start_s: float, end_s: float, offset_s: float = 0.0) -> list[dict[str, Any]]:
    """The cues overlapping the clip window `start_s..end_s` (video seconds), each clipped to it, as schema
    rows; a cue's video time is its file time minus `offset_s`. A cue touching the window only at one instant
    is left out unless it is itself an instant."""
    out = []
    for start, end, text in cues:
        start, end = start - offset_s, end - offset_s
        if end < start_s or start > end_s or (end == start_s and start < end) or (start == end_s and start < end):
            continue
        out.append({"start_s": max(start, start_s), "end_s": min(end, end_s), "text": text})
    return out


def for_item(item: Any, start_s: float, end_s: float) -> list[dict[str, Any]] | None:
    """The `subtitles` column of an item's row: the cues of `item.subtitles` (else of the file beside a local
    video, `beside`) within the clip window, moved by `item.subtitles_offset_s`; None when there is no file."""
    path = item.subtitles
    if path is None and isinstance(item.video, Path):
        path = beside(item.video)
    if path is None:
        return None
    return window(read(Path(path)), start_s, end_s, item.subtitles_offset_s)
