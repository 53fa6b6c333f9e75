"""The GRPO maths against hand-computed values, and against TRL's own `GRPOTrainer._compute_loss`."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch")

from vdata.errors import ConfigError  # noqa: E402
from vdata.train.loss_types import LOSS_TYPES, StepSize  # noqa: E402
from vdata.train.losses import (  # noqa: E402
    Objective,
    clipped_surrogate,
    cosine_schedule,
    group_advantages,
    grpo_loss,
    k3_kl,
    log_importance_weights,
    masked_mean,
    overlong_penalty,
    token_logprobs,
    trained_completions,
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


def test_clip_higher_clips_each_side_at_its_own_epsilon():
    log_w = torch.log(torch.tensor([[1.5, 0.9], [1.5, 0.5]]))  # ratios
    adv = torch.tensor([1.0, -1.0])
    loss, low, high = clipped_surrogate(log_w, adv, epsilon_low=0.2, epsilon_high=0.28)
    # A=+1: min(1.5, 1.28) = 1.28 (high clip); min(0.9, 0.9). A=-1: min(-1.5, -1.28) = -1.5; min(-0.5, -0.8) = -0.8 (low)
    assert loss.flatten().tolist() == pytest.approx([-1.28, -0.9, 1.5, 0.8])
    assert high.tolist() == [[True, False], [False, False]]
    assert low.tolist() == [[False, False], [False, True]]


def test_sequence_level_weight_is_the_mean_log_ratio_of_the_sequence_gspo():
    logp = torch.tensor([[0.2, 0.4, 9.0], [0.1, 0.0, 0.0]])
    mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    seq = log_importance_weights(logp, torch.zeros(2, 3), mask, "sequence")
    assert seq.shape == (2, 1) and seq.flatten().tolist() == pytest.approx([0.3, 0.1])
    assert torch.equal(log_importance_weights(logp, torch.zeros(2, 3), mask, "token"), logp)


def test_loss_types_aggregate_as_trl_defines_them():
    per_token = torch.tensor([[1.0, 3.0, 5.0], [4.0, 0.0, 0.0]])
    mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    size = StepSize(sequences=4, tokens=6, micro_batches=2, max_completion_length=3)
    values = {name: float(LOSS_TYPES.get(name)().aggregate(per_token, mask, size)) for name in LOSS_TYPES.names()}
    assert values == pytest.approx({
        "grpo": (2 + 4) / 4,  # sequence means 2 and 4, over the step's 4 sequences
        "bnpo": 8 / 3 / 2,  # this micro-batch's 3 tokens, one of 2 micro-batches
        "dr_grpo": 8 / (4 * 3),  # 4 sequences x max length 3
        "dapo": 8 / 6,  # the step's 6 tokens
    })
    with pytest.raises(ConfigError, match="unknown --loss-type 'gspo'; known: bnpo, dapo, dr_grpo, grpo"):
        LOSS_TYPES.get("gspo")


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
    objective = Objective("dapo", 0.2, 0.2, "token", beta=0.1)
    loss, stats = grpo_loss(logp, logp, ref, torch.tensor([1.0, -2.0]), mask, objective, StepSize(2, 3.0))
    kl0 = 0.5 - math.log(0.5) - 1
    assert float(loss) == pytest.approx((-1 - 1 + 2 + 0.1 * kl0) / 3, rel=1e-5)
    assert stats["kl"] == pytest.approx(kl0 / 3, rel=1e-5)
    assert stats["clip_ratio"] == 0.0


def test_overlong_penalty_is_dapos_soft_punishment():
    assert [overlong_penalty(n, 10, 4) for n in (6, 7, 8, 10, 12)] == [0.0, -0.25, -0.5, -1.0, -1.0]
    assert overlong_penalty(12, 10, 0) == 0.0


def _trl_loss(per_token_logps, old, ref, advantages, mask, loss_type, level, eps_low, eps_high, beta, max_len):
    """TRL's `GRPOTrainer._compute_loss` run on given log-probs: a trainer object holding just what it reads."""
    from collections import defaultdict

    from trl.trainer.grpo_trainer import GRPOTrainer

    class Accelerator:
        num_processes = 1

        def gather(self, x):
            return x

        def reduce(self, x, reduction="sum"):
            return x

    trainer = SimpleNamespace(
        top_entropy_quantile=1.0, off_policy_mask_threshold=None, importance_sampling_level=level, beta=beta,
        args=SimpleNamespace(use_bias_correction_kl=False, delta=None, steps_per_generation=1),
        loss_type=loss_type, epsilon_low=eps_low, epsilon_high=eps_high, use_vllm=False,
        model=SimpleNamespace(training=True), current_gradient_accumulation_steps=1, max_completion_length=max_len,
        accelerator=Accelerator(), _entropy_bonus_enabled=False, aux_loss_enabled=False,
        _metrics={"train": defaultdict(list)},
        _get_per_token_logps_and_entropies=lambda *a, **k: (per_token_logps, torch.zeros_like(per_token_logps), None),
    )
    n, t = mask.shape
    inputs = {
        "prompt_ids": torch.zeros(n, 1, dtype=torch.long), "prompt_mask": torch.ones(n, 1),
        "completion_ids": torch.zeros(n, t, dtype=torch.long), "completion_mask": mask,
        "advantages": advantages, "old_per_token_logps": old, "ref_per_token_logps": ref,
        "num_items_in_batch": mask.sum(),
    }
    loss = GRPOTrainer._compute_loss(trainer, None, inputs)
    return float(loss), trainer._metrics["train"]


