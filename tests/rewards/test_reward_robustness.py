"""Rewards never raise and never silently zero (issue 13): hostile numbers, verl's batch call shape, every
documented form of gold spans and boxes."""

import json

import numpy as np
import pytest

from vdata import rewards
from vdata.rewards.verl import compute_score
from vdata.tasks.boxes import read_gold_boxes
from vdata.tasks.parsing import ParseError, parse_number
from vdata.tasks.spans import read_gold_spans

GOOD = "<think>x</think><answer>{}</answer>"


# ---------------------------------------------------------------------------------------------------- overflow
@pytest.mark.parametrize("literal", ["1e999", "1e309", "-1e309", "1" + "0" * 400])
@pytest.mark.parametrize(
    ("name", "task"),
    [
        ("numeric", "numeric"),
        ("regression", "regression"),
        ("accuracy", "numeric"),
        ("accuracy", "regression"),
    ],
)
def test_numbers_beyond_float_range_score_zero_with_a_reason(name, task, literal):
    e = rewards.explain(name, GOOD.format(literal), {"task": task, "answer": "3"})
    assert e.value == 0.0
    assert "beyond the float range" in e.error


def test_parser_reads_exponents_and_refuses_overflow():
    assert parse_number("1.5e-3").value == 0.0015
    assert parse_number("2e308 or 7").value == 7.0  # the out-of-range number is skipped
    with pytest.raises(ParseError, match="beyond the float range"):
        parse_number("1e999")


@pytest.mark.parametrize("literal", ["1e999", "1e309"])
def test_paper_preset_on_overflow_is_zero(literal):
    for task in ("numeric", "regression"):
        assert rewards.get("video-r1/accuracy")(GOOD.format(literal), {"task": task, "answer": "3"}) == 0.0


# ---------------------------------------------------------------------------------------------------- verl
def _verl_batch(samples, responses, extra_infos):
    """The arguments verl 0.9.1's `BatchRewardManager.verify` builds (verl/workers/reward_manager/batch.py):
    `data_sources = data.non_tensor_batch[reward_fn_key]` (numpy object array), `ground_truths` a list read
    from `non_tensor_batch["reward_model"]`, `extras = non_tensor_batch.get("extra_info")` (numpy object array of
    dicts, each given `rollout_reward_scores`), responses decoded to a list of str."""
    non_tensor_batch = {
        "data_source": np.array(["vdata"] * len(samples), dtype=object),
        "reward_model": np.array([{"ground_truth": s, "style": "rule"} for s in samples], dtype=object),
        "extra_info": np.array(extra_infos, dtype=object),
    }
    ground_truths = [item.get("ground_truth", None) for item in non_tensor_batch["reward_model"]]
    extras = non_tensor_batch.get("extra_info")
    for i in range(len(samples)):
        extras[i]["rollout_reward_scores"] = {}
    return {
        "data_sources": non_tensor_batch["data_source"],
        "solution_strs": responses,
        "ground_truths": ground_truths,
        "extra_infos": extras,
    }


def test_verl_batch_reward_manager_call_shape():
    samples = [
        json.dumps({"task": "multiple_choice", "answer": "B"}),
        json.dumps({"task": "temporal_grounding"}),
    ]
    extra = [
        {"index": 0},
        {"spans": np.array([{"start_s": 1.0, "end_s": 2.0}], dtype=object), "duration_s": np.float64(10.0)},
    ]
    kwargs = _verl_batch(samples, [GOOD.format("B"), GOOD.format("1 to 2")], extra)
    out = compute_score(**kwargs, rewards=["accuracy", "format"], weights=[0.9, 0.1])
    assert [r["accuracy"] for r in out] == [1.0, 1.0]
    assert [r["score"] for r in out] == pytest.approx([1.0, 1.0])


def test_verl_batch_with_numpy_ground_truths_and_no_extra_info():
    truths = np.array([json.dumps({"task": "numeric", "answer": "3"})], dtype=object)
    out = compute_score(
        data_sources=np.array(["x"], dtype=object),
        solution_strs=np.array([GOOD.format("3")]),
        ground_truths=truths,
        extra_infos=None,
    )
    assert out[0]["accuracy"] == 1.0


# ---------------------------------------------------------------------------------------------------- gold forms
SPAN_FORMS = [
    [{"start_s": 2.0, "end_s": 4.0}],
    [[2.0, 4.0]],
    [2.0, 4.0],
    json.dumps([[2.0, 4.0]]),
    json.dumps([{"start_s": 2.0, "end_s": 4.0}]),
    np.array([[2.0, 4.0]]),
    np.array([{"start_s": 2.0, "end_s": 4.0}], dtype=object),
]


@pytest.mark.parametrize("spans", SPAN_FORMS, ids=range(len(SPAN_FORMS)))
@pytest.mark.parametrize("name", ["temporal_iou", "iop", "time-r1/iou", "accuracy"])
def test_every_documented_span_form_is_read(name, spans):
    sample = {"task": "temporal_grounding", "spans": spans, "duration_s": 10.0}
    assert rewards.get(name)(GOOD.format("2 to 4"), sample) == 1.0


@pytest.mark.parametrize(
    "spans", [[[1, "x"]], [[1.0]], "not json", [{"start": 1, "end": 2}], [[float("nan"), 2]], 5]
)
@pytest.mark.parametrize("name", ["temporal_iou", "temporal_iou_weighted", "iop", "time-r1/iou", "accuracy"])
def test_unreadable_gold_spans_cannot_be_judged_and_explain_says_why(name, spans):
    e = rewards.explain(
        name, GOOD.format("2 to 4"), {"task": "temporal_grounding", "spans": spans, "duration_s": 10.0}
    )
    assert e.value is None
    assert "gold span" in e.error


def test_unreadable_gold_spans_reason():
    assert read_gold_spans({"spans": [[1.0]]})[1].startswith("gold span 0 is not")
    assert read_gold_spans({})[1] == "sample has no spans"


BOX = {"x1": 10.0, "y1": 10.0, "x2": 20.0, "y2": 20.0}


@pytest.mark.parametrize("boxes", [[BOX], json.dumps([BOX]), np.array([BOX], dtype=object), BOX])
@pytest.mark.parametrize("name", ["box_iou", "vlm-r1/iou", "accuracy"])
def test_every_documented_box_form_is_read(name, boxes):
    sample = {"task": "spatial_grounding", "boxes": boxes, "width": 100, "height": 100}
    assert rewards.get(name)(GOOD.format("[10, 10, 20, 20]"), sample) == 1.0


@pytest.mark.parametrize("boxes", [[{"x1": 1, "y1": 1, "x2": "?", "y2": 2}], "{not json", [[1, 2, 3, 4]], 3])
@pytest.mark.parametrize("name", ["box_iou", "vlm-r1/iou", "accuracy"])
def test_unreadable_gold_boxes_cannot_be_judged_and_explain_says_why(name, boxes):
    e = rewards.explain(
        name,
        GOOD.format("[10, 10, 20, 20]"),
        {"task": "spatial_grounding", "boxes": boxes, "width": 100, "height": 100},
    )
    assert e.value is None
    assert "gold box" in e.error


def test_unreadable_gold_box_reason():
    assert "needs finite x1" in read_gold_boxes({"boxes": [{"x1": 1, "y1": 1, "x2": None, "y2": 2}]})[1]
