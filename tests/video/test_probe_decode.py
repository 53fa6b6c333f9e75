"""Probe and decode against clips whose pixels carry their frame index: every keyframe is the frame it claims."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import CODEC_FRAMES, FPS, HEIGHT, LONG_FRAMES, VFR_TIMES_S, WIDTH
from tests.helpers import item, rgb
from tests.videos import read_index
from vdata.errors import ConfigError, ItemError
from vdata.options import BuildOptions
from vdata.process import process_item
from vdata.video import decode, frames_folder
from vdata.video.probe import PROBE_THREAD_TYPE, StartedDecode, probe, reopen, started_decode

CODECS = ("h264", "hevc", "vp9", "mpeg4")


@pytest.mark.parametrize("codec", CODECS)
def test_probe_lists_every_frame_at_its_true_time(codec_videos: dict[str, Path], codec: str) -> None:
    info = probe(codec_videos[codec])
    assert (info.num_frames, info.width, info.height, info.codec) == (CODEC_FRAMES, WIDTH, HEIGHT, codec)
    np.testing.assert_allclose(info.frames.timestamps_s, np.arange(CODEC_FRAMES) / FPS, atol=1e-9)
    assert info.fps == pytest.approx(FPS)
    assert info.duration_s == pytest.approx(CODEC_FRAMES / FPS)


def test_probe_of_a_variable_frame_rate_file_keeps_each_frames_own_time(vfr_video: Path) -> None:
    info = probe(vfr_video)
    assert info.num_frames == len(VFR_TIMES_S)
    np.testing.assert_allclose(info.frames.timestamps_s, VFR_TIMES_S, atol=1e-9)


@pytest.mark.parametrize("codec", CODECS)
def test_stored_keyframes_show_the_frame_their_index_and_timestamp_name(
    codec_videos: dict[str, Path], codec: str
) -> None:
    row = process_item(item(codec_videos[codec]), BuildOptions(frames="uniform:16"))
    assert len(row["frames"]) == 16
    assert [read_index(rgb(f["bytes"])) for f in row["frames"]] == row["frame_indices"]
    np.testing.assert_allclose(row["frame_timestamps_s"], np.asarray(row["frame_indices"]) / FPS, atol=1e-9)


def test_decoded_keyframes_are_pyav_own_conversion_of_those_frames(codec_videos: dict[str, Path]) -> None:
    # the decoder keeps one swscale context for a call's frames: the pixels are PyAV's own per-frame conversion
    import av

    video = codec_videos["h264"]
    table = probe(video).frames
    frames = decode.get("pyav")(str(video), table, [0, 7, 30], (96, 64))
    with av.open(str(video)) as container:
        own = [f.to_ndarray(width=96, height=64, format="rgb24", interpolation="AREA")
               for i, f in enumerate(container.decode(video=0)) if i in (0, 7, 30)]
    assert [f.index for f in frames] == [0, 7, 30]
    for frame, expected in zip(frames, own, strict=True):
        np.testing.assert_array_equal(frame.image, expected)


def test_variable_frame_rate_keyframes_carry_their_frames_true_times(vfr_video: Path) -> None:
    row = process_item(item(vfr_video), BuildOptions(frames="fps:50,max=200"))
    assert row["frame_indices"] == list(range(len(VFR_TIMES_S)))  # every 20 ms: each frame is nearest to a time
    assert [read_index(rgb(f["bytes"])) for f in row["frames"]] == row["frame_indices"]
    assert row["frame_timestamps_s"] == pytest.approx([VFR_TIMES_S[i] for i in row["frame_indices"]], abs=1e-9)


def test_variable_frame_rate_uniform_picks_the_frame_nearest_each_time(vfr_video: Path) -> None:
    row = process_item(item(vfr_video), BuildOptions(frames="uniform:4"))
    # duration 1.9 s + median gap; centres ~0.25, 0.74, 1.23, 1.72 s -> the frames at 0.25, 0.8, 1.07 (or 1.5), 1.9
    centres = [(k + 0.5) * row["duration_s"] / 4 for k in range(4)]
    expected = [min(range(len(VFR_TIMES_S)), key=lambda i, t=t: abs(VFR_TIMES_S[i] - t)) for t in centres]
    assert row["frame_indices"] == expected
    assert [read_index(rgb(f["bytes"])) for f in row["frames"]] == expected


def _count_seeks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the keyframe each PyAV seek starts from."""
    seeks: list[int] = []
    original = decode._frames_from

    def counting(container, stream, table, keyframe):  # type: ignore[no-untyped-def]
        seeks.append(keyframe)
        return original(container, stream, table, keyframe)

    monkeypatch.setattr(decode, "_frames_from", counting)
    return seeks


