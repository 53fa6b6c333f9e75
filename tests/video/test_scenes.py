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


@pytest.mark.parametrize(("codec", "pixel_format", "suffix"), [
    ("libx264", "yuv420p10le", ".mp4"),  # not 8-bit: converted to 8-bit 4:2:0 before sampling
    ("libx264", "yuv444p", ".mp4"),  # chroma planes as large as luma
    ("mjpeg", "yuvj420p", ".avi"),  # full-range levels
])
def test_cuts_are_found_in_every_pixel_format(tmp_path: Path, codec: str, pixel_format: str, suffix: str) -> None:
    import av

    from tests.videos import make_frame

    path = tmp_path / f"clip_{pixel_format}{suffix}"
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 120, pixel_format
        for i in range(60):
            image = av.VideoFrame.from_ndarray(make_frame(i, 160, 120, (20, 40)), format="rgb24")
            container.mux(stream.encode(image.reformat(format=pixel_format)))
        container.mux(stream.encode(None))
    with av.open(str(path)) as container:
        assert next(container.decode(video=0)).format.name == pixel_format
    for mode in ("content", "adaptive"):
        assert scenes(path, mode) == pytest.approx([0.0, 0.8, 0.8, 1.6, 1.6, 2.4], abs=1e-9), (pixel_format, mode)


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


def noisy_flashy_video(path: Path) -> Path:
    """160 x 120, 25 fps, 90 frames: grain on every frame, cuts at 30 and 60, a two-frame flash at 44-45 and a
    second cut at 66, too close to the one at 60 (the flash filter's cases)."""
    import av
    import numpy as np

    from tests.videos import make_frame

    rng = np.random.default_rng(7)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for i in range(90):
            frame = make_frame(i, 160, 120, (30, 60, 66)).astype(np.int16)
            if i in (44, 45):
                frame[:] = 250
            frame += rng.integers(-12, 13, frame.shape, dtype=np.int16)
            image = av.VideoFrame.from_ndarray(np.clip(frame, 0, 255).astype(np.uint8), format="rgb24")
            container.mux(stream.encode(image))
        container.mux(stream.encode(None))
    return path


@pytest.mark.parametrize("mode", ["content", "adaptive", "content,threshold=20,min_frames=5",
                                  "adaptive,threshold=2,min_frames=4,window_frames=3"])
def test_numpy_detectors_find_the_cuts_pyscenedetect_finds(
    scene_video: Path, codec_videos: dict[str, Path], tmp_path: Path, mode: str
) -> None:
    videos = [scene_video, *codec_videos.values(), noisy_flashy_video(tmp_path / "noisy.mp4")]
    for video in videos:
        ours, theirs = scenes(video, mode), scenes(video, f"scenedetect-{mode}")
        assert ours == theirs, video.name
    assert len(ours) > 2  # the noisy clip has cuts to find


def _planes(frame):
    """A PyAV frame's small planes, at the size the scene pass samples."""
    from vdata.video.planes import detect_size, small_planes

    return small_planes(frame, detect_size(frame.width, frame.height))


def test_content_scores_are_pyscenedetects_frame_scores(codec_videos: dict[str, Path]) -> None:
    import numpy as np
    from scenedetect import FrameTimecode
    from scenedetect.detectors import ContentDetector

    from vdata.video.planes import Planes, to_bgr
    from vdata.video.probe import probe
    from vdata.video.scenes import content_scores

    video = codec_videos["vp9"]
    seen: list = []
    decode.get("pyav")(str(video), probe(video).frames, [], (160, 120),
                       decode.Scan(0, 59, lambda index, frame, take: seen.append(_planes(frame))))
    batch = Planes(*(np.stack([getattr(p, c) for p in seen]) for c in "yuv"))
    ours, _ = content_scores(None, batch)
    reference = ContentDetector()
    theirs = [reference._calculate_frame_score(FrameTimecode(i, fps=25.0), bgr) for i, bgr in enumerate(to_bgr(batch))]
    np.testing.assert_allclose(ours, theirs, atol=0.5)
    assert max(theirs) > 27  # the cuts are in there


def test_scores_in_reused_scratch_arrays_equal_fresh_ones(codec_videos: dict[str, Path]) -> None:
    # the scorer writes each batch's BGR and HSV into arrays kept from batch to batch (`planes.Scratch`): the
    # frame carried over to the next batch must be its own copy, and a short last batch must fit
    import numpy as np

    from vdata.video.planes import Planes, Scratch
    from vdata.video.probe import probe
    from vdata.video.scenes import content_scores

    seen: list = []
    video = codec_videos["h264"]
    decode.get("pyav")(str(video), probe(video).frames, [], (160, 120),
                       decode.Scan(0, 59, lambda index, frame, take: seen.append(_planes(frame))))
    batches = [Planes(*(np.stack([getattr(p, c) for p in seen[k:k + 16]]) for c in "yuv")) for k in range(0, 60, 16)]
    scratch, kept, fresh = Scratch(), None, None
    reused, new = [], []
    for batch in batches:  # 16, 16, 16, 12 frames
        scores, kept = content_scores(kept, batch, scratch)
        reused.append(scores)
        scores, fresh = content_scores(fresh, batch)
        new.append(scores)
    np.testing.assert_array_equal(np.concatenate(reused), np.concatenate(new))
    assert max(np.concatenate(new)) > 27  # the cuts at frames 20 and 40 are in there


