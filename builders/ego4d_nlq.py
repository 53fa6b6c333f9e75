"""`ego4d-nlq:PATH` — Ego4D Episodic Memory natural language queries (Grauman et al., CVPR 2022)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, load_mapping, span, split_of
from vdata.builders.base import BadRow, Builder, Item, Span, register

SPLITS = ("train", "val", "test")
FILES = ("nlq_train.json", "nlq_val.json", "nlq_test_unannotated.json")


@register("ego4d-nlq")
class Ego4DNLQ(Builder):
    """Ego4D NLQ: one `temporal_grounding` sample per language query.

    Layout (PATH is the Ego4D folder, or one annotation file):
    - `nlq_train.json`, `nlq_val.json`, `nlq_test_unannotated.json` (in PATH, `annotations/`, `v1/annotations/`
      or `v2/annotations/`; split from the file name): `{"videos": [{"video_uid", "clips": [{"clip_uid",
      "video_start_sec", "video_end_sec", "annotations": [{"annotation_uid", "language_queries": [{"query",
      "template", "clip_start_sec", "clip_end_sec", "video_start_sec", "video_end_sec", ...}]}]}]}]}`.
      A query's `clip_*_sec` are seconds from the start of its clip; its `video_*_sec` seconds from the start of
      the full video; the clip's own `video_start_sec`/`video_end_sec` place the clip in the full video.
    - videos: the canonical clip `clips/<clip_uid>.mp4` (or `v1/clips/`, `v2/clips/`), else the full video
      `full_scale/<video_uid>.mp4` (or `v1/full_scale/`, `v2/full_scale/`); anywhere under PATH by name too.

    Conversions: with the clip file (preferred), the span is the query's `[clip_start_sec, clip_end_sec]` and
    the sample is the whole clip; with only the full video, the span is the query's `[video_start_sec,
    video_end_sec]` and the clip window is the clip's `[video_start_sec, video_end_sec]` (keyframes come from
    the clip only, as in the benchmark). `meta["time_base"]` says which (`clip` or `video`). Near-zero windows
    (a known NLQ annotation issue) are kept as they are. Key `<annotation_uid>_<N>`, N the 0-based query
    index; `question` the stripped query; `meta` keeps `template`, `clip_uid`, `video_uid`. A query without text
    (some releases have them; the official baseline skips them) is a bad row; a test query has no span.
    """

    citation = """\
@inproceedings{grauman2022ego4d,
  title={Ego4D: Around the World in 3,000 Hours of Egocentric Video},
  author={Grauman, Kristen and others},
  booktitle={CVPR}, pages={18995--19012}, year={2022}
}
"""
    license = "see https://ego4d-data.org/pdfs/Ego4D-Licenses-Draft.pdf (Ego4D license agreement)"

    def items(self) -> Iterator[Item | BadRow]:
        clips = VideoIndex(self.root, ("clips", "v1/clips", "v2/clips", ""))
        full = VideoIndex(self.root, ("full_scale", "v1/full_scale", "v2/full_scale", ""))
        paths = annotation_files(self.path, FILES)
        if self.path.is_dir():
            for sub in ("v1/annotations", "v2/annotations"):
                paths += [p for p in annotation_files(self.path / sub, FILES) if p not in paths]
        for path in paths:
            split = split_of(path.name, SPLITS, self.split)
            try:
                videos = load_mapping(path, "an object with 'videos'").get("videos")
                if not isinstance(videos, list):
                    raise RowError(f"{path.name}: 'videos' is not a list")
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for video in videos:
                for clip in (video.get("clips") or []) if isinstance(video, dict) else []:
                    yield from self._clip(path, split, str(video.get("video_uid", "")), clip, clips, full)

    def _clip(
        self, path: Path, split: str, video_uid: str, clip: Any, clips: VideoIndex, full: VideoIndex
    ) -> Iterator[Item | BadRow]:
        if not isinstance(clip, dict):
            yield BadRow(self.name, video_uid, f"{path}:{video_uid}", "bad_annotation", "a clip is not an object")
            return
        clip_uid = str(clip.get("clip_uid", ""))
        clip_file = clips.lookup(clip_uid) if clip_uid else None
        whole = full.lookup(video_uid) if clip_file is None and video_uid else None
        window: tuple[float, float] | None = None
        if clip_file is None and whole is not None:
            try:
                window = span(clip.get("video_start_sec"), clip.get("video_end_sec"), f"clip {clip_uid} window")
            except RowError as e:
                yield BadRow(self.name, clip_uid, f"{path}:{clip_uid}", e.code, str(e))
                return
        video, index, base = (whole, full, "video") if window is not None else (clip_file, clips, "clip")
        if video is None:
            video = clips.find(clip_uid)  # missing: the build reports video_missing under the clip's name
        for annotation in clip.get("annotations") or []:
            uid = str(annotation.get("annotation_uid", "")) if isinstance(annotation, dict) else ""
            queries = annotation.get("language_queries") or [] if isinstance(annotation, dict) else []
            for n, query in enumerate(queries):
                key = f"{uid}_{n}"
                try:
                    yield self._query(query, key, base, window, split, video, index, clip_uid, video_uid)
                except RowError as e:
                    yield BadRow(self.name, key, f"{path}:{key}", e.code, f"{key}: {e}")

    def _query(
        self, query: Any, key: str, base: str, window: tuple[float, float] | None, split: str, video: Path,
        index: VideoIndex, clip_uid: str, video_uid: str,
    ) -> Item:
        if not isinstance(query, dict) or not str(query.get("query") or "").strip():
            raise RowError("the query has no text")
        start, end = query.get(f"{base}_start_sec"), query.get(f"{base}_end_sec")
        spans = None
        if start is not None or end is not None or split != "test":
            spans = (Span(*span(start, end, f"{base}_start_sec/{base}_end_sec")),)
        return Item(
            source=self.name,
            key=key,
            video=video,
            video_rel=index.rel(video),
            video_id=clip_uid if base == "clip" else video_uid,
            task="temporal_grounding",
            split=split,
            clip_start_s=window[0] if window else None,
            clip_end_s=window[1] if window else None,
            question=str(query["query"]).strip(),
            spans=spans,
            meta={"template": query.get("template"), "clip_uid": clip_uid, "video_uid": video_uid, "time_base": base},
        )
