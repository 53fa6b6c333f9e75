"""One literal case per behaviour of the task rewards, parsing and format."""

import pytest

from vdata import rewards
from vdata.tasks.answer import extract_answer
from vdata.tasks.parsing import parse_spans
from vdata.tasks.text import edit_distance, lcs_length

MC = {"task": "multiple_choice", "answer": "B", "options": ["a red car", "a blue car", "a bus"]}
TG = {"task": "temporal_grounding", "spans": [{"start_s": 10.0, "end_s": 20.0}], "duration_s": 60.0}


def a(text):
    return f"<think>t</think><answer>{text}</answer>"


# ------------------------------------------------------------------------------------------------ extraction
def test_last_answer_block_wins():
    assert extract_answer("<answer>A</answer> wait <answer>B</answer>") == "B"


def test_answer_tags_tolerate_case_and_spaces():
    assert extract_answer("< Answer >B</ ANSWER >") == "B"


def test_no_block_is_none_in_train_style_and_whole_text_in_eval_style():
    assert extract_answer(" B ") is None
    assert extract_answer(" B ", fallback=True) == "B"


def test_fallback_option_reaches_the_reward():
    assert rewards.get("multiple_choice")("B", MC) == 0.0
    assert rewards.get("multiple_choice", fallback=True)("B", MC) == 1.0


# ------------------------------------------------------------------------------------------------ format
def test_format_accepts_think_then_answer_with_whitespace():
    assert rewards.get("format")("\n<think> x </think>\n\n<answer> B </answer>\n", {}) == 1.0


def test_format_rejects_two_answer_blocks():
    assert rewards.get("format")("<think>x</think><answer>A</answer><answer>B</answer>", {}) == 0.0


def test_format_rejects_empty_blocks():
    assert rewards.get("format")("<think> </think><answer>B</answer>", {}) == 0.0
    assert rewards.get("format")("<think>x</think><answer> </answer>", {}) == 0.0


def test_format_rejects_answer_before_think():
    assert rewards.get("format")("<answer>B</answer><think>x</think>", {}) == 0.0


def test_format_prefilled_think_starts_inside_the_thought():
    fn = rewards.get("format", prefilled_think=True)
    assert fn("reasoning</think><answer>B</answer>", {}) == 1.0
    assert fn("<think>reasoning</think><answer>B</answer>", {}) == 0.0


# ------------------------------------------------------------------------------------------------ choice
@pytest.mark.parametrize(
    "answer",
    [
        "B",
        "B.",
        "(B)",
        "[B]",
        "b",
        "B. a blue car",
        "a blue car",
        "Option B",
        "The answer is B",
        "A BLUE CAR!",
    ],
)
def test_multiple_choice_accepts_every_way_of_naming_b(answer):
    assert rewards.get("multiple_choice")(a(answer), MC) == 1.0


@pytest.mark.parametrize("answer", ["A or B", "A, B", "B. a red car", "C", "maybe", ""])
def test_multiple_choice_rejects_wrong_or_ambiguous_answers(answer):
    assert rewards.get("multiple_choice")(a(answer), MC) == 0.0


def test_multiple_choice_article_a_is_not_option_a():
    assert rewards.get("multiple_choice")(a("A blue car is shown"), MC) == 1.0


def test_multiple_choice_gold_written_as_option_text():
    sample = {**MC, "answer": "a bus"}
    assert rewards.get("multiple_choice")(a("C"), sample) == 1.0


def test_multiple_choice_letter_out_of_range_is_not_an_option():
    assert rewards.get("multiple_choice")(a("E"), MC) == 0.0


# ------------------------------------------------------------------------------------------------ numbers
@pytest.mark.parametrize("answer", ["3", "3.0", "3.00", " 3 ", "three", "3 people"])
def test_numeric_compares_numbers_not_strings(answer):
    assert rewards.get("numeric")(a(answer), {"task": "numeric", "answer": "3"}) == 1.0


def test_numeric_thousands_separator():
    assert rewards.get("numeric")(a("1,000"), {"task": "numeric", "answer": "1000"}) == 1.0


def test_numeric_two_different_numbers_score_zero():
    assert rewards.get("numeric")(a("3 or 4"), {"task": "numeric", "answer": "3"}) == 0.0


