"""`jsonl:FILE` — vdata's own format: one JSON object per sample, labels already in schema units."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from vdata.builders.base import BadRow, Box, Builder, Item, Span, register
from vdata.schemas import TASKS
from vdata.video.frames_folder import FPS_KEY


@register("jsonl")
class Jsonl(Builder):
    """One JSON object per line; video paths are relative to the JSONL file's folder.

    Fields (only `video` and `task` are required):
    - `video` (str): path of the video file, relative to the JSONL file; or of a folder of frame images
      (`00001.jpg`, ... in name order, as ShareGPTVideo ships its frames), whose frame rate is the line's `fps`
      (frames per second) or the builder's option (`--source jsonl,fps=2:FILE`); `fps` is ignored for video
      files, whose times come from their packets.
    - `task` (str): one of schema v1's tasks; `split` (str) overrides `--split`.
    - `id` (str): the annotation's own id (default: `line<N>`, N the 1-based line number); the sample id is
      derived from it (a hash), and the given `id` is kept as `meta["source_id"]` so results join back to it.
    - `video_id` (str): default, the video's file name without extension.
    - `clip_start_s`, `clip_end_s` (float, seconds from video start): the window to sample keyframes from.
    - `question`, `options` (list of str, without letters), `answer` (str; the letter for multiple choice), `cot`.
    - `spans`: `[[start_s, end_s], ...]` or `[{"start_s": .., "end_s": ..}, ...]`, seconds from video start.
    - `boxes`: `[{"x1", "y1", "x2", "y2", "timestamp_s" or "frame_index", "label"?}, ...]`, pixels of the
      original video (or of `box_width` x `box_height` when those are given; 1 x 1 means normalised 0-1).
    - `meta` (object): kept as provenance.
    PATH may also be a folder holding `samples.jsonl`. Blank lines are skipped; a line that is not valid JSON or lacks a required field is a `bad_annotation`.
    """

    def __init__(self, path: str | Path, split: str = "train", fps: float | None = None) -> None:
        super().__init__(path, split)
        self.fps = fps

    def items(self) -> Iterator[Item | BadRow]:
        path = self.path / "samples.jsonl" if self.path.is_dir() else self.path
        with path.open(encoding="utf-8") as lines:
            for lineno, line in enumerate(lines, 1):
                if line.strip():
                    yield self._item(path, lineno, line)

    def _item(self, path: Path, lineno: int, line: str) -> Item | BadRow:
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("a line must be a JSON object")
            item = replace(_to_item(obj, self.name, self.split, self.root, lineno), origin=where)
            fps = obj.get("fps", self.fps)
            if fps is not None and item.video.is_dir():  # a folder of frames: its rate
                item = replace(item, meta={**item.meta, FPS_KEY: float(fps)})
            return item
        except (ValueError, TypeError, KeyError) as e:
            return BadRow(self.name, f"line{lineno}", where, "bad_annotation", f"line {lineno}: {e}")


def _to_item(obj: Mapping[str, Any], source: str, split: str, root: Path, lineno: int) -> Item:
    for required in ("video", "task"):
        if required not in obj:
            raise KeyError(f"missing field {required!r}")
    if obj["task"] not in TASKS:
        raise ValueError(f"unknown task {obj['task']!r}; known: {', '.join(TASKS)}")
    rel = str(obj["video"])
    box_space = None
    if "box_width" in obj or "box_height" in obj:
        box_space = (float(obj["box_width"]), float(obj["box_height"]))
    return Item(
        source=source,
        key=str(obj.get("id", f"line{lineno}")),
        video=(root / rel).resolve(),
        video_rel=rel,
        video_id=str(obj.get("video_id", Path(rel).stem)),
        task=obj["task"],
        split=str(obj.get("split", split)),
        clip_start_s=_float_or_none(obj.get("clip_start_s")),
        clip_end_s=_float_or_none(obj.get("clip_end_s")),
        question=obj.get("question"),
        options=tuple(str(o) for o in obj["options"]) if obj.get("options") is not None else None,
        answer=None if obj.get("answer") is None else str(obj["answer"]),
        spans=tuple(_span(s) for s in obj["spans"]) if obj.get("spans") is not None else None,
        boxes=tuple(_box(b) for b in obj["boxes"]) if obj.get("boxes") is not None else None,
        box_space=box_space,
        cot=obj.get("cot"),
        meta={**dict(obj.get("meta") or {}), **({"source_id": str(obj["id"])} if "id" in obj else {})},
    )


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _span(value: Any) -> Span:
    if isinstance(value, Mapping):
        return Span(float(value["start_s"]), float(value["end_s"]))
    start, end = value
    return Span(float(start), float(end))


def _box(value: Mapping[str, Any]) -> Box:
    if value.get("timestamp_s") is None and value.get("frame_index") is None:
        raise ValueError("a box needs timestamp_s or frame_index")
    return Box(
        x1=float(value["x1"]),
        y1=float(value["y1"]),
        x2=float(value["x2"]),
        y2=float(value["y2"]),
        timestamp_s=_float_or_none(value.get("timestamp_s")),
        frame_index=None if value.get("frame_index") is None else int(value["frame_index"]),
        label=value.get("label"),
    )
