"""The clip window's audio (`vdata build --audio`): mono FLAC at `SAMPLE_RATE` Hz, on the frames' clock.

Read with PyAV from the same container as the frames and resampled by PyAV's `AudioResampler` (libswresample:
any layout and rate to mono `s16` at the target rate). Time origin: the first video frame is 0.0 (as for
`frame_timestamps_s`), so an audio stream that starts before or after the video is placed by the presentation
times of both streams: the stored audio's first sample is at `clip_start_s` in video time, and it lasts
`clip_end_s - clip_start_s` (silence where the file has no audio for part of the window). A file without an
audio stream gives None and a note (`meta["vdata_notes"]["audio"]`), not an error.

>>> samples_at(1.25, 0.5, 16000)  # 1.25 s is 0.75 s after the audio's first sample
12000
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from vdata.errors import ItemError

#: The stored audio's sample rate, Hz (what Whisper-style audio encoders of audio-visual models take).
SAMPLE_RATE = 16000
#: Seek to the window when it starts this far (seconds) into the audio; decode from the start otherwise.
SEEK_AFTER_S = 10.0


def samples_at(time_s: float, origin_s: float, rate: int) -> int:
    """The index of the sample at `time_s` in a track whose sample 0 is at `origin_s` (seconds, `rate` Hz)."""
    return round((time_s - origin_s) * rate)


def clip(path: Path, first_frame_s: float, start_s: float, end_s: float, notes: dict[str, Any],
         rate: int = SAMPLE_RATE) -> dict[str, Any] | None:
    """`{"bytes": FLAC, "sample_rate": rate}` of the audio of video `path` from `start_s` to `end_s` (seconds
    from the first video frame, which is at `first_frame_s` on the container's clock); None (noted in `notes`)
    when the file has no audio stream."""
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                notes["audio"] = "no audio stream"
                return None
            stream = container.streams.audio[0]
            window = (first_frame_s + start_s, first_frame_s + end_s)  # on the container's clock
            pcm, origin_s = _decode(container, stream, window[0], rate)
    except av.error.FFmpegError as e:
        raise ItemError("decode_failed", f"the audio cannot be decoded ({e})", str(path)) from None
    first, count = samples_at(window[0], origin_s, rate), round((end_s - start_s) * rate)
    out = np.zeros(count, np.int16)
    lo, hi = max(first, 0), min(first + count, len(pcm))
    if hi > lo:
        out[lo - first:hi - first] = pcm[lo:hi]
    return {"bytes": encode_flac(out, rate), "sample_rate": rate}


def _decode(container: Any, stream: Any, from_s: float, rate: int) -> tuple[np.ndarray, float]:
    """Mono s16 samples of `stream` at `rate` Hz from (about) `from_s` to the end, and the time of the first one."""
    import av

    if from_s - float(stream.start_time or 0) * float(stream.time_base) > SEEK_AFTER_S:
        container.seek(int((from_s - 1.0) / stream.time_base), stream=stream, backward=True)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
    chunks: list[np.ndarray] = []
    origin_s: float | None = None
    for frame in container.decode(stream):
        if origin_s is None:
            origin_s = float(frame.pts * frame.time_base) if frame.pts is not None else 0.0
        for out in resampler.resample(frame):
            chunks.append(out.to_ndarray().reshape(-1))
    for out in resampler.resample(None):  # flush
        chunks.append(out.to_ndarray().reshape(-1))
    pcm = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    return pcm, origin_s if origin_s is not None else 0.0


def encode_flac(pcm: np.ndarray, rate: int) -> bytes:
    """A FLAC file of mono int16 samples `pcm` at `rate` Hz, encoded by PyAV."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="flac") as out:
        stream = out.add_stream("flac", rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def decode_flac(data: bytes) -> tuple[np.ndarray, int]:
    """Mono int16 samples and the sample rate of FLAC `data` (the stored `audio.bytes`), decoded by PyAV."""
    import av

    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        frames = [f.to_ndarray().reshape(-1) for f in container.decode(stream)]
        return (np.concatenate(frames) if frames else np.zeros(0, np.int16)), stream.rate