def test_numeric_percent_as_fraction_is_an_option():
    sample = {"task": "numeric", "answer": "0.5"}
    assert rewards.get("numeric")(a("50%"), sample) == 0.0
    assert rewards.get("numeric", percent_as_fraction=True)(a("50%"), sample) == 1.0


def test_numeric_relative_tolerance():
    sample = {"task": "numeric", "answer": "100"}
    assert rewards.get("numeric", rel_tol=0.05)(a("104"), sample) == 1.0
    assert rewards.get("numeric", rel_tol=0.05)(a("106"), sample) == 0.0


def test_regression_is_mean_relative_accuracy():
    sample = {"task": "regression", "answer": "10"}
    assert rewards.get("regression")(a("12"), sample) == pytest.approx(0.6)


def test_regression_gold_zero_uses_absolute_error():
    sample = {"task": "regression", "answer": "0"}
    assert rewards.get("regression")(a("0"), sample) == 1.0
    assert rewards.get("regression")(a("0.3"), sample) == pytest.approx(0.4)


# ------------------------------------------------------------------------------------------------ text
def test_ocr_is_one_minus_wer():
    assert rewards.get("ocr")(a("the cat sat"), {"task": "ocr", "answer": "the cat sat down"}) == 0.75


def test_ocr_normalisation_options():
    sample = {"task": "ocr", "answer": "Stop, here."}
    assert rewards.get("ocr")(a("stop here"), sample) == 0.0
    assert rewards.get("ocr", lowercase=True, strip_punctuation=True)(a("stop here"), sample) == 1.0


def test_ocr_cjk_scores_per_character():
    assert rewards.get("ocr")(a("禁止停车"), {"task": "ocr", "answer": "禁止停車"}) == 0.75


def test_free_form_cjk_does_not_score_zero():
    assert rewards.get("free_form")(a("一个男人在骑马"), {"task": "free_form", "answer": "男人骑马"}) > 0.5


def test_free_form_one_word_answer_scores_one_in_rouge_mean():
    assert (
        rewards.get("free_form", metric="rouge_mean")(a("Paris"), {"task": "free_form", "answer": "paris"})
        == 1.0
    )


def test_free_form_judges_captions():
    assert rewards.get("free_form")(a("a dog runs"), {"task": "caption", "answer": "a dog runs"}) == 1.0


def test_lcs_and_edit_distance_match_the_textbook_dp():
    def dp_lcs(x, y):
        t = [[0] * (len(y) + 1) for _ in range(len(x) + 1)]
        for i in range(len(x)):
            for j in range(len(y)):
                t[i + 1][j + 1] = t[i][j] + 1 if x[i] == y[j] else max(t[i][j + 1], t[i + 1][j])
        return t[-1][-1]

    def dp_edit(x, y):
        prev = list(range(len(y) + 1))
        for i in range(len(x)):
            cur = [i + 1]
            for j in range(len(y)):
                cur.append(min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (x[i] != y[j])))
            prev = cur
        return prev[-1]

    import random

    rng = random.Random(0)
    for _ in range(300):
        x = [rng.choice("abcd") for _ in range(rng.randint(0, 80))]
        y = [rng.choice("abcd") for _ in range(rng.randint(0, 80))]
        assert lcs_length(x, y) == dp_lcs(x, y)
        assert edit_distance(x, y) == dp_edit(x, y)


# ------------------------------------------------------------------------------------------------ spans
@pytest.mark.parametrize(
    "text",
    [
        "12.5 to 20",
        "12.5-20.0",
        "12.5 - 20.0 seconds",
        "[12.5, 20.0]",
        "from 12.5s to 20s",
        "00:12.5 - 00:20",
        '{"start": 12.5, "end": 20}',
        "between 12.5 and 20.0",
        "12.5 – 20",
    ],
)
def test_span_formats_parse(text):
    assert parse_spans(text) == [(12.5, 20.0)]


def test_hours_minutes_seconds_parse():
    assert parse_spans("1:02:03.5 to 1:02:10") == [(3723.5, 3730.0)]


def test_temporal_iou_exact_and_partial():
    assert rewards.get("temporal_iou")(a("10 to 20"), TG) == 1.0
    assert rewards.get("temporal_iou")(a("15 to 25"), TG) == pytest.approx(1 / 3)


