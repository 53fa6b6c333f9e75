"""Probe a video: size, codec and the exact presentation time of every frame, read by demuxing (no decoding).

Containers' frame counts and frame rates are not trusted: the frame table lists the presentation timestamp of
every video packet a player shows, sorted, so frame `i` (0-based, display order) is the `i`-th smallest timestamp.
This is exact for variable-frame-rate and B-frame videos and costs a few milliseconds per minute of video.

Packets the demuxer flags as discard (an MP4 edit list that starts or ends mid-GOP, as `ffmpeg -ss ... -c copy`
writes) are never shown, so they are not frames: time 0 is the first shown frame. Streams whose decode
timestamps jump back (two MPEG-TS files joined) are unwrapped into one timeline, segment after segment
(`FrameTable.raw_pts` keeps the file's own timestamps; decoders then read such a file forward from its start).

Rotation metadata (a phone video's display matrix) is read here, once, from the first decoded frame
(`FrameTable.rotation`): `width`/`height` are the picture as a viewer shows it, and every decoder returns frames
turned that way (`vdata.video.decode.upright`), so boxes and stored frames share the displayed space.

A build's probe leaves its container open for the decode of the same file that follows in the same thread
(`leave_open`, `reopen`): opening an H.264 or VP9 file decodes its first frame (FFmpeg's stream analysis),
12-15 ms at 720p, which a second open would pay again. The decode the probe started for the rotation goes with it
(`started_decode`): a decode from the first frame resumes it instead of seeking back and decoding those frames
again (10 ms of a 10-s 720p H.264 item, 3%). Until that decode takes the container, a probe of the same unchanged
file in the same thread returns the first probe's result: a `--scenes` build's task probes to decide whether to
split a long video's scan, then builds the row, which probes again (11-36 ms of CPU a 60-s item by codec, 1-2%).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from vdata.errors import ItemError

#: FFmpeg threading of the probe's decoder (it decodes one frame, for the rotation): one thread costs the least
#: CPU (720p H.264: 12.2 ms against 14.4 ms with PyAV's default slice threads and 17.4 ms with frame threads).
PROBE_THREAD_TYPE = "NONE"


@dataclass(frozen=True)
class FrameTable:
    """Every frame of a video stream in display order.

    `pts` are int64 presentation timestamps in units of `time_base` seconds, strictly increasing.
    `keyframes` are the 0-based frame indices of keyframes (where a decoder can start), ascending.
    Times are seconds from the first frame (`timestamps_s[0] == 0.0`). `raw_pts` is None unless the file's
    timestamps jump back (concatenated streams): then `pts` is the unwrapped timeline and `raw_pts[i]` the
    timestamp frame `i` carries in the file. `start_pts` is the stream's start time as the demuxer reports it
    (decoders that count time from it, like OpenCV, are put on the table's clock with it). `last_duration`
    is the last shown packet's duration (`time_base` units; 0 if unknown): a one-frame video lasts that long.
    `rotation` is how far a viewer turns the coded picture to show it, degrees counter-clockwise (0, 90, 180
    or 270; FFmpeg's display-matrix convention, as `ffmpeg` applies it when it transcodes).
    """

    pts: np.ndarray
    time_base: Fraction
    keyframes: np.ndarray
    raw_pts: np.ndarray | None = None
    start_pts: int | None = None
    last_duration: int = 0
    rotation: int = 0

    def __len__(self) -> int:
        return len(self.pts)

    @property
    def timestamps_s(self) -> np.ndarray:
        """Presentation time of each frame, seconds from the first frame (float64)."""
        return (self.pts - self.pts[0]).astype(np.float64) * float(self.time_base)

    @property
    def frame_duration_s(self) -> float:
        """The median gap between frames, seconds (the nominal frame duration); for one frame, its own duration."""
        if len(self.pts) < 2:
            return float(self.last_duration * self.time_base)
        return float(np.median(np.diff(self.timestamps_s)))

    @property
    def duration_s(self) -> float:
        """From the first frame's start to the last frame's end, seconds."""
        return float(self.timestamps_s[-1]) + self.frame_duration_s

    def nearest(self, times_s: np.ndarray | list[float]) -> np.ndarray:
        """0-based index of the frame whose presentation time is nearest to each time (ties: earlier)."""
        ts = self.timestamps_s
        t = np.asarray(times_s, dtype=np.float64)
        if len(ts) == 1:
            return np.zeros(t.shape, np.int64)
        right = np.clip(np.searchsorted(ts, t), 1, max(len(ts) - 1, 1))
        left = right - 1
        choose_left = np.abs(t - ts[left]) <= np.abs(ts[right] - t)
        return np.where(choose_left, left, right).astype(np.int64)

    def index_of_pts(self, pts: int) -> int | None:
        """The frame index with exactly this pts, or None."""
        i = int(np.searchsorted(self.pts, pts))
        return i if i < len(self.pts) and int(self.pts[i]) == pts else None

    def keyframe_at_or_before(self, index: int) -> int:
        """The last keyframe index <= `index` (0 if none is recorded)."""
        k = int(np.searchsorted(self.keyframes, index, side="right")) - 1
        return int(self.keyframes[k]) if k >= 0 else 0


@dataclass(frozen=True)
class VideoInfo:
    """What `probe` learns about a video file.

    `fps` is the average frame rate over the file (frames per second); `num_frames` counts the frames in the
    frame table (not the container's claim); `width`/`height` are pixels of the picture as a viewer shows it
    (after the rotation metadata, `frames.rotation`; a 90-degree phone video is taller than it is coded).
    `container` is the demuxer's format name (`mov,mp4,m4a,3gp,3g2,mj2`, `mpegts`, ...).
    """

    path: str
    duration_s: float
    fps: float
    num_frames: int
    width: int
    height: int
    codec: str
    frames: FrameTable
    container: str = ""


def probe(path: str | Path, leave_open: bool = False) -> VideoInfo:
    """Open `path` with PyAV and read its frame table. Raises `ItemError` (video_* codes) on bad files.

    `leave_open`: keep the container open for the decode of this file that follows in this thread (`reopen`);
    until then a probe of this file, unchanged, in this thread returns this result."""
    path = str(path)
    if not os.path.exists(path):
        raise ItemError("video_missing", "video file not found", path)
    if os.path.isdir(path):
        raise ItemError("video_not_a_file", "the video path is a directory, not a video file", path)
    if not os.path.isfile(path):
        raise ItemError("video_not_a_file", "the video path is not a regular file (a FIFO, socket or device)", path)
    if os.path.getsize(path) == 0:
        raise ItemError("video_empty", "video file has zero bytes", path)
    left: _LeftOpen | None = getattr(_LEFT_OPEN, "entry", None)
    if left is not None and left.is_of(path):  # this file, unchanged, probed in this thread and not decoded since
        if not leave_open:
            _close_left_open()
        return left.info
    av = _import_av()
    _close_left_open()
    try:
        container = _open(path, PROBE_THREAD_TYPE)
    except (av.error.FFmpegError, UnicodeDecodeError) as e:
        if _mp4_cut_short(path):
            raise ItemError("video_truncated", "MP4 file cut short: a box runs past the end of the file "
                            "(the index may be missing)", path) from None
        raise ItemError("video_unreadable", f"cannot open as a video: {e}", path) from None
    try:
        width, height, codec, table, started = _read(container, path)
    except BaseException:
        container.close()
        raise
    duration = table.duration_s
    fps = len(table) / duration if duration > 0 else 0.0
    info = VideoInfo(path, duration, fps, len(table), width, height, codec, table, container.format.name)
    if leave_open:
        _leave_open(path, container, started, info)
    else:
        _close(container, started)
    return info


def _read(container, path: str) -> tuple[int, int, str, FrameTable, StartedDecode | None]:
    """(width, height as shown, codec name, frame table, the decode started for the rotation) of the video stream
    of an open container."""
    if not container.streams.video:
        raise ItemError("video_unreadable", "no video stream in the file", path)
    if container.format.name in _IMAGE_FORMATS or container.format.name.endswith("_pipe"):
        raise ItemError("not_a_video", f"the file is a still image ({container.format.name}), not a video", path)
    stream = container.streams.video[0]
    ctx = stream.codec_context
    width, height, codec = ctx.width, ctx.height, ctx.name
    if not width or not height:
        raise ItemError("video_unreadable", "video stream has no picture size", path)
    table = _frame_table(container, stream, path)
    if len(table) == 0:
        raise ItemError("video_truncated", "video stream holds no frames", path)
    rotation, started = _rotation(container, stream)
    if rotation:
        table = replace(table, rotation=rotation)
        if rotation in (90, 270):
            width, height = height, width
    return width, height, codec, table, started


@dataclass(frozen=True)
class StartedDecode:
    """A decode of a video stream from the start of its file (the probe's seek to 0) that has given its `first`
    frame (a PyAV frame); `frames` resumes it from that frame, `close` ends it (before any seek)."""

    first: Any
    rest: Iterator[Any]

    def frames(self) -> Iterator[Any]:
        return _resumed(self.first, self.rest)

    def close(self) -> None:
        self.rest.close()


def _resumed(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    """`first`, then `rest`, holding `first` no longer than its consumer does."""
    yield first
    del first
    yield from rest


def reopen(path: str, thread_type: str):
    """An open PyAV container on video file `path` (the caller closes it) whose video stream decodes with FFmpeg
    threading `thread_type` (PyAV's name): the one the last `probe` in this thread left open, when it was of this
    file, unchanged since (same inode, size and modification time), in this process, and its decoder's threading
    is that one (`PROBE_THREAD_TYPE`); else a new one."""
    left: _LeftOpen | None = getattr(_LEFT_OPEN, "entry", None)
    _LEFT_OPEN.entry = None
    _close_started()
    if left is not None:
        if left.is_of(path) and thread_type == PROBE_THREAD_TYPE:
            _STARTED.entry = (left.container, left.started) if left.started is not None else None
            return left.container
        _close(left.container, left.started)
    return _open(path, thread_type)


def started_decode(container) -> StartedDecode | None:
    """The decode the probe started on `container` when `reopen` handed it over in this thread (once), else
    None. Resume it (`frames`) or `close` it before seeking the container."""
    entry = getattr(_STARTED, "entry", None)
    if entry is None or entry[0] is not container:
        return None
    _STARTED.entry = None
    return entry[1]


@dataclass(frozen=True)
class _LeftOpen:
    """A container a `probe` of `path` left open (`identity`: the file as it was then), the decode it started
    (or None) and what it found."""

    path: str
    identity: tuple[int, ...] | None
    container: Any
    started: StartedDecode | None
    info: VideoInfo

    def is_of(self, path: str) -> bool:
        """True when it is of file `path`, unchanged since, in this process."""
        return self.path == path and self.identity is not None and self.identity == _identity(path)


#: Per thread: the `_LeftOpen` of the last `probe` asked to leave its container open (at most one per thread;
#: closed by the next `probe` of another file, or of this one not asked to, or taken by `reopen`).
_LEFT_OPEN = threading.local()
#: Per thread: (container, started decode) that `reopen` handed over, until `started_decode` takes it.
_STARTED = threading.local()


def _open(path: str, thread_type: str):
    """`path` opened by PyAV, its video stream (if any) to decode with FFmpeg threading `thread_type`."""
    container = _import_av().open(path, metadata_errors="ignore")
    if container.streams.video:
        container.streams.video[0].thread_type = thread_type
    return container


def _identity(path: str) -> tuple[int, ...] | None:
    """The file as it is now, in this process (a forked child never reads its parent's container: they would
    share the file offset); None when it cannot be read (gone), which matches nothing."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return os.getpid(), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def _leave_open(path: str, container, started: StartedDecode | None, info: VideoInfo) -> None:
    """Keep `container` (and the decode started on it) open for `reopen`, and `info` for a probe of the same file
    (one per thread: a container left before is closed)."""
    _close_left_open()
    _LEFT_OPEN.entry = _LeftOpen(path, _identity(path), container, started, info)


def _close_left_open() -> None:
    _close_started()  # a decode handed over and never taken (its decode wanted no frame from the start)
    left: _LeftOpen | None = getattr(_LEFT_OPEN, "entry", None)
    _LEFT_OPEN.entry = None
    if left is not None:
        _close(left.container, left.started)


def _close_started() -> None:
    entry = getattr(_STARTED, "entry", None)
    _STARTED.entry = None
    if entry is not None:
        entry[1].close()


def _close(container, started: StartedDecode | None) -> None:
    if started is not None:
        started.close()
    container.close()


#: Demuxers of still images (a PNG or JPEG renamed `.mp4` opens as a one-frame "video").
_IMAGE_FORMATS = frozenset({"image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe"})


def _mp4_cut_short(path: str) -> bool:
    """True when `path` is an MP4/MOV (ISO BMFF, `ftyp` first) whose top-level boxes run past the end of the file."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        offset = 0
        while offset + 8 <= size:
            f.seek(offset)
            header = f.read(16)
            box_size, box_type = int.from_bytes(header[:4], "big"), header[4:8]
            if offset == 0 and box_type != b"ftyp":
                return False
            if box_size == 1 and len(header) == 16:  # 64-bit size follows the type
                box_size = int.from_bytes(header[8:16], "big")
            if box_size == 0:  # the box runs to the end of the file
                return False
            if box_size < 8:
                return False  # not a box structure: some other corruption
            offset += box_size
        return offset > size


def _frame_table(container, stream, path: str) -> FrameTable:
    av = _import_av()
    pts: list[int] = []
    key_pts: list[int] = []
    offset = 0  # added to every timestamp of the current segment (non-zero after a jump back)
    jumped = False
    last_dts: int | None = None
    step = 1  # the last forward gap between decode timestamps
    raw: dict[int, int] = {}  # unwrapped pts -> the file's pts (only filled once a jump back is seen)
    last_duration = 0
    try:
        for packet in container.demux(stream):
            if packet.size == 0 or packet.is_discard:
                continue  # the flush packet at the end; packets an edit list hides
            stamp = packet.pts if packet.pts is not None else packet.dts
            if stamp is None:
                raise ItemError("video_truncated", "a packet has no timestamp", path)
            if packet.dts is not None:
                dts = packet.dts + offset
                if last_dts is not None and dts <= last_dts - step:  # a new segment starts: continue the timeline
                    if not jumped:
                        raw = {p: p for p in pts}
                    jumped = True
                    offset += last_dts + step - dts
                    dts = last_dts + step
                elif last_dts is not None and dts > last_dts:
                    step = dts - last_dts
                last_dts = dts
            pts.append(stamp + offset)
            last_duration = packet.duration or 0
            if jumped:
                raw[stamp + offset] = stamp
            if packet.is_keyframe:
                key_pts.append(stamp + offset)
    except av.error.FFmpegError as e:
        raise ItemError("video_truncated", f"demuxing failed after {len(pts)} packets: {e}", path) from None
    sorted_pts = np.unique(np.asarray(pts, dtype=np.int64))
    time_base = stream.time_base or Fraction(1, 1)
    keyframes = np.searchsorted(sorted_pts, np.unique(np.asarray(key_pts, dtype=np.int64)))
    if not len(keyframes) and len(sorted_pts):
        keyframes = np.zeros(1, np.int64)
    raw_pts = np.asarray([raw[int(p)] for p in sorted_pts], np.int64) if jumped else None
    return FrameTable(sorted_pts, Fraction(time_base), keyframes.astype(np.int64), raw_pts,
                      stream.start_time, last_duration)


def _rotation(container, stream) -> tuple[int, StartedDecode | None]:
    """The display rotation of `stream`, degrees counter-clockwise in {0, 90, 180, 270}: PyAV exposes FFmpeg's
    display matrix on decoded frames only, so the first frame is decoded (0 when none decodes); and that decode,
    to resume (None when it failed)."""
    av = _import_av()
    try:
        container.seek(0, backward=True, any_frame=False)
        frames = container.decode(stream)
        for frame in frames:
            return normal_rotation(getattr(frame, "rotation", 0) or 0), StartedDecode(frame, frames)
    except av.error.FFmpegError:
        return 0, None
    return 0, None


def normal_rotation(degrees: float) -> int:
    """A display rotation (degrees counter-clockwise, any sign) as 0, 90, 180 or 270.

    >>> normal_rotation(-90), normal_rotation(180.0), normal_rotation(0)
    (270, 180, 0)
    """
    return round(degrees / 90) % 4 * 90


def _import_av():
    try:
        import av
    except ImportError:
        raise ImportError("reading video needs PyAV: pip install 'vdata[video]'") from None
    return av
