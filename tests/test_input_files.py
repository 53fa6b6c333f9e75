"""Inputs that are not ordinary videos get the right error code, naming the file (issue 13)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import item, rgb
from tests.videos import read_index, write_video
from vdata.errors import ItemError
from vdata.options import BuildOptions
from vdata.process import process_item


def _code(path: Path) -> ItemError:
    with pytest.raises(ItemError) as caught:
        process_item(item(path), BuildOptions(frames="uniform:4"))
    assert str(path) in str(caught.value)
    return caught.value


def test_a_one_frame_video_lasts_one_frame_and_is_built(tmp_path: Path) -> None:
    path = write_video(tmp_path / "one.mp4", num_frames=1, fps=25.0, width=160, height=120)
    row = process_item(item(path), BuildOptions(frames="uniform:4"))
    assert row["duration_s"] == pytest.approx(0.04)
    assert row["num_frames"] == 1 and row["frame_indices"] == [0]
    assert read_index(rgb(row["frames"][0]["bytes"])) == 0


def test_a_png_renamed_mp4_is_not_a_video(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "still.mp4"
    Image.fromarray(np.zeros((24, 32, 3), np.uint8)).save(path, format="PNG")
    assert _code(path).code == "not_a_video"


def test_a_directory_named_like_a_video_is_not_a_file(tmp_path: Path) -> None:
    path = tmp_path / "x.mp4"
    path.mkdir()
    error = _code(path)
    assert error.code == "video_not_a_file" and "directory" in error.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "pipe.mp4"
    os.mkfifo(path)
    error = _code(path)
    assert error.code == "video_not_a_file" and "not a regular file" in error.message


def test_a_device_file_is_not_a_regular_file() -> None:
    error = _code(Path("/dev/null"))
    assert error.code == "video_not_a_file"