def test_temporal_iou_reversed_span_scores_zero_unless_swapped():
    assert rewards.get("temporal_iou")(a("20 to 10"), TG) == 0.0
    assert rewards.get("temporal_iou", reversed_span="swap")(a("20 to 10"), TG) == 1.0


def test_temporal_iou_clamps_to_the_video():
    sample = {**TG, "spans": [{"start_s": 50.0, "end_s": 60.0}]}
    assert rewards.get("temporal_iou")(a("50 to 90"), sample) == 1.0


def test_temporal_iou_best_matching_gold_span():
    sample = {**TG, "spans": [{"start_s": 0.0, "end_s": 5.0}, {"start_s": 10.0, "end_s": 20.0}]}
    assert rewards.get("temporal_iou")(a("10 to 20"), sample) == 1.0


def test_temporal_iou_multi_span_answer_is_union_iou():
    sample = {**TG, "spans": [{"start_s": 0.0, "end_s": 5.0}, {"start_s": 10.0, "end_s": 20.0}]}
    assert rewards.get("temporal_iou")(a("0 to 5 and 10 to 15"), sample) == pytest.approx(10 / 15)


def test_temporal_iou_clip_time_origin():
    sample = {**TG, "clip_start_s": 10.0}
    assert rewards.get("temporal_iou", time_origin="clip")(a("0 to 10"), sample) == 1.0


def test_temporal_iou_weighted_never_negative():
    assert rewards.get("temporal_iou_weighted")(a("10 to 500"), TG) >= 0.0
    assert rewards.get("temporal_iou_weighted")(a("10 to 20"), TG) == 1.0


def test_iop_is_intersection_over_prediction():
    assert rewards.get("iop")(a("12 to 14"), TG) == 1.0
    assert rewards.get("iop")(a("5 to 15"), TG) == 0.5


GQA = {
    "task": "grounded_qa",
    "answer": "B",
    "options": ["waves", "sits"],
    "spans": [{"start_s": 2.0, "end_s": 6.0}],
}


def test_grounded_qa_needs_answer_and_evidence():
    fn = rewards.get("grounded_qa")
    assert fn(a("B, 2 to 6"), GQA) == 1.0
    assert fn(a("A, 2 to 6"), GQA) == 0.0
    assert fn(a("B, 5 to 9"), GQA) == 0.0


def test_grounded_qa_reads_json():
    assert rewards.get("grounded_qa")(a('{"answer": "B", "span": [2.5, 5.5]}'), GQA) == 1.0


def test_iop_takes_the_best_gold_segment_not_their_union():
    sample = {"task": "grounded_qa", "spans": [{"start_s": 10.0, "end_s": 15.0}, {"start_s": 15.0, "end_s": 20.0}]}
    assert rewards.get("iop")(a("10 to 20"), sample) == 0.5


def test_grounded_qa_soft_is_iop_when_correct():
    assert rewards.get("grounded_qa_soft")(a("B, 4 to 8"), GQA) == 0.5


# ------------------------------------------------------------------------------------------------ boxes
SG = {
    "task": "spatial_grounding",
    "width": 1000,
    "height": 500,
    "boxes": [
        {
            "timestamp_s": 1.0,
            "frame_index": 30,
            "x1": 100.0,
            "y1": 100.0,
            "x2": 300.0,
            "y2": 200.0,
            "label": "dog",
        }
    ],
}


@pytest.mark.parametrize(
    ("space", "text"),
    [
        ("pixels", "[100, 100, 300, 200]"),
        ("norm1", "[0.1, 0.2, 0.3, 0.4]"),
        ("norm1000", "[100, 200, 300, 400]"),
        ("pixels", '{"bbox_2d": [100, 100, 300, 200], "label": "dog"}'),
        ("pixels", '{"x1": 100, "y1": 100, "x2": 300, "y2": 200}'),
    ],
)
def test_box_iou_coordinate_spaces(space, text):
    assert rewards.get("box_iou", coord_space=space)(a(text), SG) == pytest.approx(1.0)


def test_box_iou_resized_reads_the_stored_frame_size():
    sample = {**SG, "frame_width": 500, "frame_height": 250}
    assert rewards.get("box_iou", coord_space="resized")(a("[50, 50, 150, 100]"), sample) == pytest.approx(
        1.0
    )


