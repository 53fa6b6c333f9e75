"""Scene detection finds the generated cuts, over the whole video or a clip window, in the keyframes' decode pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import item
from vdata.errors import ConfigError
from vdata.options import BuildOptions
from vdata.process import process_item
from vdata.video import decode


def scenes(video: Path, mode: str = "content", frames: str = "uniform:4", **labels: object) -> list[float]:
    """The scenes found, flattened: [start_s, end_s, start_s, end_s, ...]."""
    row = process_item(item(video, **labels), BuildOptions(frames=frames, scenes=mode))
    return [t for s in row["scenes"] for t in (s["start_s"], s["end_s"])]


@pytest.mark.parametrize("mode", ["content", "adaptive"])
def test_scene_cuts_are_found_at_the_generated_cut_frames(scene_video: Path, mode: str) -> None:
    # cuts at frames 30 and 70 of a 25 fps, 100-frame clip
    assert scenes(scene_video, mode) == pytest.approx([0.0, 1.2, 1.2, 2.8, 2.8, 4.0], abs=1e-9)


def test_scenes_cover_only_the_clip_window(scene_video: Path) -> None:
    found = scenes(scene_video, clip_start_s=0.4, clip_end_s=3.6)
    assert found == pytest.approx([0.4, 1.2, 1.2, 2.8, 2.8, 3.6], abs=1e-9)


def test_a_cut_just_inside_the_clip_window_is_found(scene_video: Path) -> None:
    # the window starts 5 frames before the cut at frame 30, closer than the detector's minimum scene length
    found = scenes(scene_video, clip_start_s=1.0, clip_end_s=2.0)
    assert found == pytest.approx([1.0, 1.2, 1.2, 2.0], abs=1e-9)


def test_cuts_in_every_codec_are_found(codec_videos: dict[str, Path]) -> None:
    for video in codec_videos.values():  # cuts at frames 20 and 40 of 60
        assert scenes(video) == pytest.approx([0.0, 0.8, 0.8, 1.6, 1.6, 2.4], abs=1e-9), video.name


def test_without_scene_detection_scenes_are_null(scene_video: Path) -> None:
    row = process_item(item(scene_video), BuildOptions(frames="uniform:4", scenes="none"))
    assert row["scenes"] is None


def test_one_decode_pass_serves_scenes_and_keyframes(scene_video: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    passes: list[int] = []
    original = decode._frames_from

    def counting(container, stream, table, keyframe):  # type: ignore[no-untyped-def]
        passes.append(keyframe)
        return original(container, stream, table, keyframe)

    monkeypatch.setattr(decode, "_frames_from", counting)
    assert len(scenes(scene_video, frames="uniform:16")) == 6  # 3 scenes
    assert passes == [0]


def test_unknown_scene_mode_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown --scenes detector 'fast'; known: adaptive, content, none"):
        BuildOptions(scenes="fast")


def test_detector_options_change_what_counts_as_a_cut(scene_video: Path) -> None:
    # the cuts are at frames 30 and 70: a minimum scene of 35 frames drops the first (too close to the start);
    # a threshold above the largest possible change (255) finds none
    assert scenes(scene_video, "content,min_frames=35") == pytest.approx([0.0, 2.8, 2.8, 4.0], abs=1e-9)
    assert scenes(scene_video, "content,threshold=300") == pytest.approx([0.0, 4.0], abs=1e-9)


def test_the_default_options_are_pyscenedetects_and_the_fingerprint_names_the_others() -> None:
    import inspect

    from scenedetect.detectors import AdaptiveDetector, ContentDetector

    from vdata.video.scenes import Adaptive, Content

    assert scenes_fingerprint("content") == scenes_fingerprint("content,threshold=27,min_frames=15") == "content"
    assert scenes_fingerprint("content,min_frames=20,threshold=30") == "content,threshold=30.0,min_frames=20"
    assert scenes_fingerprint("none") == "none"

    def defaults(cls: type) -> dict[str, object]:
        return {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items()}

    content, adaptive = defaults(ContentDetector), defaults(AdaptiveDetector)
    assert (Content().threshold, Content().min_frames) == (content["threshold"], content["min_scene_len"])
    assert (Adaptive().threshold, Adaptive().min_frames, Adaptive().min_content, Adaptive().window_frames) == (
        adaptive["adaptive_threshold"], adaptive["min_scene_len"], adaptive["min_content_val"],
        adaptive["window_width"])


def scenes_fingerprint(spec: str) -> str:
    return BuildOptions(scenes=spec).fingerprint()["scenes"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("content,cutoff=3", r"unknown option\(s\) \['cutoff'\]; content takes \['min_frames', 'threshold'\]"),
        ("content,threshold=-1", "threshold must be > 0"),
        ("content,min_frames=1.5", "min_frames must be a whole number"),
        ("none,threshold=3", r"unknown option\(s\) \['threshold'\]"),
        ("content:27", "takes no ':VALUE'"),
    ],
)
def test_bad_scene_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        BuildOptions(scenes=spec)
