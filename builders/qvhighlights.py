"""`qvhighlights:PATH` — QVHighlights moment retrieval (Lei et al., Moment-DETR, NeurIPS 2021)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, require, span
from vdata.builders.base import BadRow, Builder, Item, Span, register

#: Annotation file names of the release and their splits.
FILES = {f"highlight_{s}_release.jsonl": s for s in ("train", "val", "test")}


@register("qvhighlights")
class QVHighlights(Builder):
    """QVHighlights: one multi-span `temporal_grounding` sample per query.

    Layout (PATH is the folder, or one JSONL file):
    - `highlight_train_release.jsonl`, `highlight_val_release.jsonl`, `highlight_test_release.jsonl` (also under
      `data/` or `annotations/`; other files take `--split`), one query per line: `qid`, `query`, `duration`,
      `vid` = `<youtube id>_<start>_<end>` (the 150-s window of the YouTube video the query was written on),
      `relevant_windows` `[[s, e], ...]` in seconds from the start of that window, `relevant_clip_ids` (2-s clip
      numbers), `saliency_scores` (3 annotators' 0-4 scores per relevant clip). Test lines have no labels.
    - videos, either of:
      - `videos/<vid>.mp4` — the released 150-s clips (the format's own distribution; also found under PATH by
        name): the clip file *is* the window, so spans are used as is and no clip window is set;
      - `videos/<youtube id>.mp4` — the full YouTube video: the window becomes `clip_start_s = start`,
        `clip_end_s = end`, and spans are shifted by `start` into video time.
      The issue's table reads `vid` as a window of the source video only; the release's clip files are the common
      case, so both are handled and `meta["video_is_window"]` says which one was found.

    Conversions: `key` is the `qid`; `question` the query; `spans` every relevant window (in order, multi-span);
    `meta` keeps `duration`, `relevant_clip_ids`, `saliency_scores` and the window (`window_start_s`,
    `window_end_s`). A line that is not JSON, lacks `qid`/`query`/`vid`, has a malformed `vid`, or a window with
    end < start is a bad row.
    """

    citation = """\
@inproceedings{lei2021qvhighlights,
  title={Detecting Moments and Highlights in Videos via Natural Language Queries},
  author={Lei, Jie and Berg, Tamara L. and Bansal, Mohit},
  booktitle={NeurIPS}, year={2021}
}
"""
    license = "see https://github.com/jayleicn/moment_detr (annotations: CC BY-NC-SA 4.0)"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("videos", ""))
        files = annotation_files(self.path, list(FILES))
        if self.path.is_dir() and (self.path / "data").is_dir():
            files += [f for f in annotation_files(self.path / "data", list(FILES)) if f not in files]
        for path in files:
            split = FILES.get(path.name, self.split)
            with path.open(encoding="utf-8") as lines:
                for lineno, line in enumerate(lines, 1):
                    if line.strip():
                        yield self._item(path, lineno, line, split, videos)

    def _item(self, path: Path, lineno: int, line: str, split: str, videos: VideoIndex) -> Item | BadRow:
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
            require(obj, "qid", "query", "vid")
            return self._convert(obj, split, videos)
        except json.JSONDecodeError as e:
            return BadRow(self.name, f"line{lineno}", where, "bad_annotation", f"line {lineno}: not JSON: {e}")
        except RowError as e:
            key = str(obj.get("qid", f"line{lineno}")) if isinstance(obj, dict) else f"line{lineno}"
            return BadRow(self.name, key, where, e.code, f"line {lineno}: {e}")

    def _convert(self, obj: dict[str, Any], split: str, videos: VideoIndex) -> Item:
        vid = str(obj["vid"])
        parts = vid.rsplit("_", 2)
        try:
            youtube_id, window = parts[0], span(parts[1], parts[2], f"vid {vid!r} window")
        except (IndexError, RowError):
            raise RowError(f"vid {vid!r} is not '<youtube id>_<start>_<end>'") from None
        clip_file = videos.lookup(vid)
        full = None if clip_file is not None else videos.lookup(youtube_id)
        offset = 0.0 if full is None else window[0]
        spans = None
        if obj.get("relevant_windows") is not None:
            spans = tuple(
                Span(*(t + offset for t in span(*_pair(w), f"relevant window {w!r}")))
                for w in obj["relevant_windows"]
            )
        video = clip_file or full or videos.find(vid)
        meta = {
            "duration": obj.get("duration"),
            "relevant_clip_ids": obj.get("relevant_clip_ids"),
            "saliency_scores": obj.get("saliency_scores"),
            "window_start_s": window[0],
            "window_end_s": window[1],
            "video_is_window": full is None,
        }
        return Item(
            source=self.name,
            key=str(obj["qid"]),
            video=video,
            video_rel=videos.rel(video),
            video_id=vid,
            task="temporal_grounding",
            split=split,
            clip_start_s=None if full is None else window[0],
            clip_end_s=None if full is None else window[1],
            question=str(obj["query"]).strip(),
            spans=spans,
            meta=meta,
        )


def _pair(value: Any) -> tuple[Any, Any]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise RowError(f"window {value!r} is not [start, end]", "bad_span")
    return value[0], value[1]
