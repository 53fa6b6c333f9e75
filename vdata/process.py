"""One item to one schema-v1 row: probe -> check labels -> sample times -> decode (+ scenes) -> JPEG -> row.

Runs in worker processes; raises `ItemError` for anything wrong with this item alone.
"""

from __future__ import annotations

import io
import itertools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from vdata.builders.base import Box, Item, Span
from vdata.errors import ItemError
from vdata.options import BuildOptions
from vdata.tasks.multiple_choice import gold_option
from vdata.urls import local_copy
from vdata.video import audio, decode, frames_folder, still, subtitles
from vdata.video.candidates import KeyframeCandidates, budget_for, fits_budget
from vdata.video.probe import FrameTable, VideoInfo, probe
from vdata.video.resize import fit_pixels
from vdata.video.scenes import (
    BATCH_FRAMES,
    HOLDING_BATCH_FRAMES,
    SceneCollector,
    scene_keyframes,
    scenes_from_cuts,
)

#: Slack (seconds) when comparing label times to the video's end: container rounding, not a label error.
_TIME_SLACK_S = 1e-6


@dataclass(frozen=True)
class WindowScan:
    """What one window task of a long video's split found (`scan_window`): the scene cut frame indices in its
    (first, last], and the frames of the policy that it kept as they passed (JPEG bytes: every frame of a policy
    that does not pick from scenes, the top-up frames of one that does; none when the build's decoder cannot
    scan), so the item's last task decodes only the scene keyframes, if any."""

    cuts: list[int]
    frames: list[decode.Frame]


def process_item(item: Item, options: BuildOptions, windows: Sequence[WindowScan] | None = None) -> dict[str, Any]:
    """Build the row for `item`. Spans past the end are clipped and boxes partly outside the frame are clipped,
    both noted in `meta`; invalid labels raise `ItemError` (`bad_span`, `bad_box`; `bad_annotation` for a
    `multiple_choice` answer that names none of its options). A video at a URL is
    decoded from a local copy; its errors name the URL. `windows`: what the `scan_window` tasks of a long
    video's split found; given, with `--scenes` on, the item skips its own scan, takes its scenes from their
    cuts and decodes only the frames they did not keep."""
    if isinstance(item.video, Path):
        return _process(item, item.video, options, windows)
    with local_copy(item.video) as video:
        try:
            return _process(item, video, options, windows)
        except ItemError as e:
            if e.source_file != str(video):
                raise
            raise ItemError(e.code, e.message.replace(str(video), str(item.video)), str(item.video)) from None


