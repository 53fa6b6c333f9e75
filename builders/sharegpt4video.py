"""`sharegpt4video:PATH` — ShareGPT4Video GPT-4V captions (Chen et al., NeurIPS 2024 Datasets and Benchmarks)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, require, span
from vdata.builders.base import BadRow, Builder, Item, Span, register

FILES = ("sharegpt4video_40k.jsonl",)
#: The `idx` of the whole-video caption among a row's `captions`.
WHOLE = "-1"


@register("sharegpt4video")
class ShareGPT4Video(Builder):
    """ShareGPT4Video: per video, one `caption` sample of the whole video and one dense `caption` sample of its
    keyframe captions.

    Layout (PATH is the folder, or the JSONL file):
    - `sharegpt4video_40k.jsonl` (also under `annotations/`; other `.jsonl` files are read when named as PATH):
      one object a line, `{"video_id", "zip_folder": "<name>.zip", "keyframe": [frame index, ...],
      "timestamp": [seconds, ...], "captions": [{"idx": "0", "content": "..."}, ..., {"idx": "-1",
      "content": "<whole-video caption>"}]}`. The keyframes are the frames the differential captioner saw;
      `timestamp[i]` is keyframe i's time in seconds from the video start (`frame / fps`). Caption `idx` i
      describes keyframe 0 (i = 0) or what changed between keyframes i-1 and i (i >= 1).
    - videos `<zip name without .zip>/<video_id>.mp4` as the `zip_folder` archives unpack (e.g.
      `zip_folder/panda/panda_videos_1/<video_id>.mp4`), found by name anywhere under PATH.

    Conversions: whole-video sample: key `<video_id>#caption`, `answer` the `idx` -1 caption. Keyframe sample:
    key `<video_id>#keyframes`, `answer` the keyframe captions in `idx` order joined by newlines, `spans` one
    per caption: `[timestamp[i-1], timestamp[i]]` for i >= 1 and the instant `[timestamp[0], timestamp[0]]`
    for caption 0 (a `timestamp` entry written as a `[start, end]` pair is taken as caption i's span). `meta`
    keeps `keyframe`, `timestamp`, `zip_folder`. A caption `idx` with no keyframe time, timestamps that are not
    numbers or go back in time, or a row without `captions`/`video_id` is a bad row; a row without an `idx` -1
    caption gives only the keyframe sample.
    """

    citation = """\
@inproceedings{chen2024sharegpt4video,
  title={ShareGPT4Video: Improving Video Understanding and Generation with Better Captions},
  author={Chen, Lin and Wei, Xilin and Li, Jinsong and Dong, Xiaoyi and Zhang, Pan and Zang, Yuhang and
          Chen, Zehui and Duan, Haodong and Lin, Bin and Tang, Zhenyu and Yuan, Li and Qiao, Yu and
          Lin, Dahua and Zhao, Feng and Wang, Jiaqi},
  booktitle={NeurIPS Datasets and Benchmarks}, year={2024}
}
"""
    license = "cc-by-nc-4.0"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("videos", ""))
        for path in annotation_files(self.path, FILES):
            with path.open(encoding="utf-8") as lines:
                for lineno, line in enumerate(lines, 1):
                    if not line.strip():
                        continue
                    key = f"line{lineno}"
                    try:
                        row = json.loads(line)
                        key = str(row.get("video_id", key)) if isinstance(row, dict) else key
                        yield from self._video(row, videos, f"{path}:{lineno}")
                    except json.JSONDecodeError as e:
                        yield BadRow(self.name, key, f"{path}:{lineno}", "bad_annotation", f"line {lineno}: {e}")
                    except RowError as e:
                        yield BadRow(self.name, key, f"{path}:{lineno}", e.code, f"{key}: {e}")

    def _video(self, row: Any, videos: VideoIndex, where: str) -> Iterator[Item]:
        require(row, "video_id", "captions")
        video_id = str(row["video_id"])
        captions = {str(c.get("idx")): str(c.get("content") or "").strip() for c in row["captions"]
                    if isinstance(c, dict)}
        steps = sorted((int(k), text) for k, text in captions.items() if k.lstrip("-").isdigit() and int(k) >= 0)
        spans = [_caption_span(i, row.get("timestamp")) for i, _ in steps]
        zip_stem = str(row.get("zip_folder") or "").removesuffix(".zip")
        video = videos.lookup(video_id) or (self.root / zip_stem / f"{video_id}.mp4")
        common = {"source": self.name, "video": video, "video_rel": videos.rel(video), "video_id": video_id,
                  "split": self.split, "origin": where,
                  "meta": {"keyframe": row.get("keyframe"), "timestamp": row.get("timestamp"),
                           "zip_folder": row.get("zip_folder")}}
        if captions.get(WHOLE):
            yield Item(key=f"{video_id}#caption", task="caption", answer=captions[WHOLE], **common)
        if steps:
            yield Item(key=f"{video_id}#keyframes", task="caption", answer="\n".join(t for _, t in steps),
                       spans=tuple(spans), **common)


def _caption_span(i: int, timestamps: Any) -> Span:
    """The span caption `i` describes: from keyframe i-1 to keyframe i (keyframe 0 alone for i = 0)."""
    if not isinstance(timestamps, list) or i >= len(timestamps):
        raise RowError(f"caption {i} has no keyframe timestamp", "bad_span")
    own = timestamps[i]
    if isinstance(own, (list, tuple)):
        if len(own) != 2:
            raise RowError(f"timestamp {own!r} is not a time or [start, end]", "bad_span")
        return Span(*span(own[0], own[1], f"caption {i} timestamp"))
    previous = timestamps[i - 1] if i > 0 else own
    start_s, end_s = span(previous, own, f"keyframe timestamps {i - 1}-{i}" if i else "keyframe timestamp 0")
    if not (math.isfinite(start_s) and math.isfinite(end_s)):
        raise RowError(f"keyframe timestamps {previous!r}, {own!r} are not finite", "bad_span")
    return Span(start_s, end_s)
