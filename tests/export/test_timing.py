"""The timing rule on keyframes as vdata's frame policies store them (`vdata.export.timing`)."""

from __future__ import annotations

from vdata.export.timing import even_indices, matches_fps, plan, timestamp_text, uniform_fps


def test_uniform_policy_keyframes_rounded_to_frames_are_one_video():
    # uniform:16 of a 10 s, 29.97 fps clip: segment centres rounded to the nearest decoded frame
    fps = 30000 / 1001
    times = [round((i + 0.5) * 10 / 16 * fps) / fps for i in range(16)]
    assert abs(uniform_fps(times, fps) - 1.6) < 0.01
    assert plan(times, fps).as_video and len(plan(times, fps).indices) == 16


def test_scene_or_box_keyframes_are_timestamped_images():
    times = [0.2, 0.9, 1.0, 3.4, 3.5]
    p = plan(times, 25.0)
    assert p.fps is None and p.indices == (0, 1, 2, 3, 4) and p.timestamps_s == tuple(times)


def test_odd_counts_repeat_the_last_frame_never_drop_one():
    p = plan([0.0, 0.5, 1.0, 1.5, 2.0], 30.0)
    assert p.indices == (0, 1, 2, 3, 4, 4) and p.timestamps_s[-2:] == (2.0, 2.0)
    assert even_indices(1) == [0, 0]


def test_one_frame_is_a_video_at_the_source_rate():
    assert plan([3.0], 25.0).fps == 25.0 and plan([3.0], 25.0).indices == (0, 0)


def test_timestamp_text_and_matching_a_reader_fps():
    assert timestamp_text(12.0) == "<12.0s>" and timestamp_text(1.005) == "<1.0s>"
    assert matches_fps([0.25, 0.75, 1.25, 1.75], 2.0, 10.0)
    assert not matches_fps([0.0, 1.0, 2.0], 2.0, 10.0) and not matches_fps([0.0, 0.1, 1.5], 2.0, 10.0)
