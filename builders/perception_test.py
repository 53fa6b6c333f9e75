"""`perception-test:PATH` — DeepMind Perception Test (Pătrăucean et al., NeurIPS 2023 Datasets and Benchmarks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, letter, load_json, require
from vdata.builders.base import BadRow, Box, Builder, Item, register

PATTERNS = ("all_*.json", "mc_question_*.json", "object_tracking_*.json", "sample.json")
#: How far outside [0, 1] a normalised box coordinate may lie (annotation rounding) and still be clipped.
SLACK = 0.1


@register("perception-test")
class PerceptionTest(Builder):
    """Perception Test: `multiple_choice` samples from `mc_question`, `tracking` samples from `object_tracks`.

    Layout (PATH is the folder, or one annotation file in it):
    - `all_train.json`, `all_valid.json`, `all_test.json`, or the per-task `mc_question_<split>.json` /
      `object_tracking_<split>.json` (also under `annotations/`): `{"video_<n>": {"metadata": {"video_id",
      "split", "num_frames", "frame_rate", "resolution": [height, width]}, "mc_question": [{"id", "question",
      "options": [3 texts], "answer_id", "area", "reasoning", "tag"}], "object_tracks": [{"id", "label",
      "bounding_boxes": [[x1, y1, x2, y2], ...], "frame_ids": [...], "timestamps": [...],
      "initial_tracking_box": [0/1, ...]}]}}`. The split is `metadata.split` (`--split` when absent). An
      annotation found in several files is built once.
    - videos `videos/<video_id>.mp4` (or `<split>_videos/`, PATH itself, or anywhere under PATH).

    Conversions: multiple choice: key `<video_id>#mc<id>`, `options` as given, `answer` the letter of
    `answer_id` (None in the test split, which has no answers); `meta` keeps `area`, `reasoning`, `tag`.
    Tracking: key `<video_id>#track<id>`, `question` the object label, one box per annotated frame on 0-based
    frame `frame_ids[i]` (frame ids are used rather than `timestamps`, whose unit the README gives as ms while
    the issue's table says microseconds; the build times each box from the video's frame table). Boxes are
    x1,y1,x2,y2 normalised to the frame (box space 1 x 1), as the format documents, whatever the values: a
    coordinate slightly outside [0, 1] (up to `SLACK`) is clipped into it and its box counted in
    `meta["boxes_clipped"]`; one further out is no normalised coordinate and makes the track a `bad_box` row.
    `meta` keeps `label`, `initial_tracking_box` (index of the box a tracker starts from), `is_occluder`.
    An `answer_id` outside the options or a track with mismatched `bounding_boxes`/`frame_ids` is a bad row.
    """

    citation = """\
@inproceedings{patraucean2023perception,
  title={Perception Test: A Diagnostic Benchmark for Multimodal Video Models},
  author={P{\\u{a}}tr{\\u{a}}ucean, Viorica and others},
  booktitle={NeurIPS Datasets and Benchmarks}, year={2023}
}
"""

    #: The release README: materials under CC-BY 4.0 (code under Apache 2.0).
    license = "cc-by-4.0"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("videos", "train_videos", "valid_videos", "test_videos", ""))
        seen: set[str] = set()
        for path in annotation_files(self.path, PATTERNS):
            try:
                data = load_json(path)
                if not isinstance(data, dict):
                    raise RowError(f"{path.name}: expected an object keyed by video id")
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for video_key in sorted(data):
                for item in self._video(path, video_key, data[video_key], videos):
                    if item.key not in seen:
                        seen.add(item.key)
                        yield item

    def _video(self, path: Path, video_key: str, entry: Any, videos: VideoIndex) -> Iterator[Item | BadRow]:
        metadata = (entry.get("metadata") or {}) if isinstance(entry, dict) else {}
        video_id = str(metadata.get("video_id", video_key))
        video = videos.find(video_id)
        common = {
            "source": self.name,
            "video": video,
            "video_rel": videos.rel(video),
            "video_id": video_id,
            "split": str(metadata.get("split") or self.split),
        }
        for q in (entry.get("mc_question") or []) if isinstance(entry, dict) else []:
            key = f"{video_id}#mc{q.get('id') if isinstance(q, dict) else '?'}"
            try:
                yield self._question(q, key, common)
            except (RowError, TypeError, ValueError) as e:
                yield BadRow(self.name, key, f"{path}:{video_key}", getattr(e, "code", "bad_annotation"), f"{key}: {e}")
        for track in (entry.get("object_tracks") or []) if isinstance(entry, dict) else []:
            key = f"{video_id}#track{track.get('id') if isinstance(track, dict) else '?'}"
            try:
                yield self._track(track, key, common)
            except (RowError, TypeError, ValueError) as e:
                yield BadRow(self.name, key, f"{path}:{video_key}", getattr(e, "code", "bad_box"), f"{key}: {e}")

    def _question(self, q: Any, key: str, common: dict[str, Any]) -> Item:
        require(q, "question", "options")
        options = tuple(str(o).strip() for o in q["options"])
        answer = None if q.get("answer_id") is None else letter(int(q["answer_id"]), len(options))
        return Item(
            key=key,
            task="multiple_choice",
            question=str(q["question"]).strip(),
            options=options,
            answer=answer,
            meta={k: q.get(k) for k in ("id", "answer_id", "area", "reasoning", "tag")},
            **common,
        )

    def _track(self, track: Any, key: str, common: dict[str, Any]) -> Item:
        require(track, "bounding_boxes", "frame_ids")
        boxes, frame_ids = track["bounding_boxes"], track["frame_ids"]
        if len(boxes) != len(frame_ids):
            raise RowError(f"{len(boxes)} bounding_boxes but {len(frame_ids)} frame_ids", "bad_box")
        coords = [[float(v) for v in b] for b in boxes]
        if any(len(b) != 4 for b in coords):
            raise RowError("a bounding box is not [x1, y1, x2, y2]", "bad_box")
        if any(not -SLACK <= v <= 1.0 + SLACK for b in coords for v in b):  # NaN fails too
            far = next(v for b in coords for v in b if not -SLACK <= v <= 1.0 + SLACK)
            raise RowError(f"box coordinate {far:g} is not normalised (0-1, as the format documents)", "bad_box")
        clipped = sum(any(not 0.0 <= v <= 1.0 for v in b) for b in coords)
        coords = [[min(max(v, 0.0), 1.0) for v in b] for b in coords]
        label = str(track.get("label", "")).strip()
        return Item(
            key=key,
            task="tracking",
            question=label,
            boxes=tuple(Box(*b, frame_index=int(f), label=label) for b, f in zip(coords, frame_ids, strict=True)),
            box_space=(1.0, 1.0),
            meta={
                "id": track.get("id"),
                "label": label,
                "initial_tracking_box": _first_set(track.get("initial_tracking_box")),
                "is_occluder": track.get("is_occluder"),
                "boxes_clipped": clipped,
            },
            **common,
        )


def _first_set(flags: Any) -> int | None:
    """The index of the first non-zero entry of a one-hot list (None when there is none)."""
    for i, flag in enumerate(flags or []):
        if flag:
            return i
    return None
