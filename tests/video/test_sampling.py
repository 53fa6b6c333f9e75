"""Each frame policy picks exactly the frames its rule names, checked on a 100-frame, 25 fps clip (4.0 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import item, rgb
from tests.videos import read_index
from vdata.builders.base import Box
from vdata.errors import ConfigError
from vdata.options import BuildOptions
from vdata.process import process_item
from vdata.video.resize import fit_pixels
from vdata.video.sampling import FramePolicy


def indices(video: Path, frames: str, scenes: str = "none", **labels: object) -> list[int]:
    """The stored keyframes' indices, each checked against the index its pixels carry."""
    row = process_item(item(video, **labels), BuildOptions(frames=frames, scenes=scenes))
    assert [read_index(rgb(f["bytes"])) for f in row["frames"]] == row["frame_indices"]
    return row["frame_indices"]


def test_uniform_takes_the_centre_frame_of_equal_segments(scene_video: Path) -> None:
    # segments of 0.8 s: centres 0.4, 1.2, 2.0, 2.8, 3.6 s
    assert indices(scene_video, "uniform:5") == [10, 30, 50, 70, 90]


def test_default_policy_is_uniform_16(scene_video: Path) -> None:
    assert len(indices(scene_video, BuildOptions().frames)) == 16


def test_fps_takes_one_frame_every_period_from_the_window_start(scene_video: Path) -> None:
    assert indices(scene_video, "fps:5") == list(range(0, 100, 5))


def test_fps_over_its_max_falls_back_to_uniform_max(scene_video: Path) -> None:
    # 20 times at 5 fps > max 8: uniform 8, centres 0.25, 0.75, ... 3.75 s
    assert indices(scene_video, "fps:5,max=8") == [6, 19, 31, 44, 56, 69, 81, 94]


def test_scenes_takes_each_scene_keyframe_topped_up_uniformly_to_min(scene_video: Path) -> None:
    # scenes of frames 0-29, 30-69, 70-99 (0-1.2, 1.2-2.8, 2.8-4.0 s): keyframes 14, 50, 84 (every 2nd frame of a
    # 30-frame scene, every 4th of a 40-frame one, nearest the middle frame; ties: the earlier) take the places
    # of the nearest of 5 segment centres (0.4, 2.0, 3.6 s); the other two (1.2, 2.8 s) top it up to 5
    assert indices(scene_video, "scenes,min=5", scenes="content") == [14, 30, 50, 70, 84]


def test_scenes_over_max_keeps_scenes_spread_evenly(scene_video: Path) -> None:
    assert indices(scene_video, "scenes,min=1,max=2", scenes="content") == [14, 84]


def test_boxes_adds_the_frame_of_each_box(scene_video: Path) -> None:
    boxes = (Box(10, 30, 40, 60, frame_index=33), Box(10, 30, 40, 60, timestamp_s=2.56))
    # uniform 3: centres 0.67, 2.0, 3.33 s -> 17, 50, 83; the boxes sit on frames 33 and 64
    assert indices(scene_video, "uniform:3,boxes", boxes=boxes) == [17, 33, 50, 64, 83]


def test_clip_window_bounds_the_sampled_frames(scene_video: Path) -> None:
    # window 1.0-2.0 s, uniform 4: centres 1.125, 1.375, 1.625, 1.875 s
    assert indices(scene_video, "uniform:4", clip_start_s=1.0, clip_end_s=2.0) == [28, 34, 41, 47]


def test_a_window_with_fewer_frames_than_asked_gives_each_frame_once(scene_video: Path) -> None:
    assert indices(scene_video, "uniform:16", clip_start_s=1.0, clip_end_s=1.2) == [25, 26, 27, 28, 29]


def test_policy_times_are_seconds_in_the_window() -> None:
    assert FramePolicy.parse("uniform:4").times(2.0, 6.0) == [2.5, 3.5, 4.5, 5.5]
    assert FramePolicy.parse("fps:2").times(1.0, 2.5) == [1.0, 1.5, 2.0]
    assert FramePolicy.parse("uniform:2,boxes").times(0.0, 4.0, box_times_s=[0.2, 9.0]) == [0.2, 1.0, 3.0]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "--frames is empty"),
        ("random:4", "unknown --frames policy 'random'; known: fps, scenes, uniform"),
        ("uniform:2.5", "n must be a whole number"),
        ("uniform:four", "n must be a number"),
        ("uniform:0", "n must be > 0"),
        ("fps:1,most=3", r"unknown option\(s\) \['most'\]"),
        ("scenes:3", "takes no ':VALUE'"),
        ("uniform:4,nearest", "expected KEY=VALUE or 'boxes'"),
    ],
)
def test_bad_frame_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        FramePolicy.parse(spec)


def test_scenes_policy_without_scene_detection_fails_at_start_up() -> None:
    with pytest.raises(ConfigError, match="add --scenes content"):
        BuildOptions(frames="scenes")


@pytest.mark.parametrize(
    ("size", "budget", "factor", "expected"),
    [((1920, 1080), 200704, 28, (588, 336)), ((320, 240), 200704, 28, (308, 252)), ((320, 240), 200704, 1, (320, 240)),
     ((640, 360), 20000, 1, (188, 106))],
)
def test_fit_pixels_keeps_the_budget_and_the_factor(
    size: tuple[int, int], budget: int, factor: int, expected: tuple[int, int]
) -> None:
    w, h = fit_pixels(*size, budget, factor)
    assert (w, h) == expected
    assert w * h <= budget and w % factor == 0 and h % factor == 0
