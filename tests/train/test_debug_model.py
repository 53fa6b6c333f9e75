"""`vdata debug-model`: each architecture loads with the Auto classes and reads a video prompt, built offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.distill.helpers import make_row
from vdata.cli import app

pytest.importorskip("torch")


@pytest.mark.parametrize("arch", ["qwen2-vl", "qwen2.5-vl", "qwen3-vl"])
def test_debug_model_reads_a_video_prompt_and_learns_from_a_label(arch: str, tmp_path: Path):
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from vdata.engines import Templates
    from vdata.engines.vlm import encode_prompts

    result = CliRunner().invoke(app, ["debug-model", str(tmp_path / arch), "--arch", arch])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["arch"] == arch and 100_000 < report["parameters"] < 1_000_000

    model = AutoModelForImageTextToText.from_pretrained(tmp_path / arch)
    processor = AutoProcessor.from_pretrained(tmp_path / arch)
    row = make_row("mc", "multiple_choice", question="What moves?", options=["a car", "a bus"], answer="B")
    inputs = encode_prompts(processor, [Templates().prompt(row)])
    video_tokens = int((inputs["input_ids"] == model.config.video_token_id).sum())
    assert video_tokens == int(inputs["video_grid_thw"].prod()) // 4  # every merged 2 x 2 patch is one token
    loss = model(**inputs, labels=inputs["input_ids"]).loss
    loss.backward()
    assert torch.isfinite(loss) and model.lm_head.weight.grad.abs().sum() > 0


def test_unknown_arch_is_one_line(tmp_path: Path):
    result = CliRunner().invoke(app, ["debug-model", str(tmp_path), "--arch", "llava"])
    assert result.exit_code == 1 and "--arch must be one of qwen2-vl, qwen2.5-vl, qwen3-vl" in result.output