def test_scenes_min_8_on_a_one_scene_clip_gives_8_frames(codec_videos: dict[str, Path]) -> None:
    # one scene (no cut reaches the threshold): its middle would be the 4th of 7 top-up times, a duplicate
    row = process_item(item(codec_videos["h264"]), BuildOptions(frames="scenes,min=8", scenes="content,threshold=300"))
    assert len(row["scenes"]) == 1
    assert len(row["frame_indices"]) == len(set(row["frame_indices"])) == 8


def test_scenes_policy_takes_its_frames_in_the_scene_pass(scene_video: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import rgb
    from tests.videos import read_index

    passes: list[int] = []
    original = decode._frames_from

    def counting(container, stream, table, keyframe):  # type: ignore[no-untyped-def]
        passes.append(keyframe)
        return original(container, stream, table, keyframe)

    monkeypatch.setattr(decode, "_frames_from", counting)
    row = process_item(item(scene_video), BuildOptions(frames="scenes,min=3", scenes="content"))
    assert passes == [0]
    assert row["frame_indices"] == [14, 50, 84]  # the keyframes of the scenes 0-30, 30-70, 70-100
    assert [read_index(rgb(f["bytes"])) for f in row["frames"]] == row["frame_indices"]


@pytest.mark.parametrize(("spec", "kept"), [("scenes,min=3", [14, 50, 84]), ("scenes,min=5", [14, 30, 50, 70, 84])])
def test_the_scene_pass_converts_only_the_frames_the_row_keeps(
    scene_video: Path, monkeypatch: pytest.MonkeyPatch, spec: str, kept: list[int]
) -> None:
    # the top-up frames (the centres of `min` segments) are held as decoded pictures and converted only when
    # the scenes are too few: with 3 scenes and min=3 none is, with min=5 two are (30, 70)
    converted: list[int] = []
    original = decode._Converter.__call__

    def counting(self, frame, index):  # type: ignore[no-untyped-def]
        converted.append(index)
        return original(self, frame, index)

    monkeypatch.setattr(decode._Converter, "__call__", counting)
    row = process_item(item(scene_video), BuildOptions(frames=spec, scenes="content"))
    assert row["frame_indices"] == kept
    assert sorted(converted) == kept


def test_scene_keyframe_candidates_take_every_keyframe_holding_few_pictures() -> None:
    from vdata.video.candidates import KeyframeCandidates
    from vdata.video.scenes import scene_keyframes

    cuts = [100, 600, 640, 2000]
    taken: list[int] = []
    candidates = KeyframeCandidates(0, 2999, budget=48)
    for index in range(3000):
        settled = index - 1 - index % 16  # cuts are found one batch (16 frames) late
        found = [c for c in cuts if c <= settled]
        candidates.offer(index, lambda i=index: taken.append(i) or decode.Frame(i, i / 25, b""), found, settled)
        assert len(candidates._held) <= 10 and len(candidates._pending) <= 16
    candidates.finish(cuts)
    assert taken == scene_keyframes(0, 2999, cuts) == [48, 356, 620, 1280, 2512]  # one picture taken per scene
    assert sorted(candidates.picked) == taken


def test_unsettled_frames_hold_their_picture_only_if_they_may_be_a_keyframe() -> None:
    # cuts found one batch of 4 late, scenes at least 15 frames long (the detectors' `min_frames`): a frame a cut
    # may still precede is held only if it may be a keyframe either way; every keyframe is still taken
    from vdata.video.candidates import KeyframeCandidates
    from vdata.video.scenes import scene_keyframes

    cuts = [100, 115, 600, 640, 2000, 2990]  # the last scene (2990-2999) is shorter: the window ends
    taken: list[int] = []
    held_pending: set[int] = set()
    candidates = KeyframeCandidates(0, 2999, budget=48, min_frames=15)
    for index in range(3000):
        settled = index - 1 - index % 4
        found = [c for c in cuts if c <= settled]
        candidates.offer(index, lambda i=index: taken.append(i) or decode.Frame(i, i / 25, b""), found, settled)
        assert len(candidates._pending) <= 4
        held_pending.update(i for i, take in candidates._pending if take is not None)
    candidates.finish(cuts)
    # 252 of 3000 (every one before): those on their scene's grid so far, every frame of a new scene's first 16,
    # then every 2nd, 4th, ...: not frame 1500, 860 frames into a scene (a grid of 64), nor 601, one frame after
    # a cut not found yet (the keyframe of a scene of 15 frames or more starting there is frame 605 or later)
    assert len(held_pending) == 252 and {605, 606, 640 + 832} <= held_pending
    assert not {601, 1500} & held_pending
    assert taken == scene_keyframes(0, 2999, cuts)  # one picture taken per scene, none missed
    assert sorted(candidates.picked) == taken


def test_scene_keyframe_candidates_settle_a_lagging_detector_and_leave_a_missed_keyframe_out() -> None:
    from vdata.video.candidates import KeyframeCandidates

    candidates = KeyframeCandidates(0, 199, budget=24)
    for index in range(200):  # a detector that settles nothing; the cut at 30 reported only at the end
        candidates.offer(index, lambda i=index: decode.Frame(i, i / 25, b""), [], -1)
        assert len(candidates._pending) <= 24
    candidates.finish([30])
    # every frame was settled as if the scene 0-199 had no cut, so neither keyframe (14, 110) was held: none is
    # taken (never a wrong frame) and the build decodes both (`process._complete`)
    assert candidates.picked == {}


@pytest.mark.parametrize(("decoder", "scenes"), [("pyav", "content"), ("opencv", "content"), ("pyav", "adaptive"),
                                                 ("pyav", "scenedetect-content")])
def test_every_path_takes_the_same_scene_keyframes(scene_video: Path, decoder: str, scenes: str) -> None:
    # the scene pass's candidates (pyav), a decoder that cannot scan (a scan, then the keyframes decoded), and
    # PySceneDetect, which does not say how late it reports a cut (candidates settled by budget; missed ones
    # decoded): the same keyframes (`scene_keyframe`), the pixels of those frames
    from tests.helpers import rgb
    from tests.videos import read_index

    row = process_item(item(scene_video), BuildOptions(frames="scenes,min=3", scenes=scenes, decoder=decoder))
    assert row["frame_indices"] == [14, 50, 84]
    assert [read_index(rgb(f["bytes"])) for f in row["frames"]] == row["frame_indices"]


@pytest.mark.parametrize("spec", ["content", "adaptive", "scenedetect-content"])
@pytest.mark.parametrize("batch_frames", [4, 16])
def test_settled_frames_have_every_cut_already_found(spec: str, batch_frames: int) -> None:
    # colour changes at 30, 70 and 140, flashes at 100-101 and 104 (merged or dropped): at every frame, each
    # final cut up to `settled()` is already in `found()`; the candidates rely on it
    from fractions import Fraction

    import numpy as np

    from vdata.video.planes import Planes
    from vdata.video.probe import FrameTable
    from vdata.video.scenes import SceneCollector, SceneDetector

    levels = [40 if i < 30 else 200 if i < 70 else 90 if i < 140 else 160 for i in range(200)]
    for flash in (100, 101, 104):
        levels[flash] = 250
    table = FrameTable(np.arange(200), Fraction(1, 25), np.array([0]))
    collector = SceneCollector(SceneDetector.parse(spec), table, 0, 199, batch_frames)
    history = []
    for i, level in enumerate(levels):
        y = np.full((18, 32), level, np.uint8)
        collector.visit(i, Planes(y, np.full_like(y, 128 + level // 4), np.full_like(y, 128 - level // 4)))
        history.append((collector.settled(), list(collector.found())))
    final = collector.cuts()
    assert {30, 70, 140} <= set(final)
    for settled, found in history:
        assert [c for c in final if c <= settled] == [c for c in found if c <= settled]


def test_the_plane_sampler_writes_the_pixels_shrink_picks(codec_videos: dict[str, Path]) -> None:
    # the scene pass samples each decoded frame's planes straight into its batch (`PlaneSampler`): the same pixels
    # as `shrink` of each plane, for 8-bit planar YUV read as it is and for other formats converted first
    import av
    import numpy as np

    from vdata.video.planes import PlaneSampler, detect_size, shrink

    with av.open(str(codec_videos["h264"])) as container:
        frames = [frame for _, frame in zip(range(3), container.decode(video=0), strict=False)]
    size = detect_size(frames[0].width, frames[0].height)
    sampler = PlaneSampler(frames[0], size, 3)
    for slot, frame in enumerate(frames):
        assert sampler.fits(frame)
        sampler.write(frame, slot)
        for plane, sampled in zip(frame.planes, (sampler.batch.y, sampler.batch.u, sampler.batch.v), strict=True):
            pixels = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
            np.testing.assert_array_equal(sampled[slot], shrink(pixels, size))
    other = frames[0].reformat(format="nv12")  # two planes: converted to 8-bit YUV 4:2:0 first
    assert not sampler.fits(other) and not sampler.fits(frames[0].reformat(width=64, height=48))
    converted = PlaneSampler(other, size, 1)
    converted.write(other, 0)
    assert converted.batch.y.shape == (1, size[1], size[0])
    assert np.abs(converted.batch.y[0].astype(int) - sampler.batch.y[0]).mean() < 3  # the same picture
