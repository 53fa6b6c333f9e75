"""Rotation metadata (a phone video): stored frames, `width`/`height` and boxes are what a viewer shows, with every
decoder. The display matrix turns the coded picture counter-clockwise, as `ffmpeg` does when it transcodes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import item, rgb
from tests.video.edge_videos import rotated_mp4
from tests.videos import box_at, find_box, make_frame, read_index
from vdata.builders.base import Box
from vdata.options import BuildOptions
from vdata.process import process_item
from vdata.video import decode
from vdata.video.probe import probe

#: The coded picture of `rotated_mp4`.
CODED_W, CODED_H = 160, 120
DECODERS = [name for name, module in [("pyav", "av"), ("opencv", "cv2"), ("decord", "decord"),
                                      ("torchcodec", "torchcodec")] if importlib.util.find_spec(module)]


@pytest.fixture(scope="module")
def rotated(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("rotated")
    return {rotation: rotated_mp4(folder, rotation) for rotation in (90, 180, 270)}


def shown(index: int, rotation: int) -> np.ndarray:
    """Frame `index` as a viewer shows it (FFmpeg's display matrix: counter-clockwise)."""
    return np.rot90(make_frame(index, CODED_W, CODED_H), rotation // 90)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_probe_reads_the_rotation_and_gives_the_shown_size(rotated: dict[int, Path], rotation: int) -> None:
    info = probe(rotated[rotation])
    assert info.frames.rotation == rotation
    assert (info.width, info.height) == ((CODED_H, CODED_W) if rotation != 180 else (CODED_W, CODED_H))


@pytest.mark.parametrize("name", DECODERS)
@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_every_decoder_gives_the_shown_orientation(rotated: dict[int, Path], rotation: int, name: str) -> None:
    path = rotated[rotation]
    info = probe(path)
    try:
        frames = decode.get(name)(str(path), info.frames, [3, 7], (info.width, info.height))
    except decode.NotExact:  # the build then decodes with PyAV (tested below); only allowed where it cannot tell
        assert name in ("decord", "torchcodec") and rotation == 180
        return
    for frame in frames:
        expected = shown(frame.index, rotation)
        assert frame.image.shape == expected.shape
        assert find_box(frame.image) == pytest.approx(find_box(expected), abs=1)
        assert np.abs(frame.image.astype(int) - expected).mean() < 8


@pytest.mark.parametrize("name", DECODERS)
def test_a_rotated_video_builds_shown_frames_size_and_boxes(rotated: dict[int, Path], name: str) -> None:
    path = rotated[90]
    # the box of frame 5 in the shown (portrait) picture: coded (x1, y1, x2, y2) turned 90 degrees ccw
    x1, y1, x2, y2 = box_at(5, CODED_W, CODED_H)
    box = Box(y1, CODED_W - x2, y2, CODED_W - x1, frame_index=5)
    row = process_item(item(path, boxes=(box,)), BuildOptions(frames="uniform:2,boxes", decoder=name))
    assert (row["width"], row["height"]) == (CODED_H, CODED_W)
    k = row["frame_indices"].index(5)
    images = [rgb(f["bytes"]) for f in row["frames"]]
    assert all(image.shape[0] > image.shape[1] for image in images)  # portrait, as shown
    image = images[k]
    sx, sy = image.shape[1] / row["width"], image.shape[0] / row["height"]
    stored = row["boxes"][0]
    assert find_box(image) == pytest.approx((stored["x1"] * sx, stored["y1"] * sy, stored["x2"] * sx,
                                             stored["y2"] * sy), abs=2)
    assert [read_index(np.rot90(im, -1)) for im in images] == row["frame_indices"]
