"""`vdata infer` end to end with the real `transformers` engine on a tiny random Qwen2.5-VL (CPU)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.distill.helpers import ROWS, write_dataset
from vdata.engines import EngineConfig, Sampling
from vdata.eval import evaluate
from vdata.infer import InferConfig, infer


def test_tiny_model_adaptive_majority_end_to_end(tmp_path: Path, tiny_qwen: Path):
    data = write_dataset(tmp_path / "built", ROWS[:2])
    engine = EngineConfig(str(tiny_qwen), "transformers", device="cpu",
                          sampling=Sampling(temperature=1.0, max_new_tokens=6, seed=1))
    config = InferConfig(data=data, out=tmp_path / "preds.jsonl", engine=engine, n=2, adaptive=True, min_frames=2,
                         max_frames=4)
    report = infer(config)
    records = [json.loads(line) for line in config.out.read_text().splitlines()]
    assert report.items == 2 and [r["id"] for r in records] == ["mc1", "num1"]
    for r in records:
        assert len(r["candidates"]) == 2 and r["response"] in r["candidates"]
        assert r["frames_used"] in (2, 4) and r["rounds"][0]["frames"] == 2
    summary = evaluate(data, config.out).summary()
    assert summary["counts"]["samples"] == 2 and summary["counts"]["missing_predictions"] == 0
