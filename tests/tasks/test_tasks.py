"""The task layer: every schema task declared once, and every stage reading the same rules from it."""

import json

import pytest

from vdata import rewards, tasks
from vdata.distill.verify import Verifier, output_rows
from vdata.errors import ConfigError
from vdata.eval.score import score as eval_score
from vdata.infer.strategies import Majority
from vdata.rewards.weights import parse_weights
from vdata.schemas import COLUMNS, TASKS
from vdata.tasks.base import Task, register
from vdata.train.data import answer_text, sft_target

SPAN = [{"start_s": 2.0, "end_s": 6.0}]
BOXES = [
    {"timestamp_s": 2.0, "frame_index": 60, "x1": 10.0, "y1": 20.0, "x2": 50.0, "y2": 60.0, "label": "dog"},
    {"timestamp_s": 4.0, "frame_index": 120, "x1": 30.0, "y1": 20.0, "x2": 70.0, "y2": 60.0, "label": "dog"},
]
BASE = {"width": 320, "height": 240, "duration_s": 10.0, "clip_start_s": 0.0, "frame_timestamps_s": [2.0, 4.0]}
#: One gold sample per task of schema v1.
GOLD = {
    "multiple_choice": {"answer": "B", "options": ["a cat", "a dog", "a bird"]},
    "numeric": {"answer": "3"},
    "regression": {"answer": "12.5"},
    "ocr": {"answer": "STOP HERE"},
    "free_form": {"answer": "a man rides a horse"},
    "caption": {"answer": "a red car drives past a tree"},
    "temporal_grounding": {"spans": SPAN},
    "grounded_qa": {"answer": "A", "options": ["he waves", "he sits"], "spans": SPAN},
    "spatial_grounding": {"boxes": BOXES[:1]},
    "spatiotemporal_grounding": {"boxes": BOXES, "spans": [{"start_s": 2.0, "end_s": 4.0}]},
    "tracking": {"boxes": BOXES},
}


def sample(task):
    return {**BASE, "task": task, **GOLD[task]}


def test_every_schema_task_is_declared_once():
    assert sorted(tasks.names()) == sorted(TASKS) == sorted(GOLD)


@pytest.mark.parametrize("name", sorted(GOLD))
def test_a_declaration_names_real_fields_rewards_and_metrics(name):
    task = tasks.get(name)
    assert set(task.gold_fields) <= set(COLUMNS)
    assert task.reward in rewards.names()
    assert task.metrics and task.headline_metric() in task.metrics
    assert set(task.curves) <= set(task.metrics)


@pytest.mark.parametrize("name", sorted(GOLD))
def test_the_sft_target_of_the_gold_is_what_the_reward_and_the_metric_call_correct(name):
    row = sample(name)
    target = tasks.get(name).target(row)
    assert target
    response = tasks.format_response("I watched it.", target)
    assert rewards.get("format")(response, row) == 1.0
    assert rewards.get("accuracy")(response, row) == pytest.approx(1.0)
    scored = eval_score(response, row)
    assert scored.values[tasks.get(name).headline_metric()] == pytest.approx(1.0)
    assert not scored.parse_failed
    assert tasks.get(name).parse(target, row) is not None


@pytest.mark.parametrize("name", sorted(GOLD))
def test_a_sample_without_gold_has_no_target_and_is_not_judged(name):
    row = {**BASE, "task": name}
    assert tasks.get(name).target(row) is None
    assert eval_score("<answer>B</answer>", row) is None
    assert rewards.get("accuracy")("<answer>B</answer>", row) is None


def test_the_sft_target_is_the_answer_the_verifier_judged():
    """Issue 12's example: the verifier reads the LAST answer block; the SFT target must train that answer."""
    row = {"id": "q1", "split": "train", "meta": None, **sample("multiple_choice")}
    response = "<think>look at 2s</think><answer>A</answer> wait, re-check. <answer>B</answer>"
    verifier = Verifier(parse_weights("format:1,accuracy:4", positive=True), 0.6, {})
    [candidate] = verifier.judge([response], row)
    assert candidate.passed and candidate.rewards["accuracy"] == 1.0
    [kept] = output_rows(row, [candidate], keep="best", keep_rejected=False, run={})
    assert answer_text(kept) == "B"
    assert sft_target(kept) == "<think>look at 2s</think>\n<answer>B</answer>"
    judged = rewards.explain("accuracy", response, row)
    assert judged.parsed == answer_text(kept)


def test_a_row_without_a_distilled_response_trains_on_the_gold():
    row = {**sample("grounded_qa"), "cot": "he waves at 3s", "meta": json.dumps({"source": "x"})}
    assert sft_target(row) == "<think>he waves at 3s</think>\n<answer>A, 2.00 - 6.00</answer>"


def test_votes_use_the_tasks_parser_and_comparison():
    row = sample("numeric")
    pick = Majority().select(["<answer>3</answer>", "<answer>three</answer>", "<answer>4</answer>"], row)
    assert pick.index == 0 and pick.votes == {"3": 2, "4": 1}
    spans = sample("temporal_grounding")
    pick = Majority().select(["<answer>2 to 6</answer>", "<answer>9 to 10</answer>", "<answer>2.5 to 6</answer>"], spans)
    assert pick.index in (0, 2)


def test_declaring_a_task_name_twice_is_an_error():
    with pytest.raises(ValueError, match="registered twice"):

        @register("numeric")
        class Another(Task):
            pass


def test_an_unknown_task_lists_the_known_ones():
    with pytest.raises(ConfigError, match="temporal_grounding"):
        tasks.get("temporal_grounding_v2")
