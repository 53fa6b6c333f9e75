"""GRPO end to end on a tiny random Qwen2.5-VL: the loop runs, resumes exactly, and T-GRPO's extra rollouts
happen; zero-variance groups are dropped (or kept, as TRL)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.distill.helpers import write_dataset
from tests.train.conftest import cot_rows
from vdata.train import GRPOConfig, train_grpo
from vdata.train import rollout as grpo_module
from vdata.train.log import read_log


@pytest.fixture(scope="module")
def b_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Multiple choice whose answer is always B."""
    return write_dataset(tmp_path_factory.mktemp("always-b"), cot_rows(4, answer="B", cot="look"))


def by_length(rewards, completions, samples):
    """A dense stand-in reward (longer completion = more reward) so every group has variance."""
    return [len(c) / 100 for c in completions], {
        "length": sum(map(len, completions)) / 100 / len(completions)
    }


def small(data: Path, model: Path, out: Path, **options) -> GRPOConfig:
    defaults = dict(batch_size=2, num_generations=4, max_new_tokens=6, lr=1e-3, rewards="accuracy", beta=0.0,
                    num_workers=0)
    return GRPOConfig(data=data, model=str(model), out=out, **{**defaults, **options})


def test_reward_rises_on_multiple_choice_always_b(sft_run, b_data: Path, tmp_path: Path):
    # the SFT model writes `<think>look</think><answer>X</answer>` with X uniform over A, B, C
    config = GRPOConfig(
        data=b_data,
        model=str(sft_run.final),
        out=tmp_path / "run",
        max_steps=15,
        batch_size=2,
        num_generations=8,
        max_new_tokens=20,
        lr=2e-3,
        beta=0.0,
        rewards="accuracy",
        seed=0,
        num_workers=0,
    )
    rewards = [r["reward"] for r in train_grpo(config).records]
    first, last = sum(rewards[:4]) / 4, sum(rewards[-4:]) / 4
    assert last > first + 0.2, rewards


def test_groups_with_equal_rewards_are_dropped_and_counted(tiny_model: Path, b_data: Path, tmp_path: Path):
    # a random model never writes <answer>B</answer>: every group is all zeros, nothing is trained
    records = train_grpo(small(b_data, tiny_model, tmp_path / "run", max_steps=2)).records
    assert [r["zero_variance_groups"] for r in records] == [2, 2]
    assert all(r["zero_variance_share"] == 1.0 and math.isnan(r["loss"]) for r in records)
    assert [r["step"] for r in read_log(tmp_path / "run")] == [1, 2]
    # as TRL does: kept with advantage 0, only the KL to the reference is trained (it is 0 at the first update)
    kept = train_grpo(small(b_data, tiny_model, tmp_path / "kept", max_steps=1, beta=0.04,
                            keep_zero_variance_groups=True)).records[0]
    assert kept["zero_variance_groups"] == 2 and kept["loss"] == 0.0 and kept["kl"] == 0.0


def test_grpo_resume_reproduces_the_next_steps_loss(
    tiny_model: Path, b_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(grpo_module, "score_rollouts", by_length)
    options = dict(max_steps=2, save_every=1, beta=0.04, mu=2)
    straight = train_grpo(small(b_data, tiny_model, tmp_path / "a", **options)).records
    assert straight[0]["zero_variance_groups"] == 0 and straight[0]["kl"] >= 0.0

    def interrupt(record: dict) -> None:
        if record["step"] == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_grpo(small(b_data, tiny_model, tmp_path / "b", **options), on_step=interrupt)
    resumed = train_grpo(small(b_data, tiny_model, tmp_path / "b", resume="auto", **options)).records
    assert [r["step"] for r in resumed] == [2]
    for key in ("loss", "reward", "completion_len", "kl"):
        assert resumed[0][key] == pytest.approx(straight[1][key], rel=1e-5, abs=1e-9)


def test_temporal_contrast_samples_on_shuffled_frames_and_adds_the_bonus(
    tiny_model: Path, b_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    seen = {}

    def always_bonus(completions, shuffled, samples, group_size):
        seen["shuffled"] = list(shuffled)
        return [0.3] * len(completions), 0.0

    monkeypatch.setattr(grpo_module, "temporal_bonus", always_bonus)
    records = train_grpo(
        small(b_data, tiny_model, tmp_path / "run", max_steps=1, temporal_contrast=True)
    ).records
    assert records[0]["shuffled_rollouts"] == 2 * 4 == len(seen["shuffled"])
    assert records[0]["temporal_bonus"] == pytest.approx(0.3)
    assert records[0]["reward"] == pytest.approx(records[0]["reward/accuracy"] + 0.3)


def some_vary(rewards, completions, samples):
    """Rewards that vary within a group only for rows q0 and q1 (by completion length); 0 elsewhere."""
    values = [len(c) / 100 if s["id"] in ("q0", "q1") else 0.0 for c, s in zip(completions, samples, strict=True)]
    return values, {"length": sum(values) / len(values)}


def test_dynamic_sampling_draws_prompts_until_every_group_varies(
    tiny_model: Path, b_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(grpo_module, "score_rollouts", some_vary)
    records = train_grpo(small(b_data, tiny_model, tmp_path / "run", max_steps=1, dynamic_sampling_rounds=3)).records
    # 4 rows, 2 prompts a round: q0 and q1 both come within one epoch (two rounds)
    assert 1 <= records[0]["sampling_rounds"] <= 2 and records[0]["groups_trained"] == 2
    assert math.isfinite(records[0]["loss"])
    monkeypatch.setattr(grpo_module, "score_rollouts", lambda r, c, s: ([0.0] * len(c), {"none": 0.0}))
    never = train_grpo(small(b_data, tiny_model, tmp_path / "never", max_steps=1, dynamic_sampling_rounds=2)).records
    assert never[0]["sampling_rounds"] == 3 and never[0]["groups_trained"] == 0 and math.isnan(never[0]["loss"])


def test_truncated_completions_can_be_left_out_and_gspo_runs(
    tiny_model: Path, b_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(grpo_module, "score_rollouts", by_length)
    # 6 new tokens: the random model never writes eos, so every completion is cut at the limit
    kept = train_grpo(small(b_data, tiny_model, tmp_path / "kept", max_steps=1, mu=2,
                            importance_sampling_level="sequence", loss_type="grpo", epsilon_high=0.28)).records[0]
    assert kept["truncated_share"] == 1.0 and math.isfinite(kept["loss"]) and 0.0 <= kept["clip_ratio"] <= 1.0
    masked = train_grpo(small(b_data, tiny_model, tmp_path / "masked", max_steps=1,
                              mask_truncated_completions=True)).records[0]
    assert masked["truncated_share"] == 1.0 and math.isnan(masked["loss"])
    monkeypatch.undo()
    shaped = train_grpo(small(b_data, tiny_model, tmp_path / "shaped", max_steps=1, overlong_buffer=2,
                              rewards="format")).records[0]
    assert shaped["reward"] == pytest.approx(-1.0)  # format 0, and 6 tokens = the limit: the full -1 penalty