def scan_windows(item: Item, window_frames: int) -> list[tuple[int, int]]:
    """The scene scan of `item` (a local video) cut into the fewest windows of about equal length holding at most
    `window_frames` frames each, as (first, last) frame indices: window k finds the cuts in (first, last], and
    the windows together cover the clip window's cuts. Empty when one window would cover the clip window, the video is at a URL, or the
    item is bad (its own task then reports why)."""
    if not isinstance(item.video, Path):
        return []
    try:
        info = probe(item.video, leave_open=True)  # an item not split probes again: this probe's result
        first, last = _frame_window(info, *_clip_window(item, info, {}))
    except ItemError:
        return []
    if last - first <= window_frames:  # one window holds every cut (first, last]
        return []
    count = -(-(last - first) // window_frames)
    bounds = [*range(first, last, -(-(last - first) // count)), last]  # `count` windows of about equal length
    return list(itertools.pairwise(bounds))


def scan_window(item: Item, options: BuildOptions, first: int, last: int) -> WindowScan:
    """The scene cuts in (first, last] of `item`'s video (found by `options.scene_detector`) and the policy's
    frames there known before the scenes (`_known_times`; frame `first` too when it starts the clip window),
    kept as the scan passes them (with `--decoder auto|pyav`). The detector sees `lead_in_frames` frames before
    `first` (so a cut just after it is not hidden by its minimum scene length) and up to as many after `last`
    (so a detector that looks ahead reports a cut at `last`), never past the clip window. Cuts within the
    lead-in after `first` are found as at a clip start: one that follows a cut of the previous window that
    closely is kept (a single scan would drop it)."""
    assert isinstance(item.video, Path)
    info = probe(item.video, leave_open=True)  # for the decode below
    table, detector = info.frames, options.scene_detector
    start_s, end_s = _clip_window(item, info, {})
    clip_first, clip_last = _frame_window(info, start_s, end_s)
    wanted: list[int] = []
    if options.decoder in SCANNING_DECODERS:
        known = _indices(table, _known_times(options, item, info, start_s, end_s), clip_first, clip_last)
        wanted = [i for i in known if first < i <= last or i == first == clip_first]
    collector = SceneCollector(detector, table, first, last)
    lead_in = detector.lead_in_frames
    scan = decode.Scan(max(0, first - lead_in), min(clip_last, last + lead_in), _scores_only(collector),
                       partial(_jpeg, quality=options.jpeg_quality))
    size = fit_pixels(info.width, info.height, options.max_pixels, options.size_factor)
    frames = decode.get("pyav")(str(item.video), table, wanted, size, scan)
    _check_frames(frames, wanted, table, str(item.video))
    return WindowScan(collector.cuts(), frames)


def _known_times(options: BuildOptions, item: Item, info: VideoInfo, start_s: float, end_s: float) -> list[float]:
    """The times the policy asks for whatever the scenes are: all of them for a policy that does not pick from
    scenes, the top-up grid (and box frames) for one that does."""
    box_times = [b.timestamp_s for b in _check_boxes(item, info, {}) or ()]
    if options.policy.needs_scenes:
        return options.policy.times_known_before_scenes(start_s, end_s, box_times)
    return options.policy.times(start_s, end_s, (), box_times)


def _scores_only(collector: SceneCollector) -> decode.Visitor:
    """A scan visitor that shows each frame to `collector` (and keeps no frame)."""
    return collector.visit


#: Decoders whose pass can show every frame to the scene detector (`decode.Scan.visit`).
SCANNING_DECODERS = ("auto", "pyav", frames_folder.DECODER)


def _frame_window(info: VideoInfo, start_s: float, end_s: float) -> tuple[int, int]:
    """First and last frame index of the clip window `start_s..end_s`."""
    times = info.frames.timestamps_s
    first = int(np.searchsorted(times, start_s - _TIME_SLACK_S))
    last = max(first, int(np.searchsorted(times, end_s - _TIME_SLACK_S)) - 1)
    return first, min(last, len(times) - 1)


def _process(item: Item, video: Path, options: BuildOptions, windows: Sequence[WindowScan] | None) -> dict[str, Any]:
    _check_answer(item)
    if item.images is not None:  # an image sample: read by vdata/video/still.py, no decoder
        encode_jpeg = partial(_jpeg, quality=options.jpeg_quality)
        return still.image_row(item, options.max_pixels, options.size_factor, encode_jpeg)
    # a container video (left open for the decode below), or an image folder
    info = frames_folder.probe_any(video, frames_folder.item_fps(item), leave_open=True)
    table = info.frames
    notes: dict[str, Any] = {}
    start_s, end_s = _clip_window(item, info, notes)
    spans = _check_spans(item, info, notes)
    boxes = _check_boxes(item, info, notes)
    first, last = _frame_window(info, start_s, end_s)

    policy = options.policy
    box_times = [b.timestamp_s for b in boxes or ()]
    size = fit_pixels(info.width, info.height, options.max_pixels, options.size_factor)
    decoder_name = frames_folder.DECODER if info.container == frames_folder.CONTAINER else options.decoder
    reason = decode.inexact_reason(decoder_name, info.codec, info.container, table)
    if reason is not None:
        decoder_name = "pyav"
        notes["decoder_fallback"] = f"{reason}; decoded with pyav"
    detector = options.scene_detector
    encode = decode.Scan(encode=partial(_jpeg, quality=options.jpeg_quality))

    def frames_at(times: list[float], scan: decode.Scan = encode) -> list[decode.Frame]:
        indices = _indices(table, times, first, last)
        frames = _decode(decoder_name, video, table, indices, size, scan, notes)
        _check_frames(frames, indices, table, str(video))
        return frames

    scenes: list[tuple[float, float]] | None = None
    if not detector.enabled:
        frames = frames_at(policy.times(start_s, end_s, (), box_times))
    elif windows is not None:  # found beforehand, window by window (a long video's split)
        cuts = [c for w in windows for c in w.cuts]
        scenes = scenes_from_cuts(table, first, last, cuts)
        kept = {f.index: f for w in windows for f in w.frames} if decoder_name in SCANNING_DECODERS else {}
        times = policy.times(start_s, end_s, scenes, box_times, _keyframe_times(table, first, last, cuts))
        frames = _complete(kept, _indices(table, times, first, last), decoder_name, video, table, size, encode, notes)
    else:
        holding = policy.needs_scenes and decoder_name in SCANNING_DECODERS  # keyframe candidates held in the pass
        collector = SceneCollector(detector, table, first, last, HOLDING_BATCH_FRAMES if holding else BATCH_FRAMES)
        lead = max(0, first - detector.lead_in_frames)
        if decoder_name not in SCANNING_DECODERS:  # a decoder that cannot scan: scenes in a PyAV pass first
            decode.get("pyav")(str(video), table, [], size, decode.Scan(lead, last, _scores_only(collector)))
            scenes = collector.scenes()
            frames = frames_at(policy.times(start_s, end_s, scenes, box_times,
                                            _keyframe_times(table, first, last, collector.cuts())))
        elif not policy.needs_scenes:  # the policy's frames are known: kept as the scan passes them
            scan = decode.Scan(lead, last, _scores_only(collector), encode.encode)
            frames = frames_at(policy.times(start_s, end_s, (), box_times), scan)
            scenes = collector.scenes()
        else:
            frames, scenes = _one_pass_scenes(decoder_name, video, info, (first, last), (start_s, end_s),
                                              box_times, size, collector, lead, options, encode.encode, notes)
    _check_frames(frames, [f.index for f in frames], table, str(video))  # scene keyframes: their own time

    return {
        "id": item.id,
        "source": item.source,
        "split": item.split,
        "media": "video",
        "video": item.video_rel,
        "video_id": item.video_id,
        "duration_s": info.duration_s,
        "fps": info.fps,
        "width": info.width,
        "height": info.height,
        "num_frames": info.num_frames,
        "clip_start_s": start_s,
        "clip_end_s": end_s,
        "frames": [{"bytes": f.image, "path": None} for f in frames],
        "frame_timestamps_s": [f.timestamp_s for f in frames],
        "frame_indices": [f.index for f in frames],
        "scenes": None if scenes is None else [{"start_s": s, "end_s": e} for s, e in scenes],
        "subtitles": subtitles.for_item(item, start_s, end_s),
        "audio": _audio(video, info, start_s, end_s, notes) if options.audio else None,  # before meta: notes
        "task": item.task,
        "question": item.question,
        "options": list(item.options) if item.options is not None else None,
        "answer": item.answer,
        "spans": None if spans is None else [{"start_s": s.start_s, "end_s": s.end_s} for s in spans],
        "boxes": None if boxes is None else [_box_row(b) for b in boxes],
        "cot": item.cot,
        "meta": json.dumps({**item.meta, **({"vdata_notes": notes} if notes else {})}, sort_keys=True),
    }


def _audio(video: Path, info: VideoInfo, start_s: float, end_s: float, notes: dict[str, Any]) -> Any:
    """The clip window's audio (`vdata.video.audio`); an image folder has none (noted)."""
    if info.container == frames_folder.CONTAINER:
        notes["audio"] = "an image folder has no audio"
        return None
    first_frame_s = float(int(info.frames.pts[0]) * info.frames.time_base)
    return audio.clip(video, first_frame_s, start_s, end_s, notes)


def _indices(table: FrameTable, times: list[float], first: int, last: int) -> list[int]:
    """The frames nearest `times`, inside the window `first..last`, each once, ascending."""
    return np.unique(np.clip(table.nearest(times), first, last)).tolist()


def _decode(name: str, video: Path, table: FrameTable, indices: list[int], size: tuple[int, int],
            scan: decode.Scan, notes: dict[str, Any]) -> list[decode.Frame]:
    """Frames `indices` by decoder `name`; by PyAV (noted) when the decoder finds it cannot be exact here."""
    try:
        return decode.get(name)(str(video), table, indices, size, scan)
    except decode.NotExact as e:
        notes["decoder_fallback"] = f"{e}; decoded with pyav"
        return decode.get("pyav")(str(video), table, indices, size, scan)


def _keyframe_times(table: FrameTable, first: int, last: int, cuts: list[int]) -> list[float]:
    """The time of each scene's keyframe (`scene_keyframes`), seconds from video start."""
    return [float(table.timestamps_s[i]) for i in scene_keyframes(first, last, cuts)]


def _complete(kept: dict[int, decode.Frame], indices: list[int], decoder_name: str, video: Path, table: FrameTable,
              size: tuple[int, int], encode: decode.Scan, notes: dict[str, Any]) -> list[decode.Frame]:
    """Frames `indices`: those in `kept`, and the others decoded (a seeking decode of those only)."""
    missing = [i for i in indices if i not in kept]
    decoded = _decode(decoder_name, video, table, missing, size, encode, notes) if missing else []
    _check_frames(decoded, missing, table, str(video))
    return sorted([*(kept[i] for i in indices if i in kept), *decoded], key=lambda f: f.index)


def _one_pass_scenes(decoder_name: str, video: Path, info: VideoInfo, window: tuple[int, int], clip: tuple[float, float],
                     box_times: list[float], size: tuple[int, int], collector: SceneCollector, lead: int,
                     options: BuildOptions, encode: Any, notes: dict[str, Any],
                     ) -> tuple[list[decode.Frame], list[tuple[float, float]]]:
    """A policy that picks frames from the scenes (`--frames scenes`), in the scene-detection pass itself: each
    scene's keyframe is taken from candidates held while the scene is open (`KeyframeCandidates`); the frames it
    may take whatever the scenes are pass exactly too: box frames are converted as they pass, top-up frames
    (used only when the scenes are too few) are held as decoded pictures (when `fits_budget`) and converted only
    if used. A second decode only for a keyframe the candidates missed (a detector that reported a cut later
    than its budget)."""
    table, policy = info.frames, options.policy
    (first, last), (start_s, end_s) = window, clip
    known = _indices(table, policy.times_known_before_scenes(start_s, end_s, box_times), first, last)
    top_up = set(_indices(table, policy.times_known_before_scenes(start_s, end_s), first, last))
    if not fits_budget(len(top_up), info.width, info.height):
        top_up = set()
    converted = [i for i in known if i not in top_up]
    held: dict[int, Any] = {}  # top-up frame index -> `take`
    candidates = KeyframeCandidates(first, last, budget_for(info.width, info.height), options.scene_detector.min_frames)

    def visit(index: int, picture: Any, take: Any) -> None:
        collector.visit(index, picture)
        if index in top_up:
            held[index] = take
        if index >= first:
            candidates.offer(index, take, collector.found(), collector.settled())

    name = "pyav" if decoder_name == "auto" else decoder_name
    decoded = decode.get(name)(str(video), table, converted, size, decode.Scan(lead, last, visit, encode))
    _check_frames(decoded, converted, table, str(video))
    cuts, scenes = collector.cuts(), collector.scenes()
    candidates.finish(cuts)
    times = policy.times(start_s, end_s, scenes, box_times, _keyframe_times(table, first, last, cuts))
    indices = _indices(table, times, first, last)
    kept = {**candidates.picked, **{f.index: f for f in decoded}}
    kept.update({i: held[i]() for i in indices if i in held and i not in kept})
    return _complete(kept, indices, name, video, table, size, decode.Scan(encode=encode), notes), scenes


def _clip_window(item: Item, info: VideoInfo, notes: dict[str, Any]) -> tuple[float, float]:
    start = 0.0 if item.clip_start_s is None else float(item.clip_start_s)
    end = info.duration_s if item.clip_end_s is None else float(item.clip_end_s)
    if not (math.isfinite(start) and math.isfinite(end)):
        raise ItemError("bad_span", f"clip window {start:g}-{end:g}s is not a finite number", _where(item))
    if end < start:
        raise ItemError("bad_span", f"clip window ends before it starts ({start:g}s > {end:g}s)", _where(item))
    if start < 0 or start >= info.duration_s:
        raise ItemError(
            "bad_span", f"clip window starts at {start:g}s, outside the {info.duration_s:g}s video", _where(item)
        )
    if end > info.duration_s + _TIME_SLACK_S:
        notes["clip_end_clipped_from_s"] = end
        end = info.duration_s
    return start, end


def _check_answer(item: Item) -> None:
    """A `multiple_choice` gold must name one of the item's options (the task layer's rule, `gold_option`)."""
    if item.task != "multiple_choice":
        return
    options = list(item.options) if item.options is not None else None
    if not options or gold_option({"answer": item.answer, "options": options}) is None:
        raise ItemError("bad_annotation", f"multiple-choice answer {item.answer!r} names none of its "
                        f"{len(options or ())} options", _where(item))


def _check_spans(item: Item, info: VideoInfo, notes: dict[str, Any]) -> list[Span] | None:
    if item.spans is None:
        return None
    out = []
    for span in item.spans:
        if not (math.isfinite(span.start_s) and math.isfinite(span.end_s)):
            raise ItemError("bad_span", f"span {span.start_s:g}-{span.end_s:g}s is not a finite number",
                            _where(item))
        if span.end_s < span.start_s:
            raise ItemError("bad_span", f"span ends before it starts: {span.start_s:g}s > {span.end_s:g}s",
                            _where(item))
        if span.start_s < 0 or span.start_s >= info.duration_s:
            raise ItemError("bad_span", f"span {span.start_s:g}-{span.end_s:g}s lies outside the "
                            f"{info.duration_s:g}s video", _where(item))
        if span.end_s > info.duration_s + _TIME_SLACK_S:
            notes.setdefault("spans_clipped", []).append([span.start_s, span.end_s])
            span = replace(span, end_s=info.duration_s)
        out.append(span)
    return out


def _check_boxes(item: Item, info: VideoInfo, notes: dict[str, Any]) -> list[Box] | None:
    if item.boxes is None:
        return None
    table = info.frames
    sx, sy = 1.0, 1.0
    if item.box_space is not None:
        bw, bh = item.box_space
        sx, sy = info.width / bw, info.height / bh
        if (bw, bh) not in {(1.0, 1.0), (float(info.width), float(info.height))}:
            notes["boxes_rescaled_from"] = [bw, bh]
    out = []
    for box in item.boxes:
        if not all(math.isfinite(v) for v in (box.x1, box.y1, box.x2, box.y2)) or (
            box.timestamp_s is not None and not math.isfinite(box.timestamp_s)
        ):
            raise ItemError("bad_box", f"box {box.x1:g},{box.y1:g},{box.x2:g},{box.y2:g} at {box.timestamp_s}s "
                            "is not finite", _where(item))
        x1, y1, x2, y2 = box.x1 * sx, box.y1 * sy, box.x2 * sx, box.y2 * sy
        if x2 <= x1 or y2 <= y1:
            raise ItemError("bad_box", f"box {box.x1:g},{box.y1:g},{box.x2:g},{box.y2:g} has no area "
                            "(need x1 < x2 and y1 < y2)", _where(item))
        cx1, cy1 = min(max(x1, 0.0), info.width), min(max(y1, 0.0), info.height)
        cx2, cy2 = min(max(x2, 0.0), info.width), min(max(y2, 0.0), info.height)
        if cx2 <= cx1 or cy2 <= cy1:
            raise ItemError("bad_box", f"box {x1:g},{y1:g},{x2:g},{y2:g} lies outside the "
                            f"{info.width}x{info.height} frame", _where(item))
        if (cx1, cy1, cx2, cy2) != (x1, y1, x2, y2):
            notes.setdefault("boxes_clipped", []).append([x1, y1, x2, y2])
        index, timestamp = _box_time(box, table, _where(item))
        out.append(Box(cx1, cy1, cx2, cy2, timestamp, index, box.label))
    return out


def _box_time(box: Box, table: FrameTable, video: str) -> tuple[int, float]:
    times = table.timestamps_s
    if box.frame_index is not None:
        if not 0 <= box.frame_index < len(table):
            raise ItemError("bad_box", f"box on frame {box.frame_index}, but the video has {len(table)} frames",
                            video)
        return box.frame_index, float(times[box.frame_index]) if box.timestamp_s is None else box.timestamp_s
    assert box.timestamp_s is not None
    if not 0 <= box.timestamp_s <= table.duration_s + _TIME_SLACK_S:
        raise ItemError("bad_box", f"box at {box.timestamp_s:g}s, outside the {table.duration_s:g}s video", video)
    return int(table.nearest([box.timestamp_s])[0]), box.timestamp_s


def _check_frames(frames: list[decode.Frame], indices: list[int], table: FrameTable, video: str) -> None:
    """Each decoded frame must be the requested one: within half a frame of the requested frame's time."""
    times = table.timestamps_s
    half = table.frame_duration_s / 2
    for frame, index in zip(frames, indices, strict=True):
        if frame.index != index or abs(frame.timestamp_s - times[index]) > half + 1e-9:
            raise ItemError("frame_mismatch", f"asked for frame {index} at {times[index]:.3f}s, the decoder gave "
                            f"frame {frame.index} at {frame.timestamp_s:.3f}s", video)


def _where(item: Item) -> str:
    """The file to name in a label error: the annotation row when the builder said where it was."""
    return item.origin or str(item.video)


def _box_row(box: Box) -> dict[str, Any]:
    return {"timestamp_s": box.timestamp_s, "frame_index": box.frame_index, "x1": box.x1, "y1": box.y1,
            "x2": box.x2, "y2": box.y2, "label": box.label}


def _jpeg(rgb: np.ndarray, quality: int) -> bytes:
    """JPEG bytes of an (H, W, 3) uint8 RGB picture at `quality` (1-100), by Pillow.

    Rows of packed pixels with padding between them (what PyAV's `to_ndarray` gives: each row `line_size`
    bytes) are read by Pillow in place, one row stride apart (`Image.frombuffer`), instead of by `fromarray`,
    which first copies any strided array into new memory: on the benchmark's 720p videos that copy and the
    page faults of its fresh memory were about a third of the JPEG step (py-spy, 2026-12-06). The same bytes.

    >>> import numpy as np
    >>> padded = np.zeros((4, 10, 3), np.uint8)[:, :8]; padded[1:3, 2:6] = 255
    >>> _jpeg(padded, 90) == _jpeg(np.ascontiguousarray(padded), 90)
    True
    """
    from PIL import Image

    height, width = rgb.shape[:2]
    stride = rgb.strides[0]
    if rgb.ndim == 3 and rgb.strides[1:] == (3, 1) and stride >= 3 * width and height:
        # the bytes from the first pixel to the last, all inside the array's own buffer
        rows = np.lib.stride_tricks.as_strided(rgb, shape=(stride * (height - 1) + 3 * width,), strides=(1,))
        image = Image.frombuffer("RGB", (width, height), rows, "raw", "RGB", stride, 1)
    else:
        image = Image.fromarray(rgb)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
