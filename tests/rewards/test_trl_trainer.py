"""vdata rewards inside TRL's real `GRPOTrainer`: the rewards it computes, and the parsed answers and errors it logs.

A tiny random Qwen2 causal LM with a tokenizer trained on the spot (no network) runs one GRPO step on CPU; the
rewards are then called again through the trainer's own `_calculate_rewards` with known completions.
"""

from __future__ import annotations

import inspect
import math

import pytest

torch = pytest.importorskip("torch")
trl = pytest.importorskip("trl")
datasets = pytest.importorskip("datasets")

from vdata.rewards.trl import reward_funcs  # noqa: E402

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_end|>"]
CORPUS = ["<think> the box moves </think> <answer>B</answer>", "Which option? A. a car B. a bus", "1 2 3 to 4"]
MC = {"task": "multiple_choice", "answer": "B", "options": ["a car", "a bus"]}
NUM = {"task": "numeric", "answer": "3", "options": None}


def _tiny_lm():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(CORPUS * 4, trainer=trainers.BpeTrainer(
        vocab_size=300, special_tokens=SPECIAL_TOKENS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                        padding_side="left")
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=256,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    return Qwen2ForCausalLM(config), tokenizer


@pytest.fixture(scope="module")
def trainer(tmp_path_factory):
    out = tmp_path_factory.mktemp("grpo")
    model, tokenizer = _tiny_lm()
    rows = [{"prompt": "Which option? A. a car B. a bus", **MC}, {"prompt": "How many? 1 2 3", **NUM}] * 2
    args = trl.GRPOConfig(
        output_dir=str(out), use_cpu=True, bf16=False, report_to="none", max_steps=1, logging_steps=1,
        per_device_train_batch_size=2, num_generations=2, max_completion_length=6, save_strategy="no",
        reward_weights=[0.1, 0.9], seed=0,
    )
    t = trl.GRPOTrainer(model=model, processing_class=tokenizer, reward_funcs=reward_funcs(["format", "accuracy"]),
                        args=args, train_dataset=datasets.Dataset.from_list(rows))
    t.train()
    return t


def test_trl_passes_log_extra_and_log_metric_to_reward_functions():
    source = inspect.getsource(trl.GRPOTrainer._calculate_rewards)
    assert 'reward_kwargs["log_extra"]' in source and 'reward_kwargs["log_metric"]' in source


def test_a_grpo_step_logs_each_rewards_parsed_answer_and_error(trainer):
    extra = trainer._logs["extra"]
    assert {"format/parsed", "format/error", "accuracy/parsed", "accuracy/error"} <= set(extra)
    n = len(trainer._logs["completion"])
    assert n > 0 and all(len(extra[c]) == n for c in ("accuracy/parsed", "accuracy/error"))
    # every completion that scored 0 says why (a random model writes no <answer> block)
    zeros = [e for r, e in zip(trainer._logs["rewards"]["accuracy"], extra["accuracy/error"], strict=True) if r == 0]
    assert zeros and all(zeros)
    assert "rewards/accuracy/unparsed_ratio" in trainer.state.log_history[0]


def test_the_trainers_reward_step_logs_known_answers(trainer):
    completions = ["<think>x</think><answer>B</answer>", "<answer>A</answer>", "<answer>zzz</answer>", "<answer>4"]
    inputs = [
        {"prompt": "p", "completion": c, **sample}
        for c, sample in zip(completions, [MC, MC, MC, NUM], strict=True)
    ]
    ids = [[1, 2]] * 4
    trainer._pending_extra_logs.clear()
    trainer._pending_metrics.clear()
    rewards = trainer._calculate_rewards(inputs, ["p"] * 4, completions, ids)  # [B, n_rewards]
    assert rewards[:, 1].tolist() == [1.0, 0.0, 0.0, 0.0]
    extra = trainer._pending_extra_logs
    assert extra["accuracy/parsed"] == ["B", "A", "", ""]
    assert extra["accuracy/error"] == ["", "named A, gold is B", "no option named in 'zzz'",
                                       "no <answer>...</answer> block"]
    assert extra["format/error"][0] == "" and extra["format/error"][1].startswith("expected 1 <think>")
    (ratio,) = trainer._pending_metrics["rewards/accuracy/unparsed_ratio"]
    assert math.isclose(ratio, 2 / 4)


def test_not_applicable_rewards_log_why_and_stay_none():
    fn = reward_funcs(["temporal_iou"])[0]
    logged: dict[str, list] = {}
    out = fn(prompts=["p"], completions=["<answer>1 to 3</answer>"], task=["multiple_choice"],
             log_extra=lambda k, v: logged.setdefault(k, v), log_metric=lambda k, v: logged.setdefault(k, v))
    assert out == [None]
    assert logged["temporal_iou/error"][0].startswith("temporal_iou judges tasks")
    assert "rewards/temporal_iou/unparsed_ratio" not in logged  # nothing judged, no metric
