"""Files researchers actually have: edit-list MP4 cuts, MPEG-TS with B-frames, joined TS files. Every stored
keyframe's barcode must be the frame its index names, with every decoder (or the build falls back to PyAV)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import item, rgb
from tests.video.edge_videos import edit_list_mp4, joined_ts, ts_with_b_frames
from tests.videos import read_index
from vdata.options import BuildOptions
from vdata.process import process_item
from vdata.video import decode
from vdata.video.probe import probe

FPS = 25.0


@pytest.fixture(scope="module")
def edit_list(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    return edit_list_mp4(tmp_path_factory.mktemp("edit_list"))


@pytest.fixture(scope="module")
def ts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ts_with_b_frames(tmp_path_factory.mktemp("ts"))


@pytest.fixture(scope="module")
def joined(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return joined_ts(tmp_path_factory.mktemp("joined"))


def _decoder_or_skip(name: str) -> None:
    if name == "decord":
        pytest.importorskip("decord")


def test_edit_list_frames_are_only_the_shown_ones_from_time_zero(edit_list: tuple[Path, int]) -> None:
    path, cut = edit_list
    info = probe(path)
    assert info.num_frames == 60 - cut
    np.testing.assert_allclose(info.frames.timestamps_s, np.arange(60 - cut) / FPS, atol=1e-9)
    assert info.duration_s == pytest.approx((60 - cut) / FPS)


@pytest.mark.parametrize("name", ["pyav", "opencv", "decord"])
def test_edit_list_keyframes_are_the_shown_frames_with_every_decoder(edit_list: tuple[Path, int], name: str) -> None:
    _decoder_or_skip(name)
    path, cut = edit_list
    row = process_item(item(path), BuildOptions(frames="uniform:6", decoder=name))
    assert row["num_frames"] == 60 - cut
    assert [read_index(rgb(f["bytes"])) - cut for f in row["frames"]] == row["frame_indices"]
    np.testing.assert_allclose(row["frame_timestamps_s"], np.asarray(row["frame_indices"]) / FPS, atol=1e-6)


def test_decord_refuses_a_file_whose_own_index_disagrees_with_the_frame_table(edit_list: tuple[Path, int]) -> None:
    pytest.importorskip("decord")
    path, _ = edit_list
    with pytest.raises(decode.NotExact, match="disagrees"):
        decode.get("decord")(str(path), probe(path).frames, [0, 5], (160, 120))
    row = process_item(item(path), BuildOptions(frames="uniform:4", decoder="decord"))
    assert "decoder_fallback" in json.loads(row["meta"])["vdata_notes"]


def test_mpegts_seek_lands_on_the_keyframe_before_each_frame(ts: Path) -> None:
    table = probe(ts).frames
    wanted = [31, 61, 95, 100]
    frames = decode.get("pyav")(str(ts), table, wanted, (160, 120))
    assert [(f.index, read_index(f.image)) for f in frames] == [(i, i) for i in wanted]
    assert [f.timestamp_s for f in frames] == pytest.approx([i / FPS for i in wanted], abs=1e-9)


@pytest.mark.parametrize("name", ["pyav", "opencv", "decord"])
def test_mpegts_build_is_exact_with_every_decoder(ts: Path, name: str) -> None:
    _decoder_or_skip(name)
    row = process_item(item(ts), BuildOptions(frames="uniform:8", decoder=name))
    assert [read_index(rgb(f["bytes"])) for f in row["frames"]] == row["frame_indices"]
    fell_back = "decoder_fallback" in json.loads(row["meta"]).get("vdata_notes", {})
    assert fell_back == (name == "decord")  # decord seeks TS to the wrong keyframe: not proven, not used


def test_joined_streams_keep_every_frame_on_one_timeline(joined: Path) -> None:
    info = probe(joined)
    assert info.num_frames == 240
    np.testing.assert_allclose(info.frames.timestamps_s, np.arange(240) / FPS, atol=1e-9)


@pytest.mark.parametrize("name", ["pyav", "opencv"])
def test_joined_streams_build_decodes_both_halves(joined: Path, name: str) -> None:
    row = process_item(item(joined), BuildOptions(frames="uniform:8", decoder=name))
    assert row["frame_indices"][-1] >= 120
    assert [read_index(rgb(f["bytes"])) for f in row["frames"]] == [i % 120 for i in row["frame_indices"]]
    np.testing.assert_allclose(row["frame_timestamps_s"], np.asarray(row["frame_indices"]) / FPS, atol=1e-6)
