"""`vdata export --to easyr1` against the columns and types EasyR1's loader reads.

EasyR1 is not on the package index, so its `RLHFDataset` cannot run here: these tests load the export the way
its `verl/utils/dataset.py` does (read at hiyouga/EasyR1 b44b311: `load_dataset(<parquet>, data_files=...,
split="train")`, the `prompt` string rendered by the `format_prompt` Jinja file and split on `<image>` when an
`images` column exists, else on `<video>`, `answer` passed on as `ground_truth`) and check each of those facts.

With a checkout of EasyR1 named by `EASYR1_SRC` (and `.venv/verl`, whose packages EasyR1's dataset and reward code
import), `test_easyr1s_own_dataset_and_reward_manager` runs EasyR1's own `RLHFDataset` and `AutoRewardManager`
on the export (this file is the script run there, tests/export/venvs.py). Run by hand at b44b311:
`EASYR1_SRC=/path/to/EasyR1 .venv/bin/pytest tests/export/test_easyr1.py`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERL_PYTHON = ROOT / ".venv" / "verl" / "bin" / "python"
EASYR1_SRC = os.environ.get("EASYR1_SRC", "")

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


def _in_easyr1(export_dir: str, work: str, reward_function: str) -> dict:
    """Run with EasyR1's source first on the path: its `RLHFDataset` loads the export (length filter, processor on
    every row), its `AutoRewardManager` (loaded from the export's reward entry) scores each row's gold response."""
    import importlib.util

    import numpy as np
    import torch
    import verl
    from transformers import AutoProcessor
    from verl.protocol import DataProto
    from verl.utils.dataset import RLHFDataset
    from verl.workers.reward.config import RewardConfig
    from verl.workers.reward.function import AutoRewardManager

    export_dir, work = Path(export_dir), Path(work)
    spec = importlib.util.spec_from_file_location("tiny_qwen", ROOT / "tests" / "distill" / "tiny_qwen.py")
    tiny_qwen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tiny_qwen)
    processor = AutoProcessor.from_pretrained(tiny_qwen.build_tiny_qwen25_vl(work / "tiny"))
    tokenizer = processor.tokenizer
    dataset = RLHFDataset(str(export_dir / "train.parquet"), tokenizer, processor, prompt_key="prompt",
                          answer_key="answer", format_prompt=str(export_dir / "format_prompt.jinja"),
                          max_prompt_length=8192, filter_overlong_prompts_workers=1)
    items = [dataset[i] for i in range(len(dataset))]
    image_id = tokenizer.convert_tokens_to_ids("<|image_pad|>")
    config = RewardConfig(reward_function=reward_function,
                          reward_function_kwargs={"rewards": ["accuracy", "format"], "weights": [0.9, 0.1]})
    config.post_init()
    manager = AutoRewardManager(config, tokenizer)
    inputs = _gold_inputs([{"answer": it["ground_truth"]} for it in items])
    ids = [tokenizer(x["response"], add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id] for x in inputs]
    responses = torch.full((len(ids), max(map(len, ids))), tokenizer.pad_token_id)
    mask = torch.zeros_like(responses)
    for i, x in enumerate(ids):
        responses[i, : len(x)], mask[i, : len(x)] = torch.tensor(x), 1
    data = DataProto.from_dict(tensors={"responses": responses, "response_mask": mask}, non_tensors={
        "ground_truth": np.array([it["ground_truth"] for it in items], dtype=object)})
    rewards, metrics = manager.compute_reward(data)
    return {
        "easyr1": verl.__version__, "rows": len(dataset),
        "image_tokens": [int((it["input_ids"] == image_id).sum()) for it in items],
        "images": [len(it["multi_modal_data"]["images"]) for it in items],
        "overall": rewards.sum(-1).tolist(), "accuracy": list(metrics["accuracy"]),
    }


@pytest.mark.skipif(not (EASYR1_SRC and VERL_PYTHON.exists()), reason="EasyR1 is not on the package index: set "
                    "EASYR1_SRC to a checkout (b44b311 read) to run its own loader and reward manager (in .venv/verl)")
def test_easyr1s_own_dataset_and_reward_manager(images_export, tmp_path):
    from tests.export.venvs import OFFLINE, run_jobs

    entry = images_export.extra["config"]["worker.reward.reward_function"]
    (report,) = run_jobs(VERL_PYTHON, __file__, "EASYR1", [[str(images_export.out), str(tmp_path), entry]],
                         cwd=tmp_path, env={**OFFLINE, "PYTHONPATH": EASYR1_SRC})
    assert report["rows"] == 3  # none dropped by its length filter
    assert all(n > 0 for n in report["image_tokens"]) and report["images"] == [4, 4, 5]
    assert report["accuracy"] == [1.0] * 3 and report["overall"] == pytest.approx([1.0] * 3)


if __name__ == "__main__":
    import venvs  # this file's folder is sys.path[0]

    venvs.main("EASYR1", _in_easyr1)
