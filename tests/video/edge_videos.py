"""Real-world-style files made from a barcoded clip by remuxing with PyAV (no re-encoding): an MP4 cut with an edit
list (what `ffmpeg -ss ... -c copy` writes), an MPEG-TS with B-frames, and two TS files joined end to end."""

from __future__ import annotations

from pathlib import Path

from tests.videos import write_video


def remux(src: Path, dst: Path, fmt: str | None = None, skip_before_pts: int | None = None, shift: int = 0) -> Path:
    """Copy `src`'s video packets into `dst` (container `fmt`), dropping packets of GOPs that start before
    `skip_before_pts` and moving every timestamp back by `shift` (negative timestamps: an MP4 edit list)."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", format=fmt) as out:
        stream = inp.streams.video[0]
        copy = out.add_stream_from_template(stream)
        started = skip_before_pts is None
        for packet in inp.demux(stream):
            if packet.dts is None:
                continue
            if not started and not (packet.is_keyframe and packet.pts >= skip_before_pts):
                continue
            started = True
            packet.pts -= shift
            packet.dts -= shift
            packet.stream = copy
            out.mux(packet)
    return dst


def edit_list_mp4(folder: Path, cut_frame: int = 38) -> tuple[Path, int]:
    """An MP4 that starts (edit list) at frame `cut_frame` of a 60-frame, 25 fps clip, holding the packets from
    the keyframe before it (flagged discard). Returns the path and the number of the first frame shown."""
    import av

    src = write_video(folder / "el_src.mp4", num_frames=60, width=160, height=120, fps=25.0, gop=12)
    with av.open(str(src)) as c:
        stream = c.streams.video[0]
        step = int(1 / (25 * stream.time_base))
        keys = sorted(p.pts for p in c.demux(stream) if p.size and p.is_keyframe)
    keyframe = max(k for k in keys if k < cut_frame * step)
    remux(src, folder / "el.mp4", skip_before_pts=keyframe, shift=cut_frame * step)
    return folder / "el.mp4", cut_frame


def ts_with_b_frames(folder: Path, name: str = "b.ts", num_frames: int = 120) -> Path:
    """A 25 fps H.264 MPEG-TS with B-frames and a keyframe every 30 frames (or at scene cuts)."""
    src = write_video(folder / f"{name}.mp4", num_frames=num_frames, width=160, height=120, fps=25.0, gop=30)
    return remux(src, folder / name, fmt="mpegts")


def joined_ts(folder: Path) -> Path:
    """Two copies of `ts_with_b_frames` joined byte for byte: timestamps jump back at frame 120."""
    one = ts_with_b_frames(folder, "part.ts").read_bytes()
    path = folder / "joined.ts"
    path.write_bytes(one + one)
    return path


def rotated_mp4(folder: Path, rotation: int, num_frames: int = 12) -> Path:
    """A 160 x 120 barcoded H.264 clip remuxed with a display matrix turning it `rotation` degrees
    counter-clockwise (what a phone writes; `ffmpeg -i in.mp4 -c copy -metadata:s:v rotate=...` writes the same)."""
    import av

    src = write_video(folder / f"rot_src_{rotation}.mp4", num_frames=num_frames, width=160, height=120, fps=25.0)
    dst = folder / f"rot_{rotation}.mp4"
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = inp.streams.video[0]
        copy = out.add_stream_from_template(stream)
        copy.set_display_rotation(rotation)
        for packet in inp.demux(stream):
            if packet.dts is None:
                continue
            packet.stream = copy
            out.mux(packet)
    return dst
