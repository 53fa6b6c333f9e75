"""Each benchmark's official table: the script's answer rule on hand-computed cases, and `vdata eval`'s table
(per category and overall, micro or macro as the script averages) on a small dataset of the benchmark's rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.distill.helpers import make_row, write_dataset
from vdata.eval import evaluate
from vdata.eval.report import table_rows
from vdata.tasks.benchmarks import (
    egoschema_choice,
    longvideobench_judge,
    mvbench_correct,
    tempcompass_caption_matching,
    tempcompass_multi_choice,
    tempcompass_yes_no,
    videomme_judge,
    vsibench_judge,
)

ABCD = ["w", "x", "y", "z"]


def _table(tmp_path: Path, source: str, rows: list[dict], preds: dict[str, str], **options) -> dict:
    for row in rows:
        row["source"] = source
    data = write_dataset(tmp_path / "built", rows)
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(json.dumps({"id": k, "response": v}) + "\n" for k, v in preds.items()))
    summary = evaluate(data, path).summary()
    assert any(r[0] == f"{source} (official)" for r in table_rows(summary))
    return summary["benchmarks"][source]


def _mc(id: str, answer: str, options=ABCD, **meta) -> dict:
    return make_row(id, "multiple_choice", question="q?", options=list(options), answer=answer, meta=json.dumps(meta))


# -- Video-MME: first capital A-D after the prefixes; unanswered questions leave the denominator; micro -------


@pytest.mark.parametrize(("response", "value"), [
    ("C", 1.0),
    ("The answer is C.", 1.0),
    ("(C) a red car", 1.0),
    ("Best answer: C", 0.0),        # the script's list misses a comma: "Best answer:" stays, its B is read
    ("Based on the video, C", 0.0),  # the B of "Based" comes first
    ("the car is red", None),        # no capital A-D: not answered, not counted
    ("", None),
])
def test_videomme_reads_the_first_capital_letter_as_eval_your_results_does(response, value) -> None:
    assert videomme_judge(response, {"answer": "C", "options": ABCD}, {}) == value


def test_videomme_table_is_per_duration_and_task_type_over_answered_questions(tmp_path: Path) -> None:
    rows = [_mc("s1", "A", duration="short", task_type="OCR Problems"),
            _mc("s2", "B", duration="short", task_type="OCR Problems"),
            _mc("m1", "C", duration="medium", task_type="Counting Problem"),
            _mc("l1", "D", duration="long", task_type="Counting Problem")]
    preds = {"s1": "<answer>A</answer>", "s2": "<answer>A</answer>", "m1": "<answer>C</answer>",
             "l1": "I do not know"}  # l1: no letter, left out of every denominator
    table = _table(tmp_path, "videomme", rows, preds)
    assert (table["n"], table["not_counted"], table["overall"]) == (3, 1, pytest.approx(2 / 3))
    assert {k: v["value"] for k, v in table["categories"]["duration"].items()} == {"medium": 1.0, "short": 0.5}
    assert table["categories"]["task_type"]["OCR Problems"] == {"n": 2, "value": 0.5}


# -- MVBench: check_ans on the first word against "(x)"; accuracy per task; micro overall ----------------------


@pytest.mark.parametrize(("response", "right"), [
    ("(B) a dog runs", True),
    ("B", True),
    ("b.", True),
    ("B)", True),
    ("(b)", True),
    ("(", False),          # no letter a-g in the first word
    ("", False),
    ("C", False),
    ("Option B", False),   # the first word is "option": it has no a-g and is not inside "(b)"
    ("bad", False),
])
def test_mvbench_check_ans_reads_the_first_word(response, right) -> None:
    assert mvbench_correct(response, 1) is right


def test_mvbench_table_is_accuracy_per_task_and_over_all_questions(tmp_path: Path) -> None:
    rows = [_mc("a1", "A", task_type="Action Sequence"), _mc("a2", "B", task_type="Action Sequence"),
            _mc("a3", "C", task_type="Action Sequence"), _mc("c1", "A", task_type="Moving Count")]
    preds = {"a1": "(A) a cup", "a2": "<answer>B</answer>", "a3": "(D)", "c1": "I think A"}
    table = _table(tmp_path, "mvbench", rows, preds)
    assert table["categories"]["task_type"] == {"Action Sequence": {"n": 3, "value": pytest.approx(2 / 3)},
                                                "Moving Count": {"n": 1, "value": 0.0}}
    assert (table["n"], table["overall"]) == (4, 0.5)  # micro: 2 of 4, not the mean of 2/3 and 0


# -- VSI-Bench: the first word; exact letter or MRA (<=); mean per type, direction types merged, macro overall --


@pytest.mark.parametrize(("response", "value"), [
    ("B", 1.0), ("b.", 1.0), ("B. right", 1.0), ("(B)", 0.0), ("The answer is B", 0.0)])
def test_vsibench_choice_is_the_first_word_equal_to_the_letter(response, value) -> None:
    assert vsibench_judge(response, {"task": "multiple_choice", "answer": "B", "options": ["l", "r"]}, {}) == value


@pytest.mark.parametrize(("response", "value"), [
    ("10", 1.0), ("10.5", 1.0),  # |10.5-10|/10 = 0.05 <= 1-0.95: the script's <= counts the boundary
    ("13", 0.5), ("13.0 meters", 0.5), ("15", 0.1), ("30", 0.0), ("about 13", 0.0), ("thirteen", 0.0)])
def test_vsibench_numbers_score_mra_of_the_first_word(response, value) -> None:
    assert vsibench_judge(response, {"task": "regression", "answer": "10"}, {}) == pytest.approx(value)


def test_vsibench_overall_is_the_mean_over_categories_with_direction_types_merged(tmp_path: Path) -> None:
    def mc(id, qtype, answer):
        return _mc(id, answer, ["l", "r"], question_type=qtype)
    rows = [mc("e", "object_rel_direction_easy", "A"), mc("m", "object_rel_direction_medium", "A"),
            mc("h1", "object_rel_direction_hard", "A"), mc("h2", "object_rel_direction_hard", "B"),
            mc("r", "route_planning", "B"),
            make_row("n", "regression", answer="10", meta=json.dumps(
                {"question_type": "room_size_estimation"}))]
    preds = {"e": "A", "m": "B", "h1": "A", "h2": "A", "r": "B", "n": "13"}
    table = _table(tmp_path, "vsibench", rows, preds)
    types = {k: v["value"] for k, v in table["categories"]["question_type"].items()}
    assert types == {"object_rel_direction_easy": 1.0, "object_rel_direction_medium": 0.0,
                     "object_rel_direction_hard": 0.5, "route_planning": 1.0, "room_size_estimation": 0.5}
    # direction = (1 + 0 + 0.5) / 3 = 0.5; overall = (0.5 + 1.0 + 0.5) / 3, not the micro 3.5 / 6
    assert table["overall"] == pytest.approx(2 / 3) and table["metric"] == "score"


def test_vsibench_overall_counts_an_absent_direction_type_as_zero_as_the_script_does(tmp_path: Path) -> None:
    rows = [_mc("e", "A", ["l", "r"], question_type="object_rel_direction_easy"),
            _mc("r", "B", ["l", "r"], question_type="route_planning")]
    table = _table(tmp_path, "vsibench", rows, {"e": "A", "r": "B"})
    # direction = (1 + 0 + 0) / 3: the script pops the missing medium and hard types as 0 and divides by 3
    assert table["overall"] == pytest.approx((1 / 3 + 1.0) / 2)


# -- LongVideoBench: first capital A-E after the prefixes; no letter = the random pick's expectation; micro ----


@pytest.mark.parametrize(("response", "value"), [
    ("E", 1.0), ("Best answer: E", 1.0),  # its prefix list is complete: "Best answer:" is removed
    ("The correct option is (E) the cup", 1.0), ("D. A book", 0.0), ("it is red", 0.2), ("", 0.2)])
def test_longvideobench_reads_the_first_letter_and_averages_a_random_pick(response, value) -> None:
    row = {"answer": "E", "options": ["a", "b", "c", "d", "e"]}
    assert longvideobench_judge(response, row, {}) == pytest.approx(value)


def test_longvideobench_table_is_per_duration_group_and_category(tmp_path: Path) -> None:
    rows = [_mc("a", "A", duration_group=15, question_category="S2E"),
            _mc("b", "B", duration_group=15, question_category="T3O"),
            _mc("c", "C", duration_group=3600, question_category="S2E")]
    preds = {"a": "A", "b": "C", "c": "no idea"}  # c: no letter, 1/4 in expectation
    table = _table(tmp_path, "longvideobench", rows, preds)
    assert table["categories"]["duration_group"] == {"15": {"n": 2, "value": 0.5}, "3600": {"n": 1, "value": 0.25}}
    assert table["categories"]["question_category"]["S2E"] == {"n": 2, "value": pytest.approx(0.625)}
    assert table["overall"] == pytest.approx(1.25 / 3)


# -- EgoSchema: an exact whole option, option text (with its final period) or letter; micro accuracy ---------


@pytest.mark.parametrize(("response", "index"), [
    ("B", 1), ("B. C cooks dinner.", 1), ("C cooks dinner.", 1),
    ("B.", -1),               # the rule compares the letter without its dot: "B." is no letter
    ("C cooks dinner", -1),   # the option text is matched with its final period
    ("The answer is B", -1)])
def test_egoschema_matches_whole_options_texts_or_letters_exactly(response, index) -> None:
    assert egoschema_choice(response, ["C eats.", "C cooks dinner", "C sleeps."]) == index


def test_egoschema_table_is_the_subset_accuracy(tmp_path: Path) -> None:
    rows = [_mc("a", "A"), _mc("b", "B"), _mc("c", "C"), _mc("d", "D")]
    table = _table(tmp_path, "egoschema", rows, {"a": "A", "b": "x.", "c": "C.", "d": "<answer>D</answer>"})
    assert (table["n"], table["overall"], table["categories"]) == (4, 0.75, {})  # "C." reads as no answer


# -- TempCompass: eval_<type>.py rules without the LLM fallback; per type, dimension and both; micro ----------


@pytest.mark.parametrize(("response", "value"), [
    ("B. right to left", 1.0), ("B", 1.0), ("B.", 1.0), ("B) right", 1.0), ("A. left", 0.0),
    ("(B)", 0.0), ("right to left", 0.0), ("The answer is B", 0.0)])
def test_tempcompass_multi_choice_rule(response, value) -> None:
    assert tempcompass_multi_choice(response, "B. right to left") == value


@pytest.mark.parametrize(("response", "value"), [("yes", 1.0), ("Yes.", 1.0), ("no", 0.0), ("It is yes", 0.0)])
def test_tempcompass_yes_no_rule(response, value) -> None:
    assert tempcompass_yes_no(response, "yes") == value


@pytest.mark.parametrize(("response", "value"), [
    ("Caption A: a cat jumps", 1.0), ("Caption A", 1.0), ("Caption A.", 1.0), ("a cat jumps", 1.0),
    ("(A) a cat jumps", 1.0), ("Caption B", 0.0), ("A", 0.0)])
def test_tempcompass_caption_matching_rule(response, value) -> None:
    question = "Which caption matches the video better?\nCaption A: a cat jumps\nCaption B: a dog runs"
    assert tempcompass_caption_matching(response, question, "Caption A: a cat jumps") == value


def test_tempcompass_table_crosses_task_type_and_dimension(tmp_path: Path) -> None:
    rows = [_mc("m1", "B", ["l", "r"], task_type="multi-choice", dimension="direction"),
            _mc("m2", "A", ["fast", "slow"], task_type="multi-choice", dimension="speed"),
            make_row("y1", "free_form", question="Is it fast?", answer="no",
                     meta=json.dumps({"task_type": "yes_no", "dimension": "speed"}))]
    table = _table(tmp_path, "tempcompass", rows, {"m1": "B. r", "m2": "B", "y1": "No, it is slow."})
    assert table["categories"]["task_type"] == {"multi-choice": {"n": 2, "value": 0.5}, "yes_no": {"n": 1, "value": 1.0}}
    assert table["categories"]["dimension"]["speed"] == {"n": 2, "value": 0.5}
    assert table["categories"]["task_type/dimension"]["multi-choice/direction"] == {"n": 1, "value": 1.0}
    assert table["overall"] == pytest.approx(2 / 3)
