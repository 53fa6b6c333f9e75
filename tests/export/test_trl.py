"""`vdata export --to trl` trained on by TRL's own `SFTTrainer` and `GRPOTrainer` (one step each, CPU, a tiny
Qwen2.5-VL built locally): the keyframes reach the model as vision tokens and pixel values, and the GRPO step
is scored by vdata's rewards through the TRL adapter. The `make demo` dataset's export goes through the collator
`SFTTrainer` uses for vision-language data."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
trl = pytest.importorskip("trl")
datasets = pytest.importorskip("datasets")


@pytest.fixture(scope="module")
def trl_export(export_data: Path, tmp_path_factory: pytest.TempPathFactory):
    from vdata.export import export

    return export(export_data, "trl", tmp_path_factory.mktemp("trl") / "export")


@pytest.fixture(scope="module")
def train(trl_export):
    return datasets.load_dataset("parquet", data_files={"train": trl_export.extra["files"]["train"]})["train"]


@pytest.fixture(scope="module")
def tiny(tiny_qwen: Path):
    from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration

    return tiny_qwen, AutoProcessor.from_pretrained(tiny_qwen), Qwen2_5_VLForConditionalGeneration


def test_rows_carry_prompt_images_completion_and_the_sample_columns(trl_export, train):
    assert dict(trl_export.written) == {"train": 3, "test": 1}
    assert dict(trl_export.skipped) == {"no gold answer (caption)": 1}
    row = next(r for r in train if r["task"] == "multiple_choice")
    user = row["prompt"][1]["content"]
    assert [part["type"] for part in user[:4]] == ["text", "image", "text", "image"]
    assert user[0]["text"] == "<0.24s>" and "Options:" in user[-1]["text"]
    assert len(row["images"]) == sum(part["type"] == "image" for part in user) == 4
    assert row["completion"][0]["content"].endswith("<answer>B</answer>")
    assert {"task", "answer", "options", "spans", "boxes", "frame_timestamps_s"} <= set(train.column_names)
    assert "frames" not in train.column_names


class _Spy:
    """Records the vision inputs of every forward call of `model` (a forward pre-hook)."""

    def __init__(self, model):
        self.calls: list[dict] = []

        def hook(module, args, kwargs):
            ids = kwargs.get("input_ids")
            self.calls.append({
                "pixel_values": kwargs.get("pixel_values") is not None,
                # generation encodes the images once and hands the features on (transformers >= 5.2x)
                "vision": any(kwargs.get(k) is not None for k in ("pixel_values", "mm_encoder_outputs")),
                "image_tokens": int((ids == model.config.image_token_id).sum()) if ids is not None else 0,
            })

        model.register_forward_pre_hook(hook, with_kwargs=True)


def test_one_sft_step_sees_the_frames(trl_export, train, tiny, tmp_path):
    path, processor, cls = tiny
    model = cls.from_pretrained(path)
    spy = _Spy(model)
    args = trl.SFTConfig(output_dir=str(tmp_path), use_cpu=True, bf16=False, report_to="none", max_steps=1,
                         per_device_train_batch_size=2, save_strategy="no", max_length=None, seed=0)
    trainer = trl.SFTTrainer(model=model, args=args, train_dataset=train, processing_class=processor)
    trainer.train()
    assert trainer.state.global_step == 1
    assert spy.calls and all(c["pixel_values"] and c["image_tokens"] > 0 for c in spy.calls)


def test_one_grpo_step_sees_the_frames_and_vdata_rewards(trl_export, train, tiny, tmp_path):
    from vdata.rewards.trl import reward_funcs

    path, processor, cls = tiny
    model = cls.from_pretrained(path)
    spy = _Spy(model)
    args = trl.GRPOConfig(output_dir=str(tmp_path), use_cpu=True, bf16=False, report_to="none", max_steps=1,
                          logging_steps=1, per_device_train_batch_size=2, num_generations=2,
                          max_completion_length=6, save_strategy="no", seed=0)
    trainer = trl.GRPOTrainer(model=model, processing_class=processor, args=args, train_dataset=train,
                              reward_funcs=reward_funcs(["format", "accuracy"]))
    trainer.train()
    prompts = [c for c in spy.calls if c["image_tokens"]]  # generation's prefill and the loss forward
    assert prompts and all(c["vision"] for c in prompts)
    assert any(c["pixel_values"] for c in prompts)
    assert {"format/error", "accuracy/error"} <= set(trainer._logs["extra"])
    # the accuracy reward judged every completion against its sample (None would mean the columns were lost)
    assert all(r is not None for r in trainer._logs["rewards"]["accuracy"])


def test_the_demo_dataset_collates_with_every_keyframe(demo_exports, tiny):
    from trl.trainer.sft_trainer import DataCollatorForVisionLanguageModeling

    _, processor, _ = tiny
    export = demo_exports["trl"]
    rows = datasets.load_dataset("parquet", data_files={"train": export.extra["files"]["train"]})["train"]
    assert len(rows) == sum(export.written.values()) == 18
    some = [rows[i] for i in range(6)]  # two videos' rows: every task
    assert {r["task"] for r in some} == {"multiple_choice", "temporal_grounding", "spatial_grounding"}
    batch = DataCollatorForVisionLanguageModeling(processor)(some)
    images = sum(len(r["images"]) for r in some)
    assert images >= 8 * 6 and len(batch["image_grid_thw"]) == images  # every keyframe, as an image
    image_id = processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    assert ((batch["input_ids"] == image_id).sum(dim=1) > 0).all()
    assert ((batch["labels"] != -100).sum(dim=1) > 0).all()  # the completion is learnt
