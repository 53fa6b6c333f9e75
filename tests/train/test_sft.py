"""SFT on a tiny random Qwen2.5-VL: the loss falls, only assistant tokens are labelled, resume is exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.train.conftest import cot_rows
from vdata.train import SFTConfig, train_sft
from vdata.train.data import sft_target
from vdata.train.log import read_log


def test_only_the_assistant_turn_is_labelled(tiny_model: Path):
    from vdata.train.data import Prepare
    from vdata.train.model import IGNORE, load_processor
    from vdata.train.sft import encode_sft_batch

    processor = load_processor(str(tiny_model))
    samples = [Prepare(sft=True)(row) for row in cot_rows(2)]
    pairs = [(s.row, s.target) for s in samples]
    config = SFTConfig(data="unused", model=str(tiny_model), out="unused")
    inputs, labels = encode_sft_batch(processor, samples, config)

    assert labels.shape == inputs["input_ids"].shape
    for i, (_, target) in enumerate(pairs):
        labelled = labels[i][labels[i] != IGNORE]
        assert processor.tokenizer.decode(labelled) == target + "<|im_end|>"
        # every labelled token sits after the whole prompt (system, video, question and the assistant header)
        prompt_end = int(
            inputs["input_ids"].shape[1] - labels.shape[1] + (labels[i] != IGNORE).int().argmax()
        )
        assert processor.tokenizer.decode(inputs["input_ids"][i, :prompt_end]).endswith(
            "<|im_start|>assistant\n"
        )
    assert sft_target({"cot": "", "answer": "B"}) is None


def test_sft_loss_falls_clearly(sft_run):
    losses = [r["loss"] for r in read_log(sft_run.out)]
    assert len(losses) == 70 and losses == [r["loss"] for r in sft_run.records]
    assert sum(losses[-5:]) / 5 < 0.1 * sum(losses[:5]) / 5
    assert (sft_run.final / "model.safetensors").exists()
    assert all(r["assistant_tokens"] > 0 and r["lr"] > 0 for r in sft_run.records)


class Interrupted(Exception):
    pass


def stop_after(step: int):
    def on_step(record: dict) -> None:
        if record["step"] == step:
            raise Interrupted

    return on_step


def test_resume_reproduces_the_next_steps_loss(tiny_model: Path, cot_data: Path, tmp_path: Path):
    # two data-loader workers: the resumed stream continues at the exact next sample of each worker
    options = dict(data=cot_data, model=str(tiny_model), max_steps=3, batch_size=2, lr=1e-3, save_every=2,
                   num_workers=2, shuffle_buffer=2)
    straight = train_sft(SFTConfig(out=tmp_path / "a", **options)).records
    with pytest.raises(Interrupted):
        train_sft(SFTConfig(out=tmp_path / "b", **options), on_step=stop_after(2))
    resumed = train_sft(SFTConfig(out=tmp_path / "b", resume="auto", **options)).records
    assert [r["step"] for r in resumed] == [3]
    assert resumed[0]["loss"] == pytest.approx(straight[2]["loss"], rel=1e-5)
    assert [r["step"] for r in read_log(tmp_path / "b")] == [1, 2, 3]


def test_lora_trains_the_adapter_only_and_saves_merged_or_adapter(tiny_model: Path, cot_data: Path, tmp_path: Path):
    import torch
    from safetensors.torch import load_file

    options = dict(data=cot_data, model=str(tiny_model), max_steps=2, batch_size=2, lr=1e-2, num_workers=0,
                   lora_r=4, lora_alpha=8, freeze_vision=True, save_every=1)
    merged = train_sft(SFTConfig(out=tmp_path / "merged", **options))
    base, tuned = load_file(tiny_model / "model.safetensors"), load_file(merged.final / "model.safetensors")
    changed = {k for k in base if not torch.equal(base[k], tuned[k])}
    assert changed and all(k.endswith(("q_proj.weight", "k_proj.weight", "v_proj.weight", "o_proj.weight"))
                           and "visual" not in k for k in changed)
    adapter = train_sft(SFTConfig(out=tmp_path / "adapter", lora_merge=False, **options))
    assert (adapter.final / "adapter_config.json").exists() and not (adapter.final / "model.safetensors").exists()
    assert (tmp_path / "adapter" / "checkpoint-1" / "adapter_model.safetensors").exists()
    resumed = train_sft(SFTConfig(out=tmp_path / "adapter", resume=str(tmp_path / "adapter" / "checkpoint-1"),
                                  lora_merge=False, **options))
    assert resumed.records[0]["loss"] == pytest.approx(adapter.records[1]["loss"], rel=1e-5)
