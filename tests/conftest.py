"""Session fixtures: tiny generated videos whose pixels carry their frame index (made once per test run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.videos import write_video

#: Every generated clip: 160 x 120 pixels at 25 fps unless a fixture says otherwise.
WIDTH, HEIGHT, FPS = 160, 120, 25.0
#: `codec_videos`: 60 frames (2.4 s), new scenes at frames 20 and 40, a keyframe every 25 frames.
CODEC_FRAMES, CODEC_CUTS = 60, (20, 40)
#: `scene_video`: 100 frames (4.0 s), new scenes at frames 30 and 70 (1.2 s and 2.8 s).
SCENE_FRAMES, SCENE_CUTS = 100, (30, 70)
#: `long_gop_video`: 200 frames (8.0 s), a keyframe every 50 frames (0, 50, 100, 150).
LONG_FRAMES, LONG_GOP = 200, 50
#: `vfr_video`: presentation times of its frames, seconds (gaps from 20 ms to 300 ms).
VFR_TIMES_S = (0.0, 0.04, 0.1, 0.25, 0.33, 0.5, 0.8, 1.0, 1.07, 1.5, 1.52, 1.9)
#: `box_video`: 320 x 240, 50 frames (2.0 s), so stored keyframes (308 x 252 at the default budget) are rescaled.
BOX_WIDTH, BOX_HEIGHT, BOX_FRAMES = 320, 240, 50


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="session")
def codec_videos(video_dir: Path) -> dict[str, Path]:
    """One clip per codec: h264, hevc, vp9 (PyAV) and mpeg4 (OpenCV, AVI)."""
    containers = {"h264": ".mp4", "hevc": ".mp4", "vp9": ".webm", "mpeg4": ".avi"}
    return {
        codec: write_video(video_dir / f"clip_{codec}{ext}", codec=codec, fps=FPS, num_frames=CODEC_FRAMES,
                           width=WIDTH, height=HEIGHT, cuts=CODEC_CUTS, gop=25)
        for codec, ext in containers.items()
    }


@pytest.fixture(scope="session")
def vfr_video(video_dir: Path) -> Path:
    return write_video(video_dir / "vfr.mp4", frame_times_s=VFR_TIMES_S, width=WIDTH, height=HEIGHT)


@pytest.fixture(scope="session")
def scene_video(video_dir: Path) -> Path:
    return write_video(video_dir / "scenes.mp4", fps=FPS, num_frames=SCENE_FRAMES, width=WIDTH, height=HEIGHT,
                       cuts=SCENE_CUTS, gop=50)


@pytest.fixture(scope="session")
def long_gop_video(video_dir: Path) -> Path:
    return write_video(video_dir / "long_gop.mp4", fps=FPS, num_frames=LONG_FRAMES, width=WIDTH, height=HEIGHT,
                       gop=LONG_GOP)


@pytest.fixture(scope="session")
def box_video(video_dir: Path) -> Path:
    return write_video(video_dir / "boxes.mp4", fps=FPS, num_frames=BOX_FRAMES, width=BOX_WIDTH, height=BOX_HEIGHT)


#: The samples of the `corpus` fixture's `samples.jsonl` (videos `a.mp4`: 50 frames, a cut at frame 25;
#: `b.mp4`: the 320 x 240 box clip).
CORPUS_SAMPLES: tuple[dict, ...] = (
    {"id": "a-caption", "video": "a.mp4", "task": "caption"},
    {"id": "a-tg", "video": "a.mp4", "task": "temporal_grounding", "question": "When does it turn orange?",
     "spans": [[1.0, 2.0]]},
    {"id": "a-mc", "video": "a.mp4", "task": "multiple_choice", "clip_start_s": 0.0, "clip_end_s": 1.0,
     "question": "What colour is the background?", "options": ["green", "blue"], "answer": "B"},
    {"id": "b-box", "video": "b.mp4", "task": "spatial_grounding", "question": "Where is the box?",
     "boxes": [{"frame_index": 10, "x1": 10, "y1": 50, "x2": 74, "y2": 98}]},
    {"id": "a-test", "video": "a.mp4", "task": "caption", "split": "test"},
)
#: Options of the `built` dataset.
CORPUS_OPTIONS = {"frames": "uniform:4,boxes", "scenes": "content", "workers": 0}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory, box_video: Path) -> Path:
    """A folder with two videos and `samples.jsonl` (`CORPUS_SAMPLES`); returns the JSONL path."""
    import shutil

    from tests.helpers import write_jsonl

    root = tmp_path_factory.mktemp("corpus")
    write_video(root / "a.mp4", fps=FPS, num_frames=50, width=WIDTH, height=HEIGHT, cuts=(25,))
    shutil.copyfile(box_video, root / "b.mp4")
    return write_jsonl(root / "samples.jsonl", CORPUS_SAMPLES)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """`corpus` built once (in process) with `CORPUS_OPTIONS`; tests only read it."""
    from vdata.build import build
    from vdata.options import BuildOptions

    out = tmp_path_factory.mktemp("built") / "dataset"
    build([f"jsonl:{corpus}"], out, BuildOptions(**CORPUS_OPTIONS))
    return out


@pytest.fixture(scope="session")
def tiny_qwen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Qwen2.5-VL saved locally once per run (`vdata debug-model --size tiny`: random weights, a
    tokenizer trained on the spot; skipped without transformers). Tests read it and never write into it."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tests.distill.tiny_qwen import build_tiny_qwen25_vl

    return build_tiny_qwen25_vl(tmp_path_factory.mktemp("tiny-qwen25-vl"))
