"""`perception-test:PATH` — DeepMind Perception Test (Pătrăucean et al., NeurIPS 2023 Datasets and Benchmarks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, letter, load_json, require, span
from vdata.builders.base import BadRow, Box, Builder, Item, Span, register

PATTERNS = ("all_*.json", "mc_question_*.json", "object_tracking_*.json", "action_localisation_*.json",
            "sound_localisation_*.json", "grounded_question_*.json", "sample.json")
#: Segment annotation lists -> the key prefix of their samples.
SEGMENTS = {"action_segments": "action", "sound_segments": "sound"}
#: How far outside [0, 1] a normalised box coordinate may lie (annotation rounding) and still be clipped.
SLACK = 0.1


@register("perception-test")
class PerceptionTest(Builder):
    """Perception Test: `multiple_choice` samples from `mc_question`, `tracking` samples from `object_tracks` and
    `grounded_question`, `temporal_grounding` samples from `action_segments` and `sound_segments`.

    Layout (PATH is the folder, or one annotation file in it):
    - `all_train.json`, `all_valid.json`, `all_test.json`, or the per-task `mc_question_<split>.json` /
      `object_tracking_<split>.json` (also under `annotations/`): `{"video_<n>": {"metadata": {"video_id",
      "split", "num_frames", "frame_rate", "resolution": [height, width]}, "mc_question": [{"id", "question",
      "options": [3 texts], "answer_id", "area", "reasoning", "tag"}], "object_tracks": [{"id", "label",
      "bounding_boxes": [[x1, y1, x2, y2], ...], "frame_ids": [...], "timestamps": [...],
      "initial_tracking_box": [0/1, ...]}], "action_segments" / "sound_segments": [{"id", "label", "label_id",
      "frame_ids": [first, last], "timestamps": [...], "parent_objects", "is_visible" (sound)}],
      "grounded_question": [{"id", "question", "answers": [object track ids], "area", "reasoning"}]}}`; the
      per-task files `action_localisation_<split>.json`, `sound_localisation_<split>.json`,
      `grounded_question_<split>.json` hold the same entries. The split is `metadata.split` (`--split` when
      absent). An annotation found in several files is built once.
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
    Action and sound segments: one sample per label of a video, key `<video_id>#action<label_id>` (or
    `#sound<label_id>`), `question` the label (`Putting something into something`), `spans` every segment
    of that label in time order (a label often recurs; the metric takes the best-matching span), each
    `[first / frame_rate, last / frame_rate]` seconds from the frame ids and `metadata.frame_rate` (frame
    ids again, not `timestamps`); `meta` keeps `label`, `label_id`, the segments' `ids`, `parent_objects` and
    (sound) `is_visible`. Grounded questions: key `<video_id>#gq<id>`, task `tracking`, `question` the
    question, `boxes` the boxes of every answer object's track (read as object tracks are), each labelled
    with its track's label (no boxes in the test split, which withholds the answers); `meta` keeps `answers`
    (the object ids), `area`, `reasoning`.
    An `answer_id` outside the options, a track with mismatched `bounding_boxes`/`frame_ids`, a segment
    without two frame ids or a video without `frame_rate`, or a grounded answer naming no track of the
    video is a bad row.
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
        tracks = (entry.get("object_tracks") or []) if isinstance(entry, dict) else []
        for track in tracks:
            key = f"{video_id}#track{track.get('id') if isinstance(track, dict) else '?'}"
            try:
                yield self._track(track, key, common)
            except (RowError, TypeError, ValueError) as e:
                yield BadRow(self.name, key, f"{path}:{video_key}", getattr(e, "code", "bad_box"), f"{key}: {e}")
        if not isinstance(entry, dict):
            return
        for field, prefix in SEGMENTS.items():
            yield from self._segments(path, video_key, entry.get(field) or [], prefix, metadata, common)
        by_id = {t.get("id"): t for t in tracks if isinstance(t, dict)}
        for q in entry.get("grounded_question") or []:
            key = f"{video_id}#gq{q.get('id') if isinstance(q, dict) else '?'}"
            try:
                yield self._grounded(q, key, by_id, common)
            except (RowError, TypeError, ValueError) as e:
                yield BadRow(self.name, key, f"{path}:{video_key}", getattr(e, "code", "bad_box"), f"{key}: {e}")

    def _segments(
        self, path: Path, video_key: str, segments: Any, prefix: str, metadata: dict[str, Any],
        common: dict[str, Any],
    ) -> Iterator[Item | BadRow]:
        """One `temporal_grounding` sample per label: every segment of the label, in time order."""
        by_label: dict[Any, list[dict[str, Any]]] = {}
        for segment in segments:
            if isinstance(segment, dict):
                by_label.setdefault(segment.get("label_id", segment.get("label")), []).append(segment)
        for label_id, group in by_label.items():
            key = f"{common['video_id']}#{prefix}{label_id}"
            try:
                rate = float(metadata.get("frame_rate") or 0)
                if not rate > 0:
                    raise RowError("the video's metadata has no frame_rate", "bad_span")
                timed = sorted(((span(*_two(s.get("frame_ids")), "frame_ids"), n) for n, s in enumerate(group)))
                spans = [Span(first / rate, last / rate) for (first, last), _ in timed]
                group = [group[n] for _, n in timed]
            except (RowError, TypeError, ValueError) as e:
                yield BadRow(self.name, key, f"{path}:{video_key}", getattr(e, "code", "bad_span"), f"{key}: {e}")
                continue
            label = str(group[0].get("label", "")).strip()
            meta: dict[str, Any] = {"label": label, "label_id": label_id, "ids": [s.get("id") for s in group],
                                    "parent_objects": [s.get("parent_objects") for s in group]}
            if prefix == "sound":
                meta["is_visible"] = [s.get("is_visible") for s in group]
            yield Item(key=key, task="temporal_grounding", question=label, spans=tuple(spans), meta=meta, **common)

    def _grounded(self, q: Any, key: str, tracks: dict[Any, Any], common: dict[str, Any]) -> Item:
        require(q, "question")
        answers = list(q.get("answers") or [])
        if not answers and common["split"] == "test":  # the test split withholds the answers
            return Item(key=key, task="tracking", question=str(q["question"]).strip(), meta=_grounded_meta(q),
                        **common)
        missing = [a for a in answers if a not in tracks]
        if not answers or missing:
            raise RowError(f"answer objects {missing or answers} name no object track of the video", "bad_box")
        boxes: list[Box] = []
        for object_id in answers:
            boxes += self._track(tracks[object_id], key, common).boxes or ()
        return Item(
            key=key,
            task="tracking",
            question=str(q["question"]).strip(),
            boxes=tuple(boxes),
            box_space=(1.0, 1.0),
            meta=_grounded_meta(q),
            **common,
        )

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


def _grounded_meta(q: dict[str, Any]) -> dict[str, Any]:
    """What a grounded question keeps in `meta`: its answer object ids, `area`, `reasoning`."""
    return {"answers": q.get("answers"), "area": q.get("area"), "reasoning": q.get("reasoning")}


def _two(frame_ids: Any) -> tuple[Any, Any]:
    """The first and last frame ids of a segment; `RowError(bad_span)` unless there are exactly two."""
    if not isinstance(frame_ids, (list, tuple)) or len(frame_ids) != 2:
        raise RowError(f"frame_ids {frame_ids!r} is not [first, last]", "bad_span")
    return frame_ids[0], frame_ids[1]


def _first_set(flags: Any) -> int | None:
    """The index of the first non-zero entry of a one-hot list (None when there is none)."""
    for i, flag in enumerate(flags or []):
        if flag:
            return i
    return None
