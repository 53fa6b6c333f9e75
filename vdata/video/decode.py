"""Decode chosen frames of a video: a small registry of decoder backends.

A decoder returns `Frame`s carrying the 0-based index and presentation time of the frame it actually decoded;
`vdata.build` checks them against the frame table. `auto` is PyAV, exact on every codec the tests cover
(H.264, HEVC, VP9, MPEG-4, variable frame rate). decord is offered but known inexact on HEVC and crash-prone on
VP9; opencv and torchcodec are exact but slower or need a system FFmpeg.

PyAV picks, for each wanted frame in order, the cheaper of decoding forward from where it is and seeking to the
keyframe before the frame (`SEEK_COST_FRAMES` is the price of a seek in decoded frames), so a few frames of a
long-GOP video cost a few short decodes and many frames cost one forward pass.

Every decoder returns frames turned as a viewer shows them (the probe's `FrameTable.rotation`, applied by
`upright`), and encodes each frame (`Scan.encode`, a JPEG in a build) as soon as it is decoded; PyAV also shows
every frame of a range to a `Scan.visit` (its decoded picture, for scene detection) in the same pass.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from vdata.errors import ItemError
from vdata.registry import Registry
from vdata.video.probe import FrameTable, _import_av, reopen, started_decode

#: A seek is worth it when it skips more than this many frames of forward decoding.
SEEK_COST_FRAMES = 12
#: FFmpeg decoder threading for PyAV: "AUTO" (frame + slice threads) in a single process; worker pools that
#: already run one worker per core set "NONE" (one thread each, like `ffmpeg -threads 1` per core; measured
#: here: 0.95x the CPU time of "AUTO" for a 2-worker `--scenes content` build on 2 cores, wall time within noise).
THREAD_TYPE = "AUTO"
#: Codecs on which decord returned the wrong frame (HEVC: the next frame's pixels under the right timestamp)
#: or crashed (VP9) on frame-index-barcoded test videos; the build decodes these with PyAV instead.
DECORD_INEXACT_CODECS = frozenset({"hevc", "vp9"})
#: Demuxers (PyAV's format names) on which each non-default decoder was checked exact on frame-index-barcoded
#: videos; any other container is decoded with PyAV (decord seeks MPEG-TS to the wrong keyframe).
PROVEN_CONTAINERS: dict[str, frozenset[str]] = {
    "decord": frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi"}),
    "opencv": frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi", "mpegts"}),
    "torchcodec": frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi"}),
}


class NotExact(Exception):
    """Raised by a decoder that finds, before decoding, that it cannot be exact on this file (its own frame index
    disagrees with the probe's frame table); the build then decodes the file with PyAV and notes why."""


def inexact_reason(name: str, codec: str, container: str, table: FrameTable) -> str | None:
    """Why decoder `name` is not proven exact on this file (the build then uses PyAV), or None when it is.

    >>> from fractions import Fraction
    >>> table = FrameTable(np.arange(3), Fraction(1, 25), np.array([0]))
    >>> inexact_reason("decord", "h264", "mpegts", table)
    'decord is not proven exact on mpegts files'
    >>> inexact_reason("decord", "h264", "avi", table) is None
    True
    """
    if name in ("auto", "pyav"):
        return None
    if table.raw_pts is not None:
        return f"{name} cannot follow timestamps that jump back (concatenated streams)"
    if name == "decord" and codec in DECORD_INEXACT_CODECS:
        return f"decord is not exact on {codec}"
    proven = PROVEN_CONTAINERS.get(name)
    if proven is not None and container and container not in proven:
        return f"{name} is not proven exact on {container} files"
    return None


@dataclass(frozen=True)
class Frame:
    """One decoded frame: `index` (0-based, display order), `timestamp_s` (seconds from the first frame) and
    `image` (RGB uint8, H x W x 3, already resized to the requested size and turned upright; or the bytes
    `Scan.encode` made of those pixels, when the decoder was given one)."""

    index: int
    timestamp_s: float
    image: Any


#: Called with (frame index, its picture, `take`) for every frame of a scan, in order (scene detection): the
#: picture is PyAV's decoded `VideoFrame` (valid during the call; `vdata.video.planes.PlaneSampler` reads its
#: small planes), or, from decoders without one (`frames_folder`), its small `Planes`. `take()` returns that
#: frame as the decoder returns its wanted frames (a `Frame`); the visitor may keep `take` to call later (it then
#: holds the decoded picture, about 1.4 MB at 720p, until it is called or dropped).
Visitor = Callable[[int, Any, Callable[[], Frame]], None]


@dataclass(frozen=True)
class Scan:
    """Work a decoder does in the same pass: show every frame in `[first, last]` (frame indices) to `visit`
    (PyAV only), and turn each returned frame's pixels into bytes with `encode` (a JPEG) as soon as it is
    decoded, so that no more than a few raw frames are ever held (every decoder)."""

    first: int = 0
    last: int = -1
    visit: Visitor | None = None
    encode: Callable[[np.ndarray], bytes] | None = None


def _encoder(scan: Scan | None) -> Callable[[np.ndarray], Any]:
    return scan.encode if scan is not None and scan.encode is not None else _same


def _same(image: np.ndarray) -> np.ndarray:
    return image


class Decoder(Protocol):
    """`decode(path, table, indices, size, scan)` -> frames for `indices` (sorted, unique), in that order.

    `size` is the output (width, height) in pixels, as shown (after rotation); `scan` (optional) visits every
    frame of a range in the same pass (PyAV only) and encodes the frames.
    """

    def __call__(
        self,
        path: str,
        table: FrameTable,
        indices: Sequence[int],
        size: tuple[int, int],
        scan: Scan | None = None,
    ) -> list[Frame]: ...


#: The `--decoder` backends by name (`auto` is PyAV).
DECODERS: Registry[Decoder] = Registry("decoder")  # type: ignore[type-var]
register = DECODERS.register


def get(name: str) -> Decoder:
    """The decoder registered as `name`; unknown names raise `ConfigError` listing the known ones."""
    return DECODERS.get(name)


def names() -> list[str]:
    """Every decoder name, sorted (`auto` included)."""
    return DECODERS.names()


@register("pyav")
def decode_pyav(
    path: str, table: FrameTable, indices: Sequence[int], size: tuple[int, int], scan: Scan | None = None
) -> list[Frame]:
    av = _import_av()
    wanted = {int(table.pts[i]): int(i) for i in indices}
    out: dict[int, Frame] = {}
    convert = _Converter(table, size, _encoder(scan))
    try:
        with reopen(path, THREAD_TYPE) as container:  # the probe's container, when it left this file open
            stream = container.streams.video[0]
            if scan is not None and scan.visit is not None and scan.first <= scan.last:
                last = max(scan.last, max(indices, default=scan.last))
                start = table.keyframe_at_or_before(min(scan.first, min(indices, default=scan.first)))
                keep = set(wanted.values())
                visit, first_visited, last_visited = scan.visit, scan.first, scan.last
                for index, frame in _frames_from(container, stream, table, start):
                    if index > last:
                        break
                    made = None
                    if index in keep:
                        out[index] = made = convert(frame, index)
                    if first_visited <= index <= last_visited:
                        visit(index, frame, _taker(frame, index, convert, made))
            else:
                frames_iter = None
                position = -1  # index of the last decoded frame
                for target in sorted(wanted.values()):
                    keyframe = table.keyframe_at_or_before(target)
                    restart = target <= position or keyframe - position > SEEK_COST_FRAMES
                    if frames_iter is None or (restart and table.raw_pts is None):
                        frames_iter = _frames_from(container, stream, table, keyframe)
                    for index, frame in frames_iter:
                        position = index
                        if index >= target:
                            out[target] = convert(frame, index)
                            break
    except av.error.FFmpegError as e:
        raise ItemError("decode_failed", f"decoding failed: {e}", path) from None
    missing = [i for i in indices if i not in out]
    if missing:
        raise ItemError("video_truncated", f"stream ended before frame(s) {missing[:5]} could be decoded", path)
    return [out[int(i)] for i in indices]


@register("auto")
def decode_auto(
    path: str, table: FrameTable, indices: Sequence[int], size: tuple[int, int], scan: Scan | None = None
) -> list[Frame]:
    """The default decoder: PyAV (`decode_pyav`)."""
    return decode_pyav(path, table, indices, size, scan)


def _frames_from(container, stream, table: FrameTable, keyframe: int):
    """Seek to frame `keyframe` (a keyframe index) and yield (index, av frame) in display order from there.

    Some demuxers (MPEG-TS, which seeks by decode time) land past the keyframe asked for: then the seek is
    retried from earlier keyframes, down to the first frame. A table whose timestamps jump back is read
    forward from the start of the file, without seeking, each decoded frame matched to its raw timestamp.
    From the first frame, the decode the probe started on this container (`probe.started_decode`) is resumed
    instead of seeking back to it (when it begins there, as it does unless the demuxer seeks oddly)."""
    started = started_decode(container)
    if started is not None and (table.raw_pts is not None or keyframe != 0):  # not resumed: ended before a seek
        started.close()
        started = None
    if table.raw_pts is not None:
        yield from _frames_unwrapped(container, stream, table)
        return
    earlier = [int(k) for k in table.keyframes if k < keyframe][::-1]
    for start in [keyframe, *earlier, None]:
        if started is not None:  # start == 0: where the probe's decode began
            frames = _decoded(started.frames(), table)
            started = None
        else:
            if start is None:  # the start of the file
                container.seek(0, backward=True, any_frame=False)
            else:
                container.seek(int(table.pts[start]), stream=stream, backward=True, any_frame=False)
            frames = _decoded(container.decode(stream), table)
        first = next(frames, None)
        if first is None:
            return
        if first[0] <= keyframe or start is None:
            yield first
            yield from frames
            return


def _decoded(decoded: Iterator[Any], table: FrameTable):
    """(index, av frame) of each frame of `decoded` (PyAV's frames) whose timestamp lies within the table
    (edit-list leftovers and frames before the first shown one are skipped)."""
    pts = table.pts.tolist()  # Python ints: the per-frame lookups below stay out of NumPy
    first, last = pts[0], pts[-1]
    index = -1
    for frame in decoded:
        stamp = frame.pts
        if stamp is None:
            stamp = frame.dts
        if stamp is None or not first <= stamp <= last:
            continue
        if index + 1 < len(pts) and pts[index + 1] == stamp:  # the usual case: the next frame of the table
            index += 1
        else:
            index = bisect.bisect_left(pts, stamp)
            if pts[index] != stamp:  # a timestamp the demuxer did not list: map to the nearest listed frame
                index = int(table.nearest([(stamp - first) * float(table.time_base)])[0])
        yield index, frame


def _frames_unwrapped(container, stream, table: FrameTable):
    assert table.raw_pts is not None
    container.seek(0, backward=True, any_frame=False)
    index = 0
    for frame in container.decode(stream):
        stamp = frame.pts if frame.pts is not None else frame.dts
        ahead = np.flatnonzero(table.raw_pts[index:] == stamp)
        if stamp is None or not len(ahead):
            continue
        index += int(ahead[0])
        yield index, frame
        index += 1


def _taker(frame, index: int, convert: _Converter, made: Frame | None) -> Callable[[], Frame]:
    """`take` for a scan's visitor: the frame converted when called (`made` if it already was)."""
    return (lambda: made) if made is not None else (lambda: convert(frame, index))


class _Converter:
    """Converts PyAV frames of one decode call to `Frame`s: their own timestamp (seconds from the first frame),
    RGB pixels resized to `size` and turned upright, then `encode`d. One swscale context serves every frame
    (`frame.to_ndarray` sets one up per frame: 0.5-1.3 ms more per frame at 360p-720p, the same pixels)."""

    def __init__(self, table: FrameTable, size: tuple[int, int], encode: Callable[[np.ndarray], Any] = _same):
        from av.video.reformatter import VideoReformatter

        self._table, self._encode = table, encode
        self._size = coded_size(size, table.rotation)
        self._reformatter = VideoReformatter()

    def __call__(self, frame, index: int) -> Frame:
        table = self._table
        stamp = frame.pts if frame.pts is not None else frame.dts
        if table.raw_pts is not None and int(table.raw_pts[index]) == stamp:
            stamp = int(table.pts[index])  # the frame's place on the unwrapped timeline
        timestamp = float((stamp - int(table.pts[0])) * table.time_base)
        width, height = self._size
        image = self._reformatter.reformat(frame, width=width, height=height, format="rgb24",
                                           interpolation="AREA").to_ndarray()
        return Frame(index, timestamp, self._encode(upright(image, table.rotation)))


def upright(image: np.ndarray, rotation: int) -> np.ndarray:
    """`image` (H x W [x C], as coded) turned as a viewer shows it: `rotation` degrees counter-clockwise
    (`FrameTable.rotation`, the one definition every decoder applies).

    >>> upright(np.array([[1, 2], [3, 4]]), 90).tolist()
    [[2, 4], [1, 3]]
    """
    if not rotation:
        return image
    return np.ascontiguousarray(np.rot90(image, rotation // 90))


def coded_size(size: tuple[int, int], rotation: int) -> tuple[int, int]:
    """The (width, height) to decode at so that the picture, turned by `rotation`, is `size` (width, height).

    >>> coded_size((120, 160), 90), coded_size((120, 160), 180)
    ((160, 120), (120, 160))
    """
    return (size[1], size[0]) if rotation in (90, 270) else size


def _turned_by_itself(name: str, image: np.ndarray, size: tuple[int, int], rotation: int) -> np.ndarray:
    """A frame from a decoder that applies rotation metadata itself in some versions and not in others (decord,
    torchcodec >= 0.11): turned upright unless its shape shows it already is. A 180-degree turn (or a square
    picture) leaves the shape alone, so then `NotExact` is raised and the build decodes the file with PyAV."""
    if not rotation:
        return image
    height, width = image.shape[:2]
    if rotation == 180 or height == width:
        raise NotExact(f"{name} may or may not apply the video's {rotation}-degree rotation (it depends on its "
                       "version)")
    shown_tall = size[1] > size[0]
    return image if (height > width) == shown_tall else upright(image, rotation)


def _resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if (rgb.shape[1], rgb.shape[0]) == size:
        return rgb
    from PIL import Image

    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BOX))


@register("opencv")
def decode_opencv(
    path: str, table: FrameTable, indices: Sequence[int], size: tuple[int, int], scan: Scan | None = None
) -> list[Frame]:
    """OpenCV, reading forward and counting frames (exact; OpenCV's own seeking is not): `grab` every frame,
    `retrieve` only the wanted ones. No scan visits (the build runs scene detection through PyAV)."""
    try:
        import cv2
    except ImportError:
        raise ImportError("the opencv decoder needs OpenCV: pip install 'vdata[video]'") from None
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        raise ItemError("video_unreadable", "OpenCV cannot open the file", path)
    if hasattr(cv2, "CAP_PROP_ORIENTATION_AUTO"):  # vdata turns frames itself (`upright`), as for every decoder
        capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    wanted = set(int(i) for i in indices)
    out: dict[int, Frame] = {}
    encode = _encoder(scan)
    # OpenCV counts time from the stream's start time; the table from its first shown frame
    start = table.pts[0] if table.start_pts is None else table.start_pts
    offset_s = float((int(start) - int(table.pts[0])) * table.time_base)
    try:
        for index in range(max(wanted, default=-1) + 1):
            if not capture.grab():
                break
            ms = capture.get(cv2.CAP_PROP_POS_MSEC)
            if index in wanted:
                ok, bgr = capture.retrieve()
                if not ok:
                    raise ItemError("decode_failed", f"OpenCV could not decode frame {index}", path)
                image = _resize(upright(bgr[..., ::-1], table.rotation), size)
                out[index] = Frame(index, ms / 1000 + offset_s, encode(image))
    finally:
        capture.release()
    missing = [i for i in indices if i not in out]
    if missing:
        raise ItemError("video_truncated", f"stream ended before frame(s) {missing[:5]} could be decoded", path)
    return [out[int(i)] for i in indices]


@register("torchcodec")
def decode_torchcodec(
    path: str, table: FrameTable, indices: Sequence[int], size: tuple[int, int], scan: Scan | None = None
) -> list[Frame]:
    """torchcodec in exact seek mode (needs the system's FFmpeg libraries and torch)."""
    try:
        from torchcodec.decoders import VideoDecoder
    except (ImportError, RuntimeError, OSError) as e:
        raise ImportError(f"the torchcodec decoder needs torchcodec and system FFmpeg: pip install "
                          f"'vdata[torchcodec]' ({e})") from None
    encode = _encoder(scan)
    first = float(table.pts[0] * table.time_base)
    out: list[Frame] = []
    try:
        decoder = VideoDecoder(path, seek_mode="exact", dimension_order="NHWC")
        for chunk in _chunks([int(i) for i in indices]):
            batch = decoder.get_frames_at(indices=chunk)
            for k, (i, pts) in enumerate(zip(chunk, batch.pts_seconds.tolist(), strict=True)):
                image = _turned_by_itself("torchcodec", batch.data[k].numpy(), size, table.rotation)
                out.append(Frame(i, float(pts) - first, encode(_resize(image, size))))
    except (RuntimeError, ValueError, IndexError) as e:
        raise ItemError("decode_failed", f"torchcodec: {e}", path) from None
    return out


#: Frames a batch decoder (decord, torchcodec) decodes at once: its batch is full-size raw frames.
CHUNK_FRAMES = 16


def _chunks(indices: list[int]) -> list[list[int]]:
    """`indices` in runs of `CHUNK_FRAMES`.

    >>> [len(c) for c in _chunks(list(range(40)))]
    [16, 16, 8]
    """
    return [indices[k:k + CHUNK_FRAMES] for k in range(0, len(indices), CHUNK_FRAMES)]


@register("decord")
def decode_decord(
    path: str, table: FrameTable, indices: Sequence[int], size: tuple[int, int], scan: Scan | None = None
) -> list[Frame]:
    """decord `get_batch` (fast; measured off by one frame on HEVC and crashing on VP9: the build decodes those
    with PyAV). decord numbers frames and times them from its own index, not from the frames it decodes, so
    that index must first agree with the probe's frame table (same count, same times); if not (an MP4 edit
    list: decord counts the hidden frames), `NotExact` is raised."""
    try:
        import decord
    except ImportError:
        raise ImportError("the decord decoder needs decord: pip install 'vdata[decord]'") from None
    try:
        reader = decord.VideoReader(path, num_threads=1)
        own = np.asarray(reader.get_frame_timestamp(list(range(len(reader)))), np.float64).reshape(-1, 2)[:, 0]
    except (decord.DECORDError, RuntimeError, IndexError) as e:
        raise ItemError("decode_failed", f"decord: {e}", path) from None
    own = own - own[0] if len(own) else own
    if len(own) != len(table) or not np.allclose(own, table.timestamps_s, atol=table.frame_duration_s / 4):
        raise NotExact(f"decord's own index ({len(own)} frames) disagrees with the frame table ({len(table)} frames)")
    encode = _encoder(scan)
    out: list[Frame] = []
    try:
        for chunk in _chunks([int(i) for i in indices]):
            batch = reader.get_batch(chunk).asnumpy()
            for k, i in enumerate(chunk):
                image = _turned_by_itself("decord", batch[k], size, table.rotation)
                out.append(Frame(i, float(own[i]), encode(_resize(image, size))))
    except (decord.DECORDError, RuntimeError, IndexError) as e:
        raise ItemError("decode_failed", f"decord: {e}", path) from None
    return out
