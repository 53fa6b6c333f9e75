"""`vdata build --audio`: the clip window's audio as 16 kHz mono FLAC on the frames' clock (first video frame =
0 s), from a real container whose audio starts before its video; a file without audio is a note, not an error."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from vdata.build import build
from vdata.options import BuildOptions
from vdata.shards import read_table
from vdata.video.audio import SAMPLE_RATE, decode_flac

av = pytest.importorskip("av")

#: The video's first frame is at this container time; the audio's first sample at 0.
VIDEO_START_S = 0.5
FPS = 25
NUM_FRAMES = 75  # 3.0 s of video, from 0.5 s to 3.5 s on the container's clock


def ramp(index: np.ndarray) -> np.ndarray:
    """The test track's sample values: one step per millisecond of container time (16 samples)."""
    return (index // 16).astype(np.int16)


def write_av(path: Path, audio: bool = True) -> Path:
    """A Matroska file: H.264 frames from `VIDEO_START_S`, and (with `audio`) 4 s of 16 kHz mono PCM from 0 s
    whose sample i has the value `ramp(i)`."""
    from vdata.synthetic import make_frame

    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = 160, 120, "yuv420p"
        video.codec_context.time_base = Fraction(1, 1000)
        if audio:
            sound = container.add_stream("pcm_s16le", rate=SAMPLE_RATE, layout="mono")
            pcm = ramp(np.arange(4 * SAMPLE_RATE))
            for first in range(0, len(pcm), 1600):
                frame = av.AudioFrame.from_ndarray(pcm[first:first + 1600].reshape(1, -1), format="s16",
                                                   layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = SAMPLE_RATE, first, Fraction(1, SAMPLE_RATE)
                container.mux(sound.encode(frame))
            container.mux(sound.encode(None))
        for i in range(NUM_FRAMES):
            frame = av.VideoFrame.from_ndarray(make_frame(i, 160, 120, ()), format="rgb24")
            frame.pts, frame.time_base = round((VIDEO_START_S + i / FPS) * 1000), Fraction(1, 1000)
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
    return path


def test_audio_of_a_clip_is_on_the_frames_clock_when_the_audio_starts_before_the_video(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    write_av(corpus / "talk.mkv")
    write_av(corpus / "silent.mkv", audio=False)
    samples = [{"id": "clip", "video": "talk.mkv", "task": "caption", "clip_start_s": 1.0, "clip_end_s": 2.0},
               {"id": "mute", "video": "silent.mkv", "task": "caption"}]
    (corpus / "s.jsonl").write_text("".join(json.dumps(s) + "\n" for s in samples))
    report = build([f"jsonl:{corpus / 's.jsonl'}"], tmp_path / "out",
                   BuildOptions(frames="uniform:2", scenes="none", workers=0, audio=True))
    assert report.rows == 2
    rows = {r["video"]: r for r in read_table(tmp_path / "out").to_pylist()}
    clip = rows["talk.mkv"]
    assert clip["frame_timestamps_s"][0] >= 1.0
    pcm, rate = decode_flac(clip["audio"]["bytes"])
    assert rate == clip["audio"]["sample_rate"] == SAMPLE_RATE
    assert len(pcm) == SAMPLE_RATE  # 1.0 s of window
    # video time 1.0 s = container time 1.5 s = audio sample 24000
    first = round((VIDEO_START_S + 1.0) * SAMPLE_RATE)
    np.testing.assert_array_equal(pcm, ramp(np.arange(first, first + SAMPLE_RATE)))
    mute = rows["silent.mkv"]
    assert mute["audio"] is None
    assert json.loads(mute["meta"])["vdata_notes"]["audio"] == "no audio stream"


def test_without_the_option_no_audio_is_stored(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    write_av(corpus / "talk.mkv")
    (corpus / "s.jsonl").write_text(json.dumps({"id": "a", "video": "talk.mkv", "task": "caption"}) + "\n")
    build([f"jsonl:{corpus / 's.jsonl'}"], tmp_path / "out", BuildOptions(frames="uniform:2", scenes="none", workers=0))
    assert read_table(tmp_path / "out", columns=["audio"]).column("audio").to_pylist() == [None]
