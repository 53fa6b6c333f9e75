"""A tiny built dataset for the export tests: evenly spaced rows (shown as a video), one row whose `,boxes`
keyframes are not evenly spaced (shown as timestamped images), a row without gold, a test split; every row with
gold has a `cot`, so SFT targets exist.

And the `make demo` dataset (`vdata.demo.run_demo`, frames made smaller), distilled by a scripted teacher that
gives the gold answers (what `vdata distill` keeps), exported to every target (`demo_exports`): each loader test
also loads that export in its target's own loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.videos import write_video

#: The samples of `export_data` (`a.mp4`: 50 frames at 25 fps, a cut at frame 25; `b.mp4`: 320 x 240, 50 frames).
EXPORT_SAMPLES: tuple[dict, ...] = (
    {"id": "a-mc", "video": "a.mp4", "task": "multiple_choice", "question": "What colour is the background?",
     "options": ["green", "blue"], "answer": "B", "cot": "The background is blue at 0.3s."},
    {"id": "a-tg", "video": "a.mp4", "task": "temporal_grounding", "question": "When does it turn orange?",
     "spans": [[1.0, 2.0]], "cot": "It turns orange at 1.0s."},
    {"id": "b-box", "video": "b.mp4", "task": "spatial_grounding", "question": "Where is the box?",
     "boxes": [{"frame_index": 10, "x1": 10, "y1": 50, "x2": 74, "y2": 98}], "cot": "The box is top left."},
    {"id": "a-nogold", "video": "a.mp4", "task": "caption"},
    {"id": "a-test", "video": "a.mp4", "task": "numeric", "question": "How many boxes?", "answer": "1",
     "cot": "One box.", "split": "test"},
)
#: Build options of `export_data`: 4 evenly spaced keyframes, plus the box frame for `b-box` (not even then).
EXPORT_OPTIONS = {"frames": "uniform:4,boxes", "workers": 0}


@pytest.fixture(scope="session")
def export_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`EXPORT_SAMPLES` built once (in process) with `EXPORT_OPTIONS`; tests only read it."""
    from tests.helpers import write_jsonl
    from vdata.build import build
    from vdata.options import BuildOptions

    root = tmp_path_factory.mktemp("export-corpus")
    write_video(root / "a.mp4", fps=25.0, num_frames=50, width=160, height=120, cuts=(25,))
    write_video(root / "b.mp4", fps=25.0, num_frames=50, width=320, height=240)
    samples = write_jsonl(root / "samples.jsonl", EXPORT_SAMPLES)
    out = tmp_path_factory.mktemp("export-built") / "dataset"
    build([f"jsonl:{samples}"], out, BuildOptions(**EXPORT_OPTIONS))
    return out


#: The `make demo` corpus's frame size here (the demo writes 640 x 360): the same videos, samples and build
#: options, written and decoded faster.
DEMO_SIZE = (224, 128)
#: Target options of the demo exports, per target (the rest: defaults).
DEMO_OPTIONS = {"swift-grpo": ("swift", {"stage": "grpo"})}


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`{"built": the dataset `make demo` builds (vdata.demo.run_demo), "distilled": the same after vdata distill}`:
    every row with gold gets `<think>..</think>` + its gold answer from the scripted teacher, as a real teacher's
    passing candidate would."""
    import io
    import json

    from rich.console import Console

    import vdata.demo
    from vdata import tasks
    from vdata.distill import DistillConfig, distill
    from vdata.engines import EngineConfig
    from vdata.shards import iter_rows

    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vdata.demo, "WIDTH", DEMO_SIZE[0])
        mp.setattr(vdata.demo, "HEIGHT", DEMO_SIZE[1])
        vdata.demo.run_demo(root / "demo-out", Console(file=io.StringIO()))
    built = root / "demo-out" / "dataset"
    script = {"completions": {
        row["id"]: [f"<think>At {row['frame_timestamps_s'][0]:.2f}s the frames show it.</think>\n"
                    f"<answer>{tasks.get(row['task']).target(row)}</answer>"]
        for row in iter_rows(built) if tasks.get(row["task"]).target(row) is not None
    }}
    (root / "teacher.json").write_text(json.dumps(script), encoding="utf-8")
    teacher = EngineConfig(model=str(root / "teacher.json"), name="scripted")
    distill(DistillConfig(input=built, out=root / "distilled", engine=teacher, samples=1))
    return {"built": built, "distilled": root / "distilled"}


@pytest.fixture(scope="session")
def demo_exports(demo_data: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The distilled demo dataset exported to every registered target with its default options (key: the target
    name), and to the swift GRPO layout (`swift-grpo`)."""
    from vdata.export import export, names

    out = tmp_path_factory.mktemp("demo-exports")
    jobs = {name: (name, {}) for name in names()} | DEMO_OPTIONS
    return {key: export(demo_data["distilled"], to, out / key, **options) for key, (to, options) in jobs.items()}
