"""A mixed image + video dataset (schema v2): image rows reach the model as images, video rows as one video, in
the same batch; `vdata train sft` trains the tiny Qwen2.5-VL on it and `datasets` loads it with frames as images."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.distill.helpers import jpeg, make_row, write_dataset
from tests.train.conftest import cot_rows


def image_rows(n: int, images: int = 2) -> list[dict]:
    """`n` multiple-choice image samples of `images` images each, with a short `cot`."""
    return [
        make_row(f"img{i}", "multiple_choice", media="image", video=f"imgs/{i}.png", fps=None, duration_s=0.0,
                 clip_start_s=0.0, clip_end_s=0.0, num_frames=images, frame_timestamps_s=None, frame_indices=None,
                 frames=[{"bytes": jpeg(60 * k + 10 * i), "path": None} for k in range(images)],
                 question="Which colour?", options=["red", "green", "blue"], answer="ABC"[i % 3], cot="look")
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def mixed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [r for pair in zip(cot_rows(2, cot="look"), image_rows(2), strict=True) for r in pair]
    return write_dataset(tmp_path_factory.mktemp("mixed") / "data", rows)


def test_the_mixed_dataset_loads_in_datasets_with_frames_as_images(mixed_data: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    from PIL import Image

    from vdata.schemas import HF_FEATURES

    loaded = datasets.load_dataset("parquet", data_dir=str(mixed_data), cache_dir=str(tmp_path / "c"))["train"]
    assert loaded.features == datasets.Features.from_dict(HF_FEATURES)
    assert [r["media"] for r in loaded] == ["video", "image", "video", "image"]
    assert all(isinstance(f, Image.Image) for r in loaded for f in r["frames"])


def test_a_mixed_batch_gives_images_as_images_and_videos_as_videos(mixed_data: Path, tiny_model: Path) -> None:
    from vdata.engines import Templates
    from vdata.engines.vlm import encode_prompts
    from vdata.shards import read_table
    from vdata.train.model import load_processor

    processor = load_processor(str(tiny_model))
    prompts = [Templates().prompt(row) for row in read_table(mixed_data).to_pylist()]
    assert [p.media for p in prompts] == ["video", "image", "video", "image"]
    batch = encode_prompts(processor, prompts, 56 * 56)
    assert batch["image_grid_thw"].shape[0] == 4 and batch["video_grid_thw"].shape[0] == 2  # 2 x 2 images, 2 videos
    image_pad = processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    video_pad = processor.tokenizer.convert_tokens_to_ids("<|video_pad|>")
    has_images = (batch["input_ids"] == image_pad).any(1).tolist()
    has_video = (batch["input_ids"] == video_pad).any(1).tolist()
    assert has_images == [False, True, False, True] and has_video == [True, False, True, False]


def test_sft_trains_on_a_mixed_dataset(mixed_data: Path, tiny_model: Path, tmp_path: Path) -> None:
    import math

    from vdata.train import SFTConfig, train_sft

    config = SFTConfig(data=mixed_data, model=str(tiny_model), out=tmp_path / "run", max_steps=2, batch_size=4,
                       lr=1e-3, warmup_steps=0)
    result = train_sft(config)
    assert result.steps == 2 and all(math.isfinite(r["loss"]) and r["skipped_rows"] == 0 for r in result.records)
    assert (result.final / "config.json").exists()


def test_infer_and_eval_answer_image_rows(mixed_data: Path, tmp_path: Path) -> None:
    import json

    from tests.distill.helpers import write_script
    from vdata.engines import EngineConfig
    from vdata.eval import evaluate
    from vdata.infer import InferConfig, infer

    script = write_script(tmp_path / "s.json", {"*": ["<answer>A</answer>"]})
    out = tmp_path / "preds.jsonl"
    infer(InferConfig(data=mixed_data, out=out, engine=EngineConfig(script, "scripted"), n=2))
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert records["img0"]["frame_timestamps_s"] is None and records["q0"]["frame_timestamps_s"]
    assert evaluate(mixed_data, out).summary()["tasks"]["multiple_choice"]["n"] == 4


@pytest.mark.parametrize("target", ["trl", "verl", "llamafactory", "lmms-eval"])
def test_exports_show_image_rows_as_untimed_images(mixed_data: Path, tmp_path: Path, target: str) -> None:
    from vdata.export import ExportOptions, export

    report = export(mixed_data, target, tmp_path / target, ExportOptions())
    assert sum(report.written.values()) == 4 and not report.skipped
    if target == "llamafactory":
        import json

        lines = [json.loads(x) for x in (tmp_path / target / "train.jsonl").read_text().splitlines()]
        image = next(line for line in lines if line["id"] == "img0")
        assert image["messages"][0]["content"].startswith("<image><image>") and len(image["images"]) == 2
        assert image["videos"] == []