def test_box_iou_resized_reads_the_jpeg_header():
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (500, 250)).save(buf, format="JPEG")
    sample = {**SG, "frames": [{"bytes": buf.getvalue(), "path": None}]}
    assert rewards.get("box_iou", coord_space="resized")(a("[50, 50, 150, 100]"), sample) == pytest.approx(
        1.0
    )


def test_box_iou_resized_without_frame_size_is_none():
    assert rewards.get("box_iou", coord_space="resized")(a("[50, 50, 150, 100]"), SG) is None


def test_box_iou_extra_boxes_cost_reward():
    assert rewards.get("box_iou")(a("[100, 100, 300, 200] [0, 0, 10, 10]"), SG) == 0.5


def test_box_iou_giou_rewards_near_misses_over_far_ones():
    fn = rewards.get("box_iou", giou=True)
    near, far = fn(a("[310, 100, 400, 200]"), SG), fn(a("[900, 400, 1000, 500]"), SG)
    assert 0 < far < near < 0.5


def test_box_iou_inverted_box_scores_zero():
    assert rewards.get("box_iou")(a("[300, 200, 100, 100]"), SG) == 0.0


STG = {
    "task": "spatiotemporal_grounding",
    "width": 100,
    "height": 100,
    "frame_timestamps_s": [0.0, 1.0, 2.0, 3.0],
    "spans": [{"start_s": 1.0, "end_s": 2.0}],
    "boxes": [
        {"timestamp_s": 1.0, "x1": 0.0, "y1": 0.0, "x2": 10.0, "y2": 10.0},
        {"timestamp_s": 2.0, "x1": 0.0, "y1": 0.0, "x2": 10.0, "y2": 10.0},
    ],
}


def test_spatiotemporal_iou_perfect_tube():
    assert (
        rewards.get("spatiotemporal_iou")(a("1 to 2; 1.0s: [0, 0, 10, 10] 2.0s: [0, 0, 10, 10]"), STG) == 1.0
    )


def test_spatiotemporal_iou_divides_by_the_temporal_union():
    # predicted tube covers frames 1, 2, 3; gold 1, 2: two perfect frames over a union of three
    text = "1 to 3; 1.0s: [0, 0, 10, 10] 2.0s: [0, 0, 10, 10] 3.0s: [0, 0, 10, 10]"
    assert rewards.get("spatiotemporal_iou")(a(text), STG) == pytest.approx(2 / 3)


def test_spatiotemporal_iou_additive_mode():
    text = "1 to 3; 1.0s: [0, 0, 10, 10] 2.0s: [0, 0, 10, 10] 3.0s: [0, 0, 10, 10]"
    assert rewards.get("spatiotemporal_iou", mode="additive")(a(text), STG) == pytest.approx(0.5 * 0.5 + 0.5)


def test_spatiotemporal_iou_reads_json_tubes():
    text = '{"span": [1, 2], "boxes": [{"time": 1.0, "bbox_2d": [0, 0, 10, 10]}, {"time": 2.0, "bbox_2d": [0, 0, 10, 10]}]}'
    assert rewards.get("spatiotemporal_iou")(a(text), STG) == 1.0


def test_tracking_missing_frame_counts_zero():
    sample = {**STG, "task": "tracking"}
    assert rewards.get("tracking")(a("1.0s: [0, 0, 10, 10]"), sample) == 0.5


# ------------------------------------------------------------------------------------------------ shaping
def test_length_penalty_is_soft_then_clamped():
    fn = rewards.get("length", max_length=100, buffer=50)
    assert [fn("", {"completion_tokens": n}) for n in (40, 75, 100, 500)] == [0.0, -0.5, -1.0, -1.0]


def test_length_in_tokens_needs_completion_tokens():
    assert rewards.get("length")("text", {}) is None


def test_repetition_penalty_is_zero_for_fresh_text():
    assert rewards.get("repetition")("one two three four five", {}) == 0.0


# ------------------------------------------------------------------------------------------------ accuracy
def test_accuracy_dispatch_override():
    sample = {"task": "free_form", "answer": "paris"}
    assert rewards.get("accuracy", by_task={"free_form": "ocr"})(a("Paris"), sample) == 0.0
    assert rewards.get("accuracy")(a("Paris"), sample) == 1.0


def test_accuracy_override_with_unknown_reward_fails_early():
    from vdata.errors import ConfigError

    with pytest.raises(ConfigError, match="known"):
        rewards.get("accuracy", by_task={"free_form": "rouge"})