def test_sparse_frames_on_a_long_gop_video_seek_to_each_keyframe(
    long_gop_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = probe(long_gop_video).frames
    assert table.keyframes.tolist() == [0, 50, 100, 150]
    seeks = _count_seeks(monkeypatch)
    frames = decode.get("pyav")(str(long_gop_video), table, [10, 110, 160], (WIDTH, HEIGHT))
    assert seeks == [0, 100, 150]
    assert [(f.index, read_index(f.image)) for f in frames] == [(10, 10), (110, 110), (160, 160)]
    assert [f.timestamp_s for f in frames] == pytest.approx([0.4, 4.4, 6.4], abs=1e-9)


def test_dense_frames_decode_forward_in_one_pass(long_gop_video: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = probe(long_gop_video).frames
    seeks = _count_seeks(monkeypatch)
    wanted = list(range(3, LONG_FRAMES, 5))
    frames = decode.get("pyav")(str(long_gop_video), table, wanted, (WIDTH, HEIGHT))
    assert seeks == [0]
    assert [read_index(f.image) for f in frames] == wanted
    assert [f.timestamp_s for f in frames] == pytest.approx([i / FPS for i in wanted], abs=1e-9)


def test_a_frame_just_past_a_keyframe_reached_forward_does_not_seek(
    long_gop_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = probe(long_gop_video).frames
    seeks = _count_seeks(monkeypatch)
    frames = decode.get("pyav")(str(long_gop_video), table, [45, 55], (WIDTH, HEIGHT))
    assert seeks == [0]  # keyframe 50 is only 5 frames past frame 45: decoding on is cheaper than a seek
    assert [read_index(f.image) for f in frames] == [45, 55]


def test_scan_visits_every_frame_of_its_range_once_in_order(long_gop_video: Path) -> None:
    table = probe(long_gop_video).frames
    seen: list[int] = []
    scan = decode.Scan(60, 90, lambda index, planes, take: seen.append(index))
    frames = decode.get("pyav")(str(long_gop_video), table, [70, 120], (WIDTH, HEIGHT), scan)
    assert seen == list(range(60, 91))
    assert [read_index(f.image) for f in frames] == [70, 120]


def test_a_decode_after_the_probe_reads_the_container_the_probe_left_open(
    codec_videos: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import av

    video = tmp_path / "clip.mp4"
    video.write_bytes(codec_videos["h264"].read_bytes())
    probe(video)
    with reopen(str(video), PROBE_THREAD_TYPE) as fresh:  # a probe not asked to leave it open closed it
        assert not fresh.streams.video[0].codec_context.is_open
    probe(video, leave_open=True)
    with reopen(str(video), PROBE_THREAD_TYPE) as left:  # its decoder opened by the probe's first-frame decode
        assert left.streams.video[0].codec_context.is_open
        assert started_decode(fresh) is None  # the decode the probe started goes only with its own container
        started = started_decode(left)
        assert started is not None and started_decode(left) is None  # taken once
        assert [read_index(f.to_ndarray(format="rgb24")) for f in started.frames()] == list(range(CODEC_FRAMES))
    probe(video, leave_open=True)
    with reopen(str(video), "AUTO") as fresh:  # a new container: no started decode with it
        assert started_decode(fresh) is None
    probe(video, leave_open=True)
    with reopen(str(video), "AUTO") as fresh:  # other threading: a new container
        assert not fresh.streams.video[0].codec_context.is_open
    probe(video, leave_open=True)
    os.utime(video, ns=(1, 1))  # the file changed since the probe
    with reopen(str(video), PROBE_THREAD_TYPE) as fresh:
        assert not fresh.streams.video[0].codec_context.is_open
    probe(video, leave_open=True)
    with reopen(str(codec_videos["vp9"]), PROBE_THREAD_TYPE) as other:  # another file
        assert other.name == str(codec_videos["vp9"]) and not other.streams.video[0].codec_context.is_open
    with reopen(str(video), PROBE_THREAD_TYPE) as fresh:  # taken once only: the other file's reopen closed it
        assert not fresh.streams.video[0].codec_context.is_open
    probe(video, leave_open=True)
    moved = video.rename(tmp_path / "moved.mp4")  # the file is gone: a new open fails, nothing is handed over
    with pytest.raises(av.error.FileNotFoundError):
        reopen(str(video), PROBE_THREAD_TYPE)
    moved.rename(video)
    probe(video, leave_open=True)
    with monkeypatch.context() as patch:  # a forked child: never its parent's container (a shared file offset)
        patch.setattr(os, "getpid", lambda: -1)
        with reopen(str(video), PROBE_THREAD_TYPE) as fresh:
            assert not fresh.streams.video[0].codec_context.is_open


def test_a_second_probe_of_a_file_left_open_returns_the_first_probes_result(
    codec_videos: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vdata.video import probe as probe_module

    video = tmp_path / "clip.mp4"
    video.write_bytes(codec_videos["h264"].read_bytes())
    opened: list[str] = []
    open_file = probe_module._open
    monkeypatch.setattr(probe_module, "_open", lambda path, threads: opened.append(path) or open_file(path, threads))
    first = probe(video, leave_open=True)
    assert probe(video, leave_open=True) is first and len(opened) == 1  # left open: read once
    assert probe(video) is first and len(opened) == 1  # not left open any more: closed
    with reopen(str(video), PROBE_THREAD_TYPE) as fresh:
        assert not fresh.streams.video[0].codec_context.is_open
    assert probe(video) is not first and len(opened) == 3  # nothing left open: read again
    probe(video, leave_open=True)
    with reopen(str(video), PROBE_THREAD_TYPE):  # the decode took the container: the next probe reads the file
        pass
    assert len(opened) == 4 and probe(video, leave_open=True).frames.pts.tolist() == first.frames.pts.tolist()
    assert len(opened) == 5
    video.write_bytes(codec_videos["vp9"].read_bytes())  # the file changed since the probe
    changed = probe(video, leave_open=True)
    assert changed.codec == "vp9" and len(opened) == 6
    probe(codec_videos["hevc"], leave_open=True)  # another file's probe closes this one's
    assert probe(video).codec == "vp9" and len(opened) == 8


def test_a_scenes_build_reads_each_short_videos_frame_table_once(
    codec_videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from vdata.build.windows import item_task
    from vdata.video import probe as probe_module

    tables: list[str] = []
    frame_table = probe_module._frame_table
    monkeypatch.setattr(probe_module, "_frame_table",
                        lambda container, stream, path: tables.append(path) or frame_table(container, stream, path))
    succeeded, row = item_task(item(codec_videos["h264"]), BuildOptions(scenes="content"), 9000)
    assert succeeded and row["scenes"] and tables == [str(codec_videos["h264"])]  # asked to split, then built


@pytest.mark.parametrize("codec", CODECS)
def test_frames_decoded_through_the_probes_container_are_those_of_a_new_one(
    codec_videos: dict[str, Path], codec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decode, "THREAD_TYPE", PROBE_THREAD_TYPE)
    video = str(codec_videos[codec])
    resumed: list[int] = []
    frames_of = StartedDecode.frames
    monkeypatch.setattr(StartedDecode, "frames", lambda self: resumed.append(1) or frames_of(self))

    def decoded(after_probe: bool, wanted: list[int], scan_from: int | None) -> tuple[list[int], list[tuple]]:
        table = probe(video, leave_open=True).frames
        if not after_probe:
            reopen(video, "AUTO").close()  # takes and closes what the probe left open
        seen: list[int] = []
        scan = None if scan_from is None else decode.Scan(scan_from, 40, lambda i, picture, take: seen.append(i))
        frames = decode.get("pyav")(video, table, wanted, (WIDTH, HEIGHT), scan)
        return seen, [(f.index, f.timestamp_s, f.image.tobytes()) for f in frames]

    # from the first frame: the probe's decode resumed (once), the same frames as a new container's
    assert decoded(True, [0, 9, 31, 47], 3) == decoded(False, [0, 9, 31, 47], 3) and resumed == [1]
    assert decoded(True, [0, 47], None) == decoded(False, [0, 47], None) and resumed == [1, 1]
    # from a later keyframe (each test clip has several): the probe's decode ended, a seek, the same frames
    later = [int(probe(video).frames.keyframes[1]), CODEC_FRAMES - 1]
    assert decoded(True, later, None) == decoded(False, later, None) and resumed == [1, 1]


def test_decoded_frames_have_the_requested_size(codec_videos: dict[str, Path]) -> None:
    table = probe(codec_videos["h264"]).frames
    (frame,) = decode.get("pyav")(str(codec_videos["h264"]), table, [7], (84, 56))
    assert frame.image.shape == (56, 84, 3)
    assert read_index(frame.image) == 7


@pytest.mark.parametrize("name", [n for n in decode.names() if n not in ("auto", frames_folder.DECODER)])  # video decoders
@pytest.mark.parametrize("codec", CODECS)
def test_every_registered_decoder_returns_the_requested_frames(
    codec_videos: dict[str, Path], codec: str, name: str
) -> None:
    if name == "decord" and codec in decode.DECORD_INEXACT_CODECS:
        pytest.skip(f"decord is documented inexact on {codec}; the build decodes it with PyAV (tested below)")
    table = probe(codec_videos[codec]).frames
    wanted = [0, 1, 13, 26, 27, 50, CODEC_FRAMES - 1]
    try:
        frames = decode.get(name)(str(codec_videos[codec]), table, wanted, (WIDTH, HEIGHT))
    except ImportError as e:
        pytest.skip(f"{name} is not installed: {e}")
    assert [(f.index, read_index(f.image)) for f in frames] == [(i, i) for i in wanted]
    assert [f.timestamp_s for f in frames] == pytest.approx([i / FPS for i in wanted], abs=1e-6)


@pytest.mark.parametrize("codec", CODECS)
def test_build_with_decord_stays_exact_on_every_codec(codec_videos: dict[str, Path], codec: str) -> None:
    pytest.importorskip("decord")
    row = process_item(item(codec_videos[codec]), BuildOptions(frames="uniform:8", decoder="decord"))
    assert [read_index(rgb(f["bytes"])) for f in row["frames"]] == row["frame_indices"]
    np.testing.assert_allclose(row["frame_timestamps_s"], np.asarray(row["frame_indices"]) / FPS, atol=1e-9)
    fell_back = "decoder_fallback" in json.loads(row["meta"]).get("vdata_notes", {})
    assert fell_back == (codec in decode.DECORD_INEXACT_CODECS)


def test_unknown_decoder_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown decoder 'nope'; known: auto, .*pyav"):
        decode.get("nope")


@pytest.mark.parametrize(
    ("content", "code"),
    [(None, "video_missing"), (b"", "video_empty"), (b"just some text, not a video\n", "video_unreadable")],
)
def test_probe_names_what_is_wrong_with_a_bad_file(tmp_path: Path, content: bytes | None, code: str) -> None:
    path = tmp_path / "bad.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ItemError) as caught:
        probe(path)
    assert caught.value.code == code
    assert str(path) in str(caught.value)


def test_probe_reports_an_mp4_cut_in_half_as_truncated(codec_videos: dict[str, Path], tmp_path: Path) -> None:
    data = codec_videos["h264"].read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ItemError) as caught:
        probe(cut)
    assert caught.value.code == "video_truncated"
    assert str(cut) in str(caught.value)
