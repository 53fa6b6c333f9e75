"""`time-r1:PATH` — the Time-R1 / TimeZero grounding JSON (Wang et al., 2025, www-Ye/Time-R1)."""

from __future__ import annotations

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
PATTERNS = ("train.json", "val.json", "test.json", "*_train.json", "*_val.json", "*_test.json")
#: Folders of the Time-R1 repository (and its data download) that hold annotation files, searched under PATH.
FOLDERS = ("", "charades_annotation", "Charades/charades_annotation", "dataset/charades-sta", "dataset/activitynet")


@register("time-r1")
class TimeR1(Builder):
    """Time-R1 (TimeZero) temporal grounding JSON: one `temporal_grounding` sample per sentence.

    Layout (PATH is the folder, or one annotation file in it):
    - `train.json`, `val.json` (in PATH, `charades_annotation/` or `Charades/charades_annotation/`),
      `*_test.json`/`test.json` (in PATH, `dataset/charades-sta/` or `dataset/activitynet/`), each folder's
      `annotations/` too; split from the file name (`--split` for other
      names): `{"<video id>": {"duration": s, "timestamps": [[start_s, end_s], ...], "sentences": [...]}}`
      (`video_duration` is read when `duration` is absent), times in seconds from the video start, as
      Charades-STA/ActivityNet Captions converted by Time-R1.
    - videos `<video id>.mp4` (or `.mkv`, `.webm`, as Time-R1 looks them up) in `Charades_v1/`,
      `Charades_v1_480/`, `videos/`, PATH itself, or anywhere under PATH.

    Conversions: the span is `[start, end]` as given (Time-R1 trains on it divided by `duration`; vdata keeps
    seconds; spans past the video end are clipped by the build). `question` is the sentence, stripped (Time-R1's
    prompt also lower-cases it and drops a final period: a prompt choice, not a label). Key `<video id>#N`, N
    the 0-based sentence index; `meta["duration_s"]` keeps the annotated duration. A span that is not two
    numbers with end >= start is a `bad_span` row; an entry whose timestamps and sentences differ in number is a
    bad row.
    """

    citation = """\
@article{wang2025timezero,
  title={TimeZero: Temporal Video Grounding with Reasoning-Guided LVLM},
  author={Wang, Ye and others},
  journal={arXiv preprint arXiv:2503.13377}, year={2025}
}
"""
    license = "see https://github.com/www-Ye/Time-R1 (annotations of Charades-STA / ActivityNet Captions)"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("Charades_v1", "Charades_v1_480", "videos", ""))
        for path in self._files():
            split = split_of(path.name, SPLITS, self.split)
            try:
                data = load_mapping(path)
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for video_key in sorted(data):
                yield from self._video(path, split, video_key, data[video_key], videos)

    def _files(self) -> list[Path]:
        if not self.path.is_dir():
            return [self.path]
        found: list[Path] = []
        for folder in FOLDERS:
            found += [p for p in annotation_files(self.path / folder, PATTERNS) if p not in found]
        return found

    def _video(self, path: Path, split: str, key: str, entry: Any, videos: VideoIndex) -> Iterator[Item | BadRow]:
        where = f"{path}:{key}"
        try:
            pairs = sentence_pairs(key, entry)
        except RowError as e:
            yield BadRow(self.name, key, where, e.code, str(e))
            return
        video = videos.find(key)
        duration = entry.get("duration", entry.get("video_duration"))
        for n, (times, sentence) in enumerate(pairs):
            try:
                start_s, end_s = span(*pair(times, f"{key} sentence {n}"), f"{key} sentence {n}")
            except RowError as e:
                yield BadRow(self.name, f"{key}#{n}", where, e.code, str(e))
                continue
            yield Item(
                source=self.name,
                key=f"{key}#{n}",
                video=video,
                video_rel=videos.rel(video),
                video_id=key,
                task="temporal_grounding",
                split=split,
                question=str(sentence).strip(),
                spans=(Span(start_s, end_s),),
                meta={"duration_s": duration},
                origin=where,
            )
