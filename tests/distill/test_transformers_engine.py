"""The `transformers` engine end to end on CPU with a tiny random Qwen2.5-VL built locally (no downloads)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.distill.helpers import ROWS
from vdata.distill import DistillConfig, distill
from vdata.engines import EngineConfig, Sampling, Templates, create_engine
from vdata.engines.vlm import video_metadata
from vdata.shards import read_manifest, read_table

pytest.importorskip("transformers")

FAST = Sampling(temperature=1.0, top_p=0.9, max_new_tokens=6, seed=1)


def engine_config(tiny_qwen: Path, **options) -> EngineConfig:
    return EngineConfig(str(tiny_qwen), "transformers", device="cpu", sampling=FAST, **options)


def test_video_metadata_gives_the_processor_the_true_times_and_rate():
    prompt = Templates().prompt(ROWS[0])  # 6 keyframes at 0..5 s of a 10 fps video
    meta = video_metadata(prompt)
    assert [i / meta["fps"] for i in meta["frames_indices"]] == list(prompt.timestamps_s)
    assert len(meta["frames_indices"]) / meta["total_num_frames"] * meta["fps"] == pytest.approx(1.0)


def test_engine_returns_n_texts_per_prompt_and_feeds_the_frames_as_a_video(tiny_qwen, dataset, tmp_path):
    engine = create_engine(engine_config(tiny_qwen))
    prompts = [Templates().prompt(r) for r in ROWS[:3]]
    inputs = engine.model_inputs(prompts)
    texts = engine.generate(prompts, 3, FAST)
    assert [len(t) for t in texts] == [3, 3, 3] and all(isinstance(t, str) for ts in texts for t in ts)
    # 6 frames -> 3 temporal patches of 2 frames; Qwen2.5-VL's temporal step is 2 frames / 1 fps = 2 s
    assert inputs["video_grid_thw"][:, 0].tolist() == [3, 3, 3]
    assert inputs["second_per_grid_ts"].tolist() == pytest.approx([2.0, 2.0, 2.0])
    assert engine.stats.generated_tokens > 0 and engine.stats.prompt_tokens > 0


def test_distill_with_the_tiny_model_writes_shards_and_manifest(tiny_qwen, dataset, tmp_path):
    report = distill(DistillConfig(input=dataset, out=tmp_path / "out", engine=engine_config(tiny_qwen, batch_size=2),
                                   samples=2, keep_rejected=True))
    rows = read_table(report.out).to_pylist()
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in ROWS)  # gibberish: every item rejected
    assert all(r["split"] == "rejected" for r in rows) and report.passed == 0
    info = json.loads(rows[0]["meta"])["distill"]
    assert len(info["candidates"]) == 2 and isinstance(info["response"], str)
    assert rows[0]["frames"] == next(r for r in ROWS if r["id"] == rows[0]["id"])["frames"]
    manifest = read_manifest(report.out)
    assert manifest["distill"]["teacher"] == str(tiny_qwen)
    assert manifest["distill"]["engine"] == "transformers"
    assert manifest["distill"]["sampling"]["max_new_tokens"] == 6
    assert report.generated_tokens > 0 and report.model_s > 0
