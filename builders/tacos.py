"""`tacos:PATH` — TACoS sentence grounding in 2D-TAN's JSON (Regneri et al., TACL 2013; Zhang et al., AAAI 2020)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import (
    RowError,
    VideoIndex,
    annotation_files,
    load_mapping,
    pair,
    sentence_pairs,
    span,
    split_of,
)
from vdata.builders.base import BadRow, Builder, Item, Span, register

SPLITS = ("train", "val", "test")


@register("tacos")
class TACoS(Builder):
    """TACoS (2D-TAN release): one `temporal_grounding` sample per sentence.

    Layout (PATH is the folder, or one annotation file in it):
    - `train.json`, `val.json`, `test.json` (2D-TAN's `data/TACoS/`; also under `annotations/`; split = file
      name, other files take `--split`): `{"s13-d21.avi": {"num_frames": n, "fps": f, "timestamps":
      [[start_frame, end_frame], ...], "sentences": ["...", ...]}}`, timestamps in FRAMES of the video.
    - videos `videos/<key>` (the MPII Cooking Composite file the key names, e.g. `s13-d21.avi`; `<stem>.<ext>`
      with another extension, PATH itself, or anywhere under PATH are found too).

    Conversions: the span is `[start_frame / fps, end_frame / fps]` seconds from the video start, `fps` the
    entry's own (2D-TAN's rule; spans past the video end are clipped by the build). `question` is the sentence,
    stripped. Key `<key>#N`, N the 0-based sentence index; `video_id` the key without extension. `meta` keeps
    `start_frame`, `end_frame`, `fps`, `num_frames` and `duration_s` = num_frames / fps. A span with
    end <= start is a `bad_span` row (2D-TAN drops them: they cannot be learned); an entry without a positive
    `fps`, or with timestamps and sentences of different lengths, is a bad row.
    """

    citation = """\
@article{regneri2013grounding,
  title={Grounding Action Descriptions in Videos},
  author={Regneri, Michaela and Rohrbach, Marcus and Wetzel, Dominikus and Thater, Stefan and Schiele, Bernt
          and Pinkal, Manfred},
  journal={TACL}, volume={1}, pages={25--36}, year={2013}
}
"""
    license = "see https://www.coli.uni-saarland.de/projects/smile/page.php?id=tacos (research use)"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("videos", "TACoS/videos", ""))
        for path in annotation_files(self.path, [f"{s}.json" for s in SPLITS]):
            split = split_of(path.name, SPLITS, self.split)
            try:
                data = load_mapping(path)
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for video_key in sorted(data):
                yield from self._video(path, split, video_key, data[video_key], videos)

    def _video(self, path: Path, split: str, key: str, entry: Any, videos: VideoIndex) -> Iterator[Item | BadRow]:
        where = f"{path}:{key}"
        try:
            pairs = sentence_pairs(key, entry)
            fps = float(entry.get("fps"))
            if not (math.isfinite(fps) and fps > 0):
                raise ValueError
        except RowError as e:
            yield BadRow(self.name, key, where, e.code, str(e))
            return
        except (TypeError, ValueError):
            yield BadRow(self.name, key, where, "bad_annotation", f"{key}: fps {entry.get('fps')!r} is not positive")
            return
        video_id = key.rsplit(".", 1)[0]
        video = videos.lookup(key) or videos.lookup(video_id) or videos.find_file(key)
        num_frames = entry.get("num_frames")
        duration_s = float(num_frames) / fps if isinstance(num_frames, (int, float)) else None
        for n, (times, sentence) in enumerate(pairs):
            try:
                first, last = pair(times, f"{key} sentence {n}")
                start_s, end_s = span(_frames(first) / fps, _frames(last) / fps, f"{key} sentence {n}")
                if end_s <= start_s:
                    raise RowError(f"{key} sentence {n}: frames [{first}, {last}] hold no time", "bad_span")
            except RowError as e:
                yield BadRow(self.name, f"{key}#{n}", where, e.code, str(e))
                continue
            yield Item(
                source=self.name,
                key=f"{key}#{n}",
                video=video,
                video_rel=videos.rel(video),
                video_id=video_id,
                task="temporal_grounding",
                split=split,
                question=str(sentence).strip(),
                spans=(Span(start_s, end_s),),
                meta={"start_frame": first, "end_frame": last, "fps": fps, "num_frames": num_frames,
                      "duration_s": duration_s},
                origin=where,
            )


def _frames(value: Any) -> float:
    """A frame number as a float; `RowError(bad_span)` when it is not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RowError(f"frame {value!r} is not a number", "bad_span") from None
