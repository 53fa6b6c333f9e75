"""Paper presets, case by case, against the semantics read from each paper's reward code."""

import pytest

from vdata import rewards

VR1 = rewards.get("video-r1/accuracy")


@pytest.mark.parametrize(("answer", "value"), [("B", 1.0), ("b", 0.0), ("B.", 0.0), ("(B)", 0.0)])
def test_video_r1_multiple_choice_is_case_sensitive_exact_match(answer, value):
    assert VR1(f"<answer>{answer}</answer>", {"task": "multiple_choice", "answer": "B"}) == value


@pytest.mark.parametrize(
    ("gold", "answer", "value"),
    [
        ("3", "3", 1.0),
        ("3", "3.0", 0.0),
        ("3.00", "3.001", 1.0),
        ("1000", "1,000", 0.0),
        ("2.5", "2.50", 1.0),
    ],
)
def test_video_r1_numerical_decimal_presence_rule(gold, answer, value):
    assert VR1(f"<answer>{answer}</answer>", {"task": "numeric", "answer": gold}) == value


def test_video_r1_ocr_is_case_sensitive_wer():
    assert VR1("<answer>the cat</answer>", {"task": "ocr", "answer": "the cat sat"}) == pytest.approx(2 / 3)
    assert VR1("<answer>The cat sat</answer>", {"task": "ocr", "answer": "the cat sat"}) == pytest.approx(
        2 / 3
    )


def test_video_r1_free_form_one_word_scores_two_thirds():
    assert VR1("<answer>Paris</answer>", {"task": "free_form", "answer": "Paris"}) == pytest.approx(2 / 3)


def test_video_r1_regression_is_one_minus_relative_error():
    assert VR1("<answer>8</answer>", {"task": "regression", "answer": "10"}) == pytest.approx(0.8)


def test_video_r1_uses_the_first_answer_block_and_gold_tags():
    sample = {"task": "multiple_choice", "answer": "<answer>B</answer>"}
    assert VR1("<answer>A</answer> no, <answer>B</answer>", sample) == 0.0
    assert VR1("<answer> B </answer>", sample) == 1.0


def test_video_r1_unknown_task_is_not_applicable():
    assert VR1("<answer>1 to 2</answer>", {"task": "temporal_grounding", "answer": "x"}) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("<think>x</think>\n<answer>B</answer>", 1.0),
        ("<think>x</think><answer>B</answer>\n", 0.0),
        ("<think>x</think>so<answer>B</answer>", 0.0),
        ("<think>a</think>b</think> <answer>c</answer>", 1.0),
    ],
)
def test_video_r1_format_is_a_dotall_fullmatch(text, value):
    assert rewards.get("video-r1/format")(text, {}) == value


TG = {"task": "temporal_grounding", "spans": [{"start_s": 10.0, "end_s": 20.0}], "duration_s": 100.0}


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("10 to 20", 1.0),
        ("10 TO 20", 1.0),
        ("10 and 20", 1.0),
        ("10  to 20", 0.0),
        ("10-20", 0.0),
        ("00:10 to 00:20", 0.0),
        ("5 to 6, then 10 to 20", 1.0),
        ("20 to 10", 0.0),
    ],
)
def test_time_r1_iou_parsing(answer, value):
    assert rewards.get("time-r1/iou")(f"<answer>{answer}</answer>", TG) == value


def test_time_r1_uses_the_last_answer_block():
    assert rewards.get("time-r1/iou")("<answer>10 to 20</answer><answer>0 to 1</answer>", TG) == 0.0


def test_time_r1_does_not_clamp_to_the_video():
    assert rewards.get("time-r1/iou")("<answer>10 to 120</answer>", TG) == pytest.approx(10 / 110)


def test_time_r1_weighted_matches_the_formula():
    assert rewards.get("time-r1/iou_weighted")("<answer>10 to 30</answer>", TG) == pytest.approx(
        0.5 * 1.0 * 0.9
    )


def test_time_r1_weighted_can_go_negative():
    sample = {**TG, "duration_s": 10.0}
    assert rewards.get("time-r1/iou_weighted")("<answer>15 to 50</answer>", sample) < 0


def test_time_r1_format_strips_outer_whitespace():
    assert rewards.get("time-r1/format")("\n<think>x</think><answer>1 to 2</answer> ", {}) == 1.0


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("<think>\nx\n</think>\n<answer>\nB\n</answer>", 1.0),
        ("<think>\nx\n</think>\n<answer>\nB\n</answer>\nmore", 1.0),
        ("<think>\nx\n</think>\n<answer>\nB\n</answer>more", 0.0),
        ("<think>x</think>\n<answer>\nB\n</answer>", 0.0),
        (" <think>\nx\n</think>\n<answer>\nB\n</answer>", 0.0),
    ],
)
def test_open_r1_format_needs_newlines_and_allows_trailing_lines(text, value):
    assert rewards.get("open-r1/format")(text, {}) == value


def test_open_r1_tag_count_quarters():
    fn = rewards.get("open-r1/tag_count")
    assert fn("<think>\nx\n</think>\n<answer>\nB\n</answer>", {}) == 1.0
    assert fn("<think>x</think><answer>B</answer>", {}) == 0.0


SG = {
    "task": "spatial_grounding",
    "width": 100,
    "height": 100,
    "boxes": [{"x1": 0.0, "y1": 0.0, "x2": 10.0, "y2": 10.0}],
}


def test_vlm_r1_iou_one_pixel_overlap_counts_as_none():
    assert rewards.get("vlm-r1/iou")("<answer>[9, 0, 19, 10]</answer>", SG) == 0.0
    assert rewards.get("box_iou")("<answer>[9, 0, 19, 10]</answer>", SG) > 0.0


def test_vlm_r1_reads_only_integer_boxes_in_the_first_block():
    fn = rewards.get("vlm-r1/iou")
    assert fn("<answer>[0.0, 0, 10, 10]</answer>", SG) == 0.0
    assert fn("<answer>[0, 0, 10, 10]</answer><answer>[50, 50, 60, 60]</answer>", SG) == 1.0


def test_vlm_r1_partial_overlap_matches_plain_iou():
    assert rewards.get("vlm-r1/iou")("<answer>[5, 0, 15, 10]</answer>", SG) == pytest.approx(50 / 150)
