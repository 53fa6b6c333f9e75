"""Every registered reward: never raises on arbitrary text and samples, respects its range, pickles, and returns
None for samples it cannot judge. Plus the registry's errors and `score`."""

import pickle
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vdata import rewards
from vdata.errors import ConfigError
from vdata.schemas.v1 import TASKS

NAMES = rewards.names()

span = st.fixed_dictionaries({"start_s": st.floats(-10, 100), "end_s": st.floats(-10, 100)})
box = st.fixed_dictionaries(
    {
        "timestamp_s": st.one_of(st.none(), st.floats(0, 20)),
        "x1": st.floats(-5, 50),
        "y1": st.floats(-5, 50),
        "x2": st.floats(-5, 60),
        "y2": st.floats(-5, 60),
        "label": st.one_of(st.none(), st.text(max_size=5)),
    }
)
samples = st.fixed_dictionaries(
    {"task": st.sampled_from((*TASKS, "unknown"))},
    optional={
        "answer": st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["B", "3.5", "0", "1,000"])),
        "options": st.one_of(st.none(), st.lists(st.text(max_size=10), max_size=5)),
        "spans": st.one_of(
            st.none(),
            st.lists(span, max_size=3),
            # the jsonl form, [[start_s, end_s], ...], with bad entries too
            st.lists(st.lists(st.one_of(st.floats(), st.text(max_size=3)), max_size=3), max_size=3),
            st.text(max_size=20),  # JSON text (or not)
        ),
        "boxes": st.one_of(st.none(), st.lists(box, max_size=3), st.text(max_size=20)),
        "duration_s": st.one_of(st.none(), st.floats(0, 120)),
        "width": st.one_of(st.none(), st.integers(0, 1920)),
        "height": st.one_of(st.none(), st.integers(0, 1080)),
        "frame_timestamps_s": st.lists(st.floats(0, 20), max_size=5),
        "clip_start_s": st.floats(0, 10),
        "frame_width": st.integers(1, 640),
        "frame_height": st.integers(1, 480),
        "completion_tokens": st.integers(0, 10000),
    },
)
pieces = st.sampled_from(
    [
        "<answer>",
        "</answer>",
        "<think>",
        "</think>",
        "[",
        "]",
        "{",
        "}",
        ",",
        " to ",
        "-",
        ":",
        "1",
        "2.5",
        "s",
        "B",
        "(",
        ")",
        '"start":',
        "0.5",
        " ",
        "\n",
        "%",
        "e9",
        "1:02:03",
        "[1, 2, 3, 4]",
    ]
)
completions = st.one_of(st.text(max_size=200), st.lists(pieces, max_size=40).map("".join))


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(completion=completions, sample=samples)
def test_reward_never_raises_and_stays_in_range(name, completion, sample):
    fn = rewards.get(name)
    value = fn(completion, sample)
    if value is not None:
        lo, hi = fn.value_range
        assert lo - 1e-9 <= value <= hi + 1e-9, (name, value)


@pytest.mark.parametrize("name", NAMES)
def test_reward_pickles_and_keeps_its_name(name):
    fn = rewards.get(name)
    clone = pickle.loads(pickle.dumps(fn))
    assert clone == fn
    assert clone.__name__ == name


@pytest.mark.parametrize("name", [n for n in NAMES if rewards.get(n).tasks])
def test_reward_is_none_for_a_task_it_does_not_judge(name):
    other = next(t for t in TASKS if t not in rewards.get(name).tasks)
    assert rewards.get(name)("<think>x</think><answer>B</answer>", {"task": other, "answer": "B"}) is None


@pytest.mark.parametrize("name", [n for n in NAMES if rewards.get(n).tasks])
def test_reward_is_none_without_gold(name):
    task = rewards.get(name).tasks[0]
    assert rewards.get(name)("<answer>B</answer>", {"task": task}) is None


@pytest.mark.parametrize("name", NAMES)
def test_reward_does_not_hang_on_long_adversarial_text(name):
    sample = {
        "task": (rewards.get(name).tasks or ("free_form",))[0],
        "answer": "B",
        "options": ["x", "y"],
        "spans": [{"start_s": 1.0, "end_s": 2.0}],
        "duration_s": 10.0,
        "width": 10,
        "height": 10,
        "boxes": [{"timestamp_s": 0.0, "x1": 0.0, "y1": 0.0, "x2": 5.0, "y2": 5.0}],
    }
    for body in (
        "1" + " " * 8000 + "x",
        "1." * 4000,
        "[" * 4000,
        "<answer>" * 3000,
        "1 to " * 1600,
        "a " * 4000,
    ):
        rewards.get(name)(f"<answer>{body}</answer>", sample)


def test_unknown_reward_lists_the_known_ones():
    with pytest.raises(ConfigError, match="temporal_iou"):
        rewards.get("temporal_iuo")


def test_unknown_option_is_a_config_error():
    with pytest.raises(ConfigError, match="coord_space"):
        rewards.get("box_iou", coord_sapce="norm1")


def test_bad_option_value_says_the_rule_and_value():
    with pytest.raises(ConfigError, match="'norm2'"):
        rewards.get("box_iou", coord_space="norm2")


def test_score_judges_each_sample_by_its_own_task():
    samples = [
        {"task": "multiple_choice", "answer": "B", "options": ["x", "y"]},
        {"task": "numeric", "answer": "3"},
    ]
    assert rewards.score(["accuracy"], ["<answer>B</answer>", "<answer>3.0</answer>"], samples) == [1.0, 1.0]


def test_score_weights_and_counts_none_as_zero():
    sample = {"task": "numeric", "answer": "3"}
    out = rewards.score(
        ["format", "accuracy", "temporal_iou"],
        ["<think>t</think><answer>3</answer>"],
        [sample],
        weights=[0.5, 2.0, 9.0],
    )
    assert out == [2.5]


def test_score_rejects_mismatched_weights():
    with pytest.raises(ConfigError, match="weights"):
        rewards.score(["format"], ["x"], [{}], weights=[1.0, 2.0])


def test_explain_gives_components_parsed_answer_and_error():
    sample = {"task": "temporal_grounding", "spans": [{"start_s": 10.0, "end_s": 20.0}], "duration_s": 30.0}
    ok = rewards.explain("temporal_iou", "<answer>10 to 20</answer>", sample)
    assert (ok.value, ok.parsed, ok.error) == (1.0, [(10.0, 20.0)], None)
    bad = rewards.explain("temporal_iou", "<answer>soon</answer>", sample)
    assert bad.value == 0.0 and "no time span" in bad.error


def test_import_loads_no_heavy_library():
    code = (
        "import sys, vdata.rewards; "
        "bad = [m for m in ('torch', 'transformers', 'av', 'cv2', 'decord', 'fastapi', 'uvicorn', 'numpy', "
        "'PIL', 'rouge_score', 'jiwer') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
