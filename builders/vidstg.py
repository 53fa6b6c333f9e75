"""`vidstg:PATH` — VidSTG spatio-temporal video grounding for multi-form sentences (Zhang et al., CVPR 2020)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, load_json, require, span
from vdata.builders.base import BadRow, Box, Builder, Item, Span, register

FILES = {f"{s}_annotations.json": s for s in ("train", "val", "test")}


@register("vidstg")
class VidSTG(Builder):
    """VidSTG: one `spatiotemporal_grounding` sample per sentence (declarative caption or interrogative question).

    Layout (PATH is the folder, or one annotation file in it):
    - `train_annotations.json`, `val_annotations.json`, `test_annotations.json` (the VidSTG-Dataset release,
      also under `annotations/`; split from the file name): a list of records `{"vid", "fps", "frame_count",
      "width", "height", "subject/objects": [{"tid", "category"}], "used_segment": {"begin_fid", "end_fid"},
      "used_relation": {...}, "temporal_gt": {"begin_fid", "end_fid"}, "captions": [{"description", "type",
      "target_id"}], "questions": [...]}`. Frame ids are 0-based; `temporal_gt.end_fid` is exclusive (VidOR's
      relation convention: it equals `frame_count` when a relation lasts to the end).
    - the VidOR annotations `annotation/{training,validation}/<folder>/<vid>.json` (also `vidor/annotation/`),
      whose `trajectories[fid]` lists `{"tid", "bbox": {"xmin", "ymin", "xmax", "ymax"}}` in pixels of
      `width` x `height` for frame `fid`, and whose `video_path` (`<folder>/<vid>.mp4`) names the video under
      `video/` (or `videos/`, `vidor/video/`; otherwise found by `<vid>` anywhere under PATH).

    Conversions: `key` is `<vid>#<segment begin>-<segment end>#<subject tid>-<predicate>-<object tid>@<gt
    begin>-<gt end>#caption<N>` / `#question<N>` (two records of one segment differ by their relation or its
    `temporal_gt`); `question` the
    sentence; `spans` `[[begin_fid / fps, end_fid / fps]]` from `temporal_gt` (end exclusive, so the span ends
    where frame end_fid - 1 ends); `clip_start_s`/`clip_end_s` from `used_segment` the same way; `boxes` the
    target's (`target_id`) box on every frame of `[begin_fid, end_fid)`, `xmin, ymin, xmax, ymax` as
    `x1, y1, x2, y2` on that 0-based frame, labelled with its category. `fps` is the annotation's (the build
    cannot re-time spans computed from it; boxes carry frame indices and are timed from the video). `meta` keeps
    the sentence `type`, `target_id`, `used_relation`, `fps`, `width`, `height`. A record without a VidOR
    annotation, or with end < begin, is a bad row.
    """

    citation = """\
@inproceedings{zhang2020vidstg,
  title={Where Does It Exist: Spatio-Temporal Video Grounding for Multi-Form Sentences},
  author={Zhang, Zhu and Zhao, Zhou and Zhao, Yang and Wang, Qi and Liu, Huasheng and Gao, Lianli},
  booktitle={CVPR}, year={2020}
}
"""
    license = "see https://github.com/Guaranteer/VidSTG-Dataset (videos: VidOR, see its terms)"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("video", "videos", "vidor/video", ""))
        vidor = _VidOR(self.root)
        for path in annotation_files(self.path, list(FILES)):
            split = FILES.get(path.name, self.split)
            try:
                records = load_json(path)
                if not isinstance(records, list):
                    raise RowError(f"{path.name}: expected a list of records")
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for n, record in enumerate(records):
                try:
                    yield from self._record(record, split, vidor, videos)
                except (RowError, TypeError, ValueError, KeyError) as e:
                    key = f"{record.get('vid')}@{n}" if isinstance(record, dict) else f"record{n}"
                    code = getattr(e, "code", "bad_annotation")
                    yield BadRow(self.name, key, f"{path}:{n}", code, f"record {n}: {e}")

    def _record(self, record: Any, split: str, vidor: _VidOR, videos: VideoIndex) -> Iterator[Item]:
        require(record, "vid", "fps", "temporal_gt", "used_segment")
        vid, fps = str(record["vid"]), float(record["fps"])
        gt, segment = record["temporal_gt"], record["used_segment"]
        begin, end = (int(v) for v in span(gt["begin_fid"], gt["end_fid"], "temporal_gt"))
        seg_begin, seg_end = (int(v) for v in span(segment["begin_fid"], segment["end_fid"], "used_segment"))
        annotation = vidor.get(vid)
        video = videos.root / "video" / str(annotation["video_path"]) if annotation.get("video_path") else None
        if video is None or not video.is_file():
            video = videos.find(vid)
        categories = {o.get("tid"): o.get("category") for o in record.get("subject/objects", [])}
        trajectories = annotation.get("trajectories") or []
        width, height = record.get("width"), record.get("height")
        relation = record.get("used_relation") or {}
        rel = "-".join(str(relation.get(k, "")) for k in ("subject_tid", "predicate", "object_tid"))
        for kind in ("captions", "questions"):
            for n, sentence in enumerate(record.get(kind) or []):
                require(sentence, "description", "target_id")
                target = sentence["target_id"]
                boxes = tuple(
                    Box(
                        float(b["bbox"]["xmin"]),
                        float(b["bbox"]["ymin"]),
                        float(b["bbox"]["xmax"]),
                        float(b["bbox"]["ymax"]),
                        frame_index=fid,
                        label=categories.get(target),
                    )
                    for fid in range(begin, min(end, len(trajectories)))
                    for b in trajectories[fid]
                    if b.get("tid") == target
                )
                yield Item(
                    source=self.name,
                    key=f"{vid}#{seg_begin}-{seg_end}#{rel}@{begin}-{end}#{kind[:-1]}{n}",
                    video=video,
                    video_rel=videos.rel(video),
                    video_id=vid,
                    task="spatiotemporal_grounding",
                    split=split,
                    clip_start_s=seg_begin / fps,
                    clip_end_s=seg_end / fps,
                    question=str(sentence["description"]).strip(),
                    spans=(Span(begin / fps, end / fps),),
                    boxes=boxes,
                    box_space=(float(width), float(height)) if width and height else None,
                    meta={
                        "sentence": kind[:-1],
                        "type": sentence.get("type"),
                        "target_id": target,
                        "used_relation": record.get("used_relation"),
                        "fps": fps,
                        "width": width,
                        "height": height,
                    },
                )


class _VidOR:
    """The VidOR annotation of a video id, read on first use (the last one read is kept; records come grouped)."""

    def __init__(self, root: Path) -> None:
        self.files: dict[str, Path] = {}
        for folder in (root / "annotation", root / "vidor" / "annotation", root / "annotations"):
            if folder.is_dir():
                for f in sorted(folder.rglob("*.json")):
                    self.files.setdefault(f.stem, f)
        self._cache: tuple[str, dict[str, Any]] | None = None

    def get(self, vid: str) -> dict[str, Any]:
        if self._cache is not None and self._cache[0] == vid:
            return self._cache[1]
        path = self.files.get(vid)
        if path is None:
            raise RowError(f"no VidOR annotation annotation/*/*/{vid}.json for video {vid}")
        data = load_json(path)
        if not isinstance(data, dict):
            raise RowError(f"{path}: expected a VidOR annotation object")
        self._cache = (vid, data)
        return data
