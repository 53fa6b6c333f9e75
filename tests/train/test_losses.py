"""The GRPO maths against hand-computed values."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from vdata.train.losses import (  # noqa: E402
    clipped_surrogate,
    cosine_schedule,
    group_advantages,
    grpo_loss,
    k3_kl,
    masked_mean,
    token_logprobs,
)


def test_group_advantages_are_normalised_within_each_group():
    rewards = torch.tensor([[1.0, 0.0, 0.0, 1.0], [2.0, 2.0, 2.0, 2.0]])
    adv, zero_var = group_advantages(rewards, scale=True, eps=0.0)
    std = math.sqrt(1 / 3)  # sample std of [1, 0, 0, 1]
    assert adv[0].tolist() == pytest.approx([0.5 / std, -0.5 / std, -0.5 / std, 0.5 / std])
    assert adv[1].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert zero_var.tolist() == [False, True]


def test_group_advantages_without_std_scaling_are_centred_rewards():
    adv, zero_var = group_advantages(torch.tensor([[3.0, 1.0]]), scale=False)
    assert adv.tolist() == [[1.0, -1.0]]
    assert zero_var.tolist() == [False]


def test_clipped_surrogate_clips_the_ratio_on_the_side_the_advantage_pushes():
    old = torch.zeros(2, 2)
    logp = torch.log(torch.tensor([[1.5, 0.9], [1.5, 0.5]]))  # ratios
    adv = torch.tensor([1.0, -1.0])
    loss, clipped = clipped_surrogate(logp, old, adv, epsilon=0.2)
    # A=+1: min(1.5, 1.2) = 1.2 (clipped); min(0.9, 0.9) = 0.9. A=-1: min(-1.5, -1.2) = -1.5; min(-0.5, -0.8) = -0.8.
    assert loss.flatten().tolist() == pytest.approx([-1.2, -0.9, 1.5, 0.8])
    assert clipped.tolist() == [[True, False], [False, True]]


def test_k3_kl_matches_the_formula_and_is_zero_when_equal():
    logp = torch.tensor([[math.log(0.5), math.log(0.2)]])
    ref = torch.tensor([[math.log(0.25), math.log(0.2)]])
    kl = k3_kl(logp, ref)
    assert kl[0].tolist() == pytest.approx([0.5 - math.log(0.5) - 1, 0.0])  # r = 0.25 / 0.5


def test_masked_mean_weighs_every_token_the_same():
    values = torch.tensor([[1.0, 1.0, 1.0], [4.0, 0.0, 0.0]])
    mask = torch.tensor([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    assert float(masked_mean(values, mask)) == pytest.approx(7 / 4)
    assert float(masked_mean(values, mask, denominator=7)) == pytest.approx(1.0)


def test_grpo_loss_at_ratio_one_is_minus_the_mean_advantage_plus_beta_kl():
    logp = torch.log(torch.tensor([[0.5, 0.5], [0.5, 0.5]]))
    ref = torch.log(torch.tensor([[0.25, 0.5], [0.5, 0.5]]))
    mask = torch.tensor([[1.0, 1.0], [1.0, 0.0]])
    loss, stats = grpo_loss(logp, logp, ref, torch.tensor([1.0, -2.0]), mask, epsilon=0.2, beta=0.1)
    kl0 = 0.5 - math.log(0.5) - 1
    assert float(loss) == pytest.approx((-1 - 1 + 2 + 0.1 * kl0) / 3, rel=1e-5)
    assert stats["kl"] == pytest.approx(kl0 / 3, rel=1e-5)
    assert stats["clip_ratio"] == 0.0


def test_token_logprobs_gathers_the_log_softmax():
    logits = torch.tensor([[[0.0, 0.0], [math.log(3.0), 0.0]]])  # [1, 2, 2]
    out = token_logprobs(logits, torch.tensor([[1, 0]]))
    assert out[0].tolist() == pytest.approx([math.log(0.5), math.log(0.75)])


def test_cosine_schedule_warms_up_then_decays_to_the_floor():
    assert [cosine_schedule(s, 2, 10) for s in (0, 1, 2)] == [0.5, 1.0, 1.0]
    assert cosine_schedule(6, 2, 10) == pytest.approx(0.5)
    assert cosine_schedule(10, 2, 10, min_ratio=0.1) == pytest.approx(0.1)
