"""GRPO's rollouts through the engine layer (`vdata.engines.policy`): the transformers engine samples the same
token ids as a direct `model.generate` call with the same seed, is built once per run, and the LoRA weight names
the vLLM sync sends are the plain model's. vLLM itself is not installed here: only its missing-library error is
tested."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.train.conftest import cot_rows
from vdata.engines import Sampling, Templates
from vdata.engines.policy import media_token_ids, policy_engine, policy_weights
from vdata.errors import ConfigError
from vdata.train import GRPOConfig
from vdata.train.data import Sample
from vdata.train.rollout import roll_out, rollout_engine

G, NEW = 4, 8  # completions per prompt, tokens per completion


@pytest.fixture(scope="module")
def policy(tiny_model: Path):
    """The tiny Qwen2.5-VL as the trainer loads it, with its left-padding processor."""
    from vdata.train.model import load_model, load_processor

    return load_model(str(tiny_model), "cpu", None, trainable=True), load_processor(str(tiny_model))


def samples(n: int = 2) -> list[Sample]:
    prompts = [Templates().prompt(row) for row in cot_rows(n)]
    return [Sample(row, p, p.images()) for row, p in zip(cot_rows(n), prompts, strict=True)]


def direct_generate(model, processor, batch: list[Sample]):
    """The trainer's rollout before the engine layer: `model.generate` on the encoded prompts, new tokens only."""
    import torch

    from vdata.train.model import encode_prompts, special_ids, to_device

    eos, pad = special_ids(processor)
    inputs = to_device(encode_prompts(processor, [s.prompt for s in batch], None, [s.images for s in batch]), "cpu")
    with torch.no_grad():
        out = model.generate(**inputs, do_sample=True, temperature=1.0, top_p=1.0, top_k=0, max_new_tokens=NEW,
                             num_return_sequences=G, eos_token_id=eos, pad_token_id=pad, use_cache=True,
                             suppress_tokens=media_token_ids(model))
    return inputs, out[:, inputs["input_ids"].shape[1] :]


def test_transformers_rollouts_sample_the_same_ids_as_direct_generate(policy, tmp_path: Path):
    import torch

    model, processor = policy
    batch = samples()
    torch.manual_seed(7)
    inputs, expected = direct_generate(model, processor, batch)  # [2 * G, NEW]
    assert expected.shape == (2 * G, NEW) and len({tuple(r) for r in expected.tolist()}) > 1  # sampled, not greedy

    engine = policy_engine("transformers", model, processor, None, "cpu")
    engine.sync_weights(model)  # the live model itself: nothing to copy
    torch.manual_seed(7)
    out = engine.rollouts([s.prompt for s in batch], [s.images for s in batch], G, Sampling(1.0, 1.0, NEW))
    assert torch.equal(out.ids, expected)
    assert out.texts == processor.batch_decode(expected, skip_special_tokens=True)
    assert out.inputs.keys() == inputs.keys() and all(torch.equal(out.inputs[k], inputs[k]) for k in inputs)

    # and through `roll_out`, as the GRPO loop calls it
    config = GRPOConfig(data=tmp_path, model="m", out=tmp_path / "run", num_generations=G, max_new_tokens=NEW,
                        temperature=1.0, top_p=1.0, rewards="accuracy")
    torch.manual_seed(7)
    round_ = roll_out(model, processor, batch, config, "cpu", "0-0-0")
    assert torch.equal(round_.ids, expected) and round_.rewards.shape == (2, G)


def test_the_engine_is_built_once_per_run(policy, tmp_path: Path):
    model, processor = policy
    config = GRPOConfig(data=tmp_path, model="m", out=tmp_path / "run")
    first = rollout_engine(model, processor, config, "cpu")
    assert rollout_engine(model, processor, config, "cpu") is first and first.policy is model
    other = object()  # another run's model
    assert rollout_engine(other, processor, config, "cpu") is not first


def test_lora_weights_go_to_vllm_merged_under_the_plain_models_names(tiny_model: Path):
    import copy

    import torch

    from vdata.train.model import adapt, load_model

    plain = dict(load_model(str(tiny_model), "cpu", None, trainable=False).named_parameters())
    lora = adapt(load_model(str(tiny_model), "cpu", None, trainable=True), 4, 8, "q_proj,v_proj", False)
    with torch.no_grad():
        for name, p in lora.named_parameters():
            if "lora_B" in name:
                p.fill_(0.01)  # a trained adapter (B starts at 0, which would merge to nothing)
    merged = dict(copy.deepcopy(lora).merge_and_unload().named_parameters())
    lora.merge_adapter()  # as `VllmPolicy.sync_weights` does around the copy
    sent = {name: tensor.clone() for name, tensor in policy_weights(lora)}
    lora.unmerge_adapter()
    assert sent.keys() == plain.keys()
    assert all(torch.allclose(sent[n], merged[n]) for n in sent)
    changed = {n for n in sent if not torch.allclose(sent[n], plain[n])}
    assert changed and all(n.endswith(("q_proj.weight", "v_proj.weight")) and "visual" not in n for n in changed)
    assert all(torch.allclose(p, plain[n], atol=1e-6) for n, p in policy_weights(lora))  # unmerged again


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vllm is installed")
def test_rollout_engine_vllm_without_vllm_is_a_one_line_error(policy, tmp_path: Path):
    from vdata.cli import app

    result = CliRunner().invoke(app, ["train", "grpo", "--data", str(tmp_path), "--model", "m", "--out",
                                      str(tmp_path / "run"), "--rollout-engine", "vllm"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--rollout-engine vllm" in lines[0] and "pip install 'vdata[vllm]'" in lines[0], lines
    with pytest.raises(ConfigError, match="pip install 'vdata\\[vllm\\]'"):  # the engine's own guard
        policy_engine("vllm", *policy, None, "cpu")
    with pytest.raises(ConfigError, match=r"unknown rollout engine 'sglang'; known: (.*, )?transformers, vllm"):
        GRPOConfig(data=tmp_path, model="m", out=tmp_path, rollout_engine="sglang")


def test_vllm_requests_carry_the_trainers_keyframes_and_prompt_text(policy):
    import numpy as np

    from vdata.engines.vllm import mm_processor_kwargs, vllm_request

    _, processor = policy
    sample = samples(1)[0]
    request = vllm_request(processor, sample.prompt, sample.images, mm_processor_kwargs(None), needs_metadata=False)
    text = processor.apply_chat_template(sample.prompt.messages(), add_generation_prompt=True, tokenize=False)
    frames = request["multi_modal_data"]["video"]
    assert request["prompt"] == text and frames.dtype == np.uint8 and frames.shape == (6, 48, 64, 3)
    assert np.array_equal(frames[2], np.asarray(sample.images[2]))
    assert request["mm_processor_kwargs"] == {"do_sample_frames": False, "fps": sample.prompt.sampling_fps}
    qwen3 = vllm_request(processor, sample.prompt, sample.images, mm_processor_kwargs(50176), needs_metadata=True)
    _, metadata = qwen3["multi_modal_data"]["video"]
    assert metadata["frames_indices"] == list(sample.prompt.frame_indices) and "fps" not in qwen3["mm_processor_kwargs"]
    assert qwen3["mm_processor_kwargs"]["size"] == {"longest_edge": 50176, "shortest_edge": 3136}