@pytest.mark.parametrize(("loss_type", "level"), [("grpo", "token"), ("bnpo", "token"), ("dr_grpo", "token"),
                                                  ("dapo", "token"), ("grpo", "sequence")])
def test_the_loss_equals_trls_on_identical_tensors(loss_type: str, level: str):
    pytest.importorskip("trl")
    g = torch.Generator().manual_seed(0)
    logp = -torch.rand(4, 5, generator=g) * 2
    old = logp + (torch.rand(4, 5, generator=g) - 0.5) * 0.8  # ratios in about [0.67, 1.5]: both clips active
    ref = logp + (torch.rand(4, 5, generator=g) - 0.5)
    mask = torch.tensor([[1.0] * 5, [1.0] * 3 + [0.0] * 2, [1.0] * 4 + [0.0], [1.0] * 2 + [0.0] * 3])
    adv = torch.tensor([1.0, -0.5, 2.0, -1.5])
    objective = Objective(loss_type, 0.2, 0.28, level, beta=0.04)
    ours, stats = grpo_loss(logp, old, ref, adv, mask, objective, StepSize(4, float(mask.sum()), 1, 5))
    theirs, metrics = _trl_loss(logp, old, ref, adv, mask, loss_type, level, 0.2, 0.28, 0.04, 5)
    assert float(ours) == pytest.approx(theirs, rel=1e-5)
    assert stats["kl"] == pytest.approx(metrics["kl"][0], rel=1e-5)
    assert stats["clip_ratio"] == pytest.approx(metrics["clip_ratio/region_mean"][0], rel=1e-5)
    assert 0 < stats["clip_ratio"] < 1 or level == "sequence"


@pytest.mark.parametrize("loss_type", ["grpo", "dapo"])
def test_zero_variance_groups_kept_give_trls_loss_and_dropped_give_trls_loss_without_them(loss_type: str):
    pytest.importorskip("trl")
    g = torch.Generator().manual_seed(2)
    logp = -torch.rand(6, 4, generator=g) * 2
    old = logp + (torch.rand(6, 4, generator=g) - 0.5) * 0.8
    ref = logp + (torch.rand(6, 4, generator=g) - 0.5)
    mask = torch.tensor([[1.0] * 4, [1.0] * 2 + [0.0] * 2, [1.0] * 3 + [0.0], [1.0] * 4, [1.0] + [0.0] * 3, [1.0] * 4])
    adv, zero = group_advantages(torch.tensor([[1.0, 0.0], [0.5, 0.5], [0.0, 2.0]]))  # G = 2; group 1 all equal
    objective = Objective(loss_type, 0.2, 0.28, "token", beta=0.04)

    def ours(keep: bool) -> float:
        rows = trained_completions(zero, mask, keep_zero_variance=keep)
        size = StepSize(len(rows), float(mask[rows].sum()), 1, 4)
        return float(grpo_loss(logp[rows], old[rows], ref[rows], adv.view(-1)[rows], mask[rows], objective, size)[0])

    def trl(rows: list[int]) -> float:
        return _trl_loss(logp[rows], old[rows], ref[rows], adv.view(-1)[rows], mask[rows], loss_type, "token", 0.2,
                         0.28, 0.04, 4)[0]

    assert adv[1].tolist() == [0.0, 0.0]
    assert ours(keep=True) == pytest.approx(trl([0, 1, 2, 3, 4, 5]), rel=1e-5)  # TRL keeps every completion
    assert ours(keep=False) == pytest.approx(trl([0, 1, 4, 5]), rel=1e-5)  # vdata's default: as if it were absent
    assert abs(ours(keep=True) - ours(keep=False)) > 1e-3


def test_token_logprobs_gathers_the_log_softmax():
    logits = torch.tensor([[[0.0, 0.0], [math.log(3.0), 0.0]]])  # [1, 2, 2]
    out = token_logprobs(logits, torch.tensor([[1, 0]]))
    assert out[0].tolist() == pytest.approx([math.log(0.5), math.log(0.75)])


def test_cosine_schedule_warms_up_then_decays_to_the_floor():
    assert [cosine_schedule(s, 2, 10) for s in (0, 1, 2)] == [0.5, 1.0, 1.0]
    assert cosine_schedule(6, 2, 10) == pytest.approx(0.5)
    assert cosine_schedule(10, 2, 10, min_ratio=0.1) == pytest.approx(0.1)


@pytest.mark.parametrize("loss_type", ["grpo", "dr_grpo", "dapo"])
def test_micro_batches_or_processes_with_the_steps_totals_sum_to_the_whole_steps_loss(loss_type: str):
    # how grad accumulation and several processes split a step: each part is normalised by the step's totals
    g = torch.Generator().manual_seed(1)
    logp, old = -torch.rand(4, 3, generator=g), -torch.rand(4, 3, generator=g)
    mask = torch.tensor([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    adv = torch.tensor([1.0, -1.0, 0.5, -0.5])
    objective = Objective(loss_type, 0.2, 0.28, "token")
    whole, _ = grpo_loss(logp, old, None, adv, mask, objective, StepSize(4, float(mask.sum()), 1, 3))
    size = StepSize(4, float(mask.sum()), 2, 3)
    halves = [grpo_loss(logp[s], old[s], None, adv[s], mask[s], objective, size)[0] for s in (slice(0, 2), slice(2, 4))]
    assert float(sum(halves)) == pytest.approx(float(whole), rel=1e-6)
