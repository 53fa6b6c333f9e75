"""GRPO's reward assembly, T-GRPO's bonus and frame shuffling on literal completions (no model)."""

from __future__ import annotations

import pytest

from tests.distill.helpers import make_row
from vdata.engines import Templates
from vdata.train.rollout import score_rollouts, shuffle_frames, temporal_bonus

ROW = make_row("mc", "multiple_choice", question="What moves?", options=["a car", "a bus"], answer="B")
RIGHT, WRONG, BROKEN = "<think>x</think><answer>B</answer>", "<think>x</think><answer>A</answer>", "B"


def test_rewards_are_weighted_per_completion_and_averaged_per_reward():
    totals, means = score_rollouts((("format", 0.5), ("accuracy", 1.0)), [RIGHT, WRONG, BROKEN], [ROW] * 3)
    assert totals == [1.5, 0.5, 0.0]
    assert means == pytest.approx({"format": 2 / 3, "accuracy": 1 / 3})


def test_temporal_bonus_goes_to_correct_ordered_completions_when_order_helps():
    # prompt 0: ordered 1/2 right, shuffled 0/2 -> the right one gets alpha; prompt 1: shuffled does better -> none
    bonus, shuffled_accuracy = temporal_bonus(
        [RIGHT, WRONG, RIGHT, WRONG], [WRONG, WRONG, RIGHT, RIGHT], [ROW] * 4, group_size=2
    )
    assert bonus == [0.3, 0.0, 0.0, 0.0]
    assert shuffled_accuracy == 0.5


def test_shuffled_prompts_keep_frames_and_text_but_change_the_order():
    prompt = Templates().prompt(ROW)
    images = [f"image of {frame!r}" for frame in prompt.frames]  # stands for the decoded frames
    shuffled, shuffled_images = shuffle_frames(prompt, images, "seed-step-id")
    assert shuffled.frames != prompt.frames and sorted(shuffled.frames) == sorted(prompt.frames)
    assert shuffled_images == [f"image of {frame!r}" for frame in shuffled.frames]  # the same order
    assert (shuffled.text, shuffled.timestamps_s) == (prompt.text, prompt.timestamps_s)
    assert shuffle_frames(prompt, images, "seed-step-id") == (shuffled, shuffled_images)
