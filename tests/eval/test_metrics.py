"""Benchmark metrics on hand-computed cases: one literal case per behaviour, the arithmetic in the comment."""

from __future__ import annotations

import pytest

from vdata.eval import (
    above,
    at_least,
    best_span_iou,
    gqa_iou_iop,
    mean_relative_accuracy,
    recall_curve,
    score,
)

SPAN_10_20 = [{"start_s": 10.0, "end_s": 20.0}]


def tg(**extra):
    return {"task": "temporal_grounding", "spans": SPAN_10_20, "duration_s": 60.0, **extra}


def gqa(answer="A", spans=({"start_s": 2.0, "end_s": 6.0},)):
    return {"task": "grounded_qa", "answer": answer, "options": ["he waves", "he sits"], "spans": list(spans),
            "duration_s": 30.0}


# ------------------------------------------------------------------------------------------------ thresholds
def test_recall_thresholds_are_inclusive():
    assert at_least(0.5, 0.5) == 1.0 and at_least(0.4999, 0.5) == 0.0


def test_viou_thresholds_are_strict_as_hcstvg():
    assert above(0.5, 0.5) == 0.0 and above(0.5001, 0.5) == 1.0


def test_recall_curve_counts_values_at_or_above_each_threshold():
    # values 0.3, 0.5, 0.9: >= 0.0 all three, >= 0.5 two, >= 1.0 none
    assert recall_curve([0.3, 0.5, 0.9], [0.0, 0.5, 1.0]) == [1.0, 2 / 3, 0.0]


# ------------------------------------------------------------------------------------------------ temporal
def test_span_iou_takes_the_best_gold_span():
    # (12, 18) inside (10, 20): 6 / 10; against (30, 40): 0
    assert best_span_iou((12.0, 18.0), [(30.0, 40.0), (10.0, 20.0)]) == pytest.approx(0.6)


def test_r1_scores_the_first_predicted_span_only():
    # first span (10, 20) is exact; the reward would score the union with (40, 50): 10 / 20
    s = score("<answer>10 to 20 and 40 to 50</answer>", tg())
    assert s.values["mIoU"] == 1.0 and s.values["R1@0.7"] == 1.0


def test_r1_at_each_threshold():
    # (15, 25) vs (10, 20): intersection 5, union 15 -> IoU 1/3: R1@0.3 yes, @0.5 and @0.7 no
    s = score("<answer>15 to 25</answer>", tg())
    assert s.values == {"mIoU": pytest.approx(1 / 3), "R1@0.3": 1.0, "R1@0.5": 0.0, "R1@0.7": 0.0}


def test_r1_counts_an_iou_equal_to_the_threshold():
    # (10, 20) vs gold (10, 30): 10 / 20 = 0.5 exactly -> R1@0.5 counts (TimeChat's eval_tvg.py uses >=)
    s = score("<answer>10 to 20</answer>", tg(spans=[{"start_s": 10.0, "end_s": 30.0}]))
    assert s.values["R1@0.5"] == 1.0


def test_unparseable_span_is_a_parse_failure_scoring_zero():
    s = score("<answer>somewhere in the middle</answer>", tg())
    assert s.parse_failed and s.values["mIoU"] == 0.0 and s.values["R1@0.3"] == 0.0


def test_sample_without_gold_is_not_judged():
    assert score("<answer>10 to 20</answer>", tg(spans=None)) is None


# ------------------------------------------------------------------------------------------------ NExT-GQA
def test_iop_is_the_max_over_gold_segments_not_their_union():
    # (0, 10) vs (0, 4): IoU 4/10, IoP 4/10; vs (6, 10) the same; against the union IoP would be 8/10
    assert gqa_iou_iop((0.0, 10.0), [(0.0, 4.0), (6.0, 10.0)]) == (0.4, 0.4)


def test_point_prediction_has_iop_one_inside_and_zero_outside():
    assert gqa_iou_iop((3.0, 3.0), [(2.0, 6.0)]) == (0.0, 1.0)
    assert gqa_iou_iop((7.0, 7.0), [(2.0, 6.0)]) == (0.0, 0.0)


def test_disjoint_prediction_scores_zero():
    assert gqa_iou_iop((10.0, 12.0), [(2.0, 6.0)]) == (0.0, 0.0)


def test_acc_gqa_needs_a_correct_answer_and_iop_at_least_half():
    # (4, 8) vs (2, 6): intersection 2, prediction 4 -> IoP 0.5 exactly; union 6 -> IoU 1/3
    s = score("<answer>A, 4 to 8</answer>", gqa())
    assert s.values["Acc@QA"] == 1.0 and s.values["Acc@GQA"] == 1.0
    assert s.values["mIoP"] == 0.5 and s.values["IoP@0.5"] == 1.0
    assert s.values["mIoU"] == pytest.approx(1 / 3) and s.values["IoU@0.3"] == 1.0 and s.values["IoU@0.5"] == 0.0


def test_wrong_answer_with_a_perfect_span_is_not_acc_gqa():
    s = score("<answer>B, 2 to 6</answer>", gqa())
    assert s.values["Acc@QA"] == 0.0 and s.values["Acc@GQA"] == 0.0 and s.values["mIoP"] == 1.0


def test_correct_answer_without_a_span_counts_for_acc_qa_only():
    s = score("<answer>A</answer>", gqa())
    assert s.parse_failed and s.values["Acc@QA"] == 1.0 and s.values["Acc@GQA"] == 0.0 and s.values["mIoP"] == 0.0


# ------------------------------------------------------------------------------------------------ VSI-Bench
def test_mra_boundary_is_inclusive_as_the_vsibench_script():
    # |10.5 - 10| / 10 = 0.05 <= 1 - 0.95: all ten thresholds pass (the strict paper formula gives 0.9)
    assert mean_relative_accuracy(10.5, 10.0) == 1.0


