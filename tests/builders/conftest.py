"""Fixtures for the builder tests: one tiny generated video, copied into each corpus layout."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.videos import write_video

#: The test video: 160 x 120 pixels, 10 fps, 30 frames (3.0 s).
WIDTH, HEIGHT, FPS, NUM_FRAMES = 160, 120, 10.0, 30


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One generated H.264 test video shared by every test (copied, never modified)."""
    return write_video(
        tmp_path_factory.mktemp("clip") / "clip.mp4", fps=FPS, num_frames=NUM_FRAMES, width=WIDTH, height=HEIGHT
    )


@pytest.fixture
def put(clip: Path) -> Callable[[Path], Path]:
    """`put(dest)` copies the test video to `dest` (creating folders) and returns `dest`."""

    def copy(dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(clip, dest)
        return dest

    return copy


def write_frames(folder: Path, num_frames: int = NUM_FRAMES) -> Path:
    """Write the test video's frames (same pixels: barcode index and box) as JPEG files `00000001.jpg`,
    `00000002.jpg`, ... (GOT-10k / LaSOT naming) into `folder`; returns it."""
    from PIL import Image

    from tests.videos import make_frame

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(num_frames):
        Image.fromarray(make_frame(i, WIDTH, HEIGHT)).save(folder / f"{i + 1:08d}.jpg", quality=95)
    return folder
