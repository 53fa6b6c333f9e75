"""`vdata export --to easyr1` against the columns and types EasyR1's loader reads.

EasyR1 is not on the package index, so its `RLHFDataset` cannot run here: these tests load the export the way
its `verl/utils/dataset.py` does (read at hiyouga/EasyR1 b44b311: `load_dataset(<parquet>, data_files=...,
split="train")`, the `prompt` string rendered by the `format_prompt` Jinja file and split on `<image>` when an
`images` column exists, else on `<video>`, `answer` passed on as `ground_truth`) and check each of those facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

datasets = pytest.importorskip("datasets")
jinja2 = pytest.importorskip("jinja2")


def _load(path: str):
    return datasets.load_dataset("parquet", data_files=path, split="train")


@pytest.fixture(scope="module")
def images_export(export_data: Path, tmp_path_factory: pytest.TempPathFactory):
    from vdata.export import export

    return export(export_data, "easyr1", tmp_path_factory.mktemp("easyr1") / "export")


def _check_images_layout(export, min_frames: int):
    """The columns and types EasyR1's loader reads, on every row; the loaded split."""
    train = _load(export.extra["files"]["train"])
    assert set(train.column_names) == {"prompt", "answer", "images"}  # one media column: EasyR1 picks by name
    for row in train:
        assert isinstance(row["prompt"], str) and isinstance(row["answer"], str)
        assert row["prompt"].count("<image>") == len(row["images"]) >= min_frames
        assert all(Path(p).is_absolute() and Path(p).is_file() for p in row["images"])
    return train


def test_images_layout_has_the_columns_easyr1_reads(images_export):
    train = _check_images_layout(images_export, 4)
    box = next(r for r in train if json.loads(r["answer"])["task"] == "spatial_grounding")
    assert box["prompt"].startswith("<0.24s><image><0.4s><image>")


def test_format_prompt_renders_and_answers_score_with_the_easyr1_adapter(images_export):
    from vdata.rewards.easyr1 import compute_score

    config = images_export.extra["config"]
    # keys of EasyR1 b44b311's DataConfig / RewardConfig (no `worker.reward.reward_type`: it refuses unknown keys)
    assert set(config) == {"data.prompt_key", "data.answer_key", "data.format_prompt", "worker.reward.reward_function"}
    assert config["data.prompt_key"] == "prompt" and config["data.answer_key"] == "answer"
    assert config["worker.reward.reward_function"].endswith("rewards/easyr1.py:compute_score")
    template = jinja2.Template(Path(config["data.format_prompt"]).read_text().strip())
    train = _load(images_export.extra["files"]["train"])
    rendered = template.render(content=train[0]["prompt"])
    assert rendered.startswith(train[0]["prompt"].strip()) and "<think>" in rendered
    assert [s["accuracy"] for s in compute_score(_gold_inputs(train))] == [1.0] * len(train)


def _gold_inputs(train) -> list[dict]:
    """EasyR1's reward inputs for the gold response of every row (the task layer's answer)."""
    from vdata import tasks

    samples = [json.loads(r["answer"]) for r in train]
    return [{"response": f"<think>x</think><answer>{tasks.get(s['task']).target(s)}</answer>",
             "response_length": 9, "ground_truth": r["answer"]} for s, r in zip(samples, train, strict=True)]


def test_the_demo_dataset_has_the_columns_easyr1_reads_and_scores(demo_exports):
    from vdata.rewards.easyr1 import compute_score

    export = demo_exports["easyr1"]
    assert sum(export.written.values()) == 18 and not export.skipped
    train = _check_images_layout(export, 8)
    scores = compute_score(_gold_inputs(train), rewards=["accuracy", "format"], weights=[0.9, 0.1])
    assert [s["overall"] for s in scores] == pytest.approx([1.0] * 18)


def test_video_layout_skips_rows_no_2_fps_video_describes(export_data, tmp_path):
    from vdata.export import ExportOptions, export

    # uniform:4 of a 2 s clip: keyframes 0.24 .. 1.76 s, within one source frame of 2 fps; the box row is not even
    report = export(export_data, "easyr1", tmp_path / "v", ExportOptions(frames_as="bytes"), media="video")
    assert dict(report.written) == {"train": 2, "test": 1}
    assert report.skipped["keyframes not evenly spaced (use --option media=images)"] == 1


def test_video_layout_writes_frame_lists(tmp_path):
    from tests.helpers import write_jsonl
    from tests.videos import write_video
    from vdata.build import build
    from vdata.export import ExportOptions, export
    from vdata.options import BuildOptions

    write_video(tmp_path / "a.mp4", fps=10.0, num_frames=30, width=112, height=112)
    samples = write_jsonl(tmp_path / "s.jsonl", [
        {"id": "n", "video": "a.mp4", "task": "numeric", "question": "How many?", "answer": "2"}])
    build([f"jsonl:{samples}"], tmp_path / "ds", BuildOptions(frames="fps:2", workers=0))
    report = export(tmp_path / "ds", "easyr1", tmp_path / "out", ExportOptions(frames_as="bytes"), media="video")
    (row,) = _load(report.extra["files"]["train"])
    assert set(row) == {"prompt", "answer", "videos"}
    assert row["prompt"].startswith("<video>") and row["prompt"].count("<video>") == 1
    (frames,) = row["videos"]
    assert len(frames) % 2 == 0 and frames[0].size == (112, 112)