def test_mra_counts_thresholds_within_the_relative_error():
    # error 0.3: thresholds 0.50, 0.55, 0.60, 0.65, 0.70 have 1 - theta >= 0.3 -> 5 of 10
    assert mean_relative_accuracy(13.0, 10.0) == 0.5


def test_mra_far_prediction_scores_zero():
    assert mean_relative_accuracy(30.0, 10.0) == 0.0


def test_mra_zero_gold_uses_the_absolute_error():
    # |0.2 - 0| = 0.2 <= 1 - theta for theta 0.50 .. 0.80: 7 of 10
    assert mean_relative_accuracy(0.2, 0.0) == pytest.approx(0.7)


def test_regression_score_reads_the_number_with_the_reward_parser():
    s = score("<think>about</think><answer>thirteen</answer>", {"task": "regression", "answer": "10"})
    assert s.values == {"MRA": 0.5} and not s.parse_failed


def test_regression_without_a_number_is_a_parse_failure():
    s = score("<answer>quite far</answer>", {"task": "regression", "answer": "10"})
    assert s.parse_failed and s.values == {"MRA": 0.0}


# ------------------------------------------------------------------------------------------------ choice, text
MC = {"task": "multiple_choice", "answer": "B", "options": ["a cat", "a dog"]}


def test_multiple_choice_accuracy_by_letter_or_text():
    assert score("<answer>(B)</answer>", MC).values == {"accuracy": 1.0}
    assert score("a dog", MC).values == {"accuracy": 1.0}  # no answer block: the whole text (eval style)


def test_multiple_choice_wrong_option_is_not_a_parse_failure():
    s = score("<answer>A</answer>", MC)
    assert s.values == {"accuracy": 0.0} and not s.parse_failed


def test_multiple_choice_naming_no_option_is_a_parse_failure():
    s = score("<answer>no idea</answer>", MC)
    assert s.values == {"accuracy": 0.0} and s.parse_failed


def test_numeric_accuracy_compares_numbers():
    assert score("<answer>1,000</answer>", {"task": "numeric", "answer": "1000"}).values == {"accuracy": 1.0}


def test_free_form_rouge():
    # ref "a man riding a horse", pred "a man rides a horse": LCS 4 of 5 -> 0.8; unigrams 4/5; bigrams
    # (a man), (a horse) of 4 -> 0.5
    s = score("<answer>a man rides a horse</answer>", {"task": "free_form", "answer": "a man riding a horse"})
    assert s.values == {"ROUGE-L": pytest.approx(0.8), "ROUGE-1": pytest.approx(0.8), "ROUGE-2": 0.5}


def test_ocr_is_one_minus_wer():
    # "STOP here" vs "STOP HERE": one substitution in two words
    assert score("<answer>STOP here</answer>", {"task": "ocr", "answer": "STOP HERE"}).values == {"1-WER": 0.5}


# ------------------------------------------------------------------------------------------------ boxes
BOX = {"x1": 0.0, "y1": 0.0, "x2": 10.0, "y2": 10.0}


def test_box_accuracy_at_half_iou_is_inclusive():
    # [0, 0, 10, 5] inside [0, 0, 10, 10]: 50 / 100 = 0.5
    s = score("<answer>[0, 0, 10, 5]</answer>", {"task": "spatial_grounding", "width": 100, "height": 100,
                                                  "boxes": [BOX]})
    assert s.values == {"mIoU": 0.5, "Acc@0.5": 1.0}


def test_box_in_norm1000_is_mapped_to_pixels():
    # [0, 0, 100, 100] of 1000 on a 100 x 100 video is [0, 0, 10, 10]
    sample = {"task": "spatial_grounding", "width": 100, "height": 100, "boxes": [BOX]}
    assert score("<answer>[0, 0, 100, 100]</answer>", sample, coord_space="norm1000").values["mIoU"] == 1.0


STVG = {
    "task": "spatiotemporal_grounding", "width": 100, "height": 100, "frame_timestamps_s": [0.0, 1.0, 2.0, 3.0],
    "spans": [{"start_s": 0.0, "end_s": 3.0}], "boxes": [{**BOX, "timestamp_s": float(t)} for t in range(4)],
}


def test_viou_sums_frame_ious_over_the_union_and_its_recall_is_strict():
    # both tubes span frames 0..3 (tIoU 1); exact boxes at 0 s and 1 s, none at 2 s and 3 s -> (1 + 1) / 4 = 0.5
    s = score("<answer>0 to 3; 0s: [0, 0, 10, 10] 1s: [0, 0, 10, 10]</answer>", STVG)
    assert s.values == {"m_tIoU": 1.0, "m_vIoU": 0.5, "vIoU@0.3": 1.0, "vIoU@0.5": 0.0}


def test_stvg_without_timed_boxes_is_a_parse_failure():
    s = score("<answer>[0, 0, 10, 10]</answer>", STVG)
    assert s.parse_failed and s.values["m_vIoU"] == 0.0


def test_tracking_mean_iou_over_gold_frames():
    # gold at 0 s and 1 s; only 0 s predicted, exactly -> (1 + 0) / 2
    sample = {"task": "tracking", "width": 100, "height": 100, "frame_timestamps_s": [0.0, 1.0],
              "boxes": [{**BOX, "timestamp_s": 0.0}, {**BOX, "timestamp_s": 1.0}]}
    assert score("<answer>0.0s: [0, 0, 10, 10]</answer>", sample).values == {"mIoU": 0.5}


def test_unknown_task_is_not_judged():
    assert score("<answer>B</answer>", {"task": "dance", "answer": "B"}) is None
