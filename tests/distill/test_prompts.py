"""Prompts carry the stored keyframes and state their timestamps; every packaged template renders."""

from __future__ import annotations

import pytest

from tests.distill.helpers import ROWS, TIMES_S, make_row
from vdata.distill import parse_thresholds
from vdata.engines import Templates
from vdata.engines.prompts import format_seconds
from vdata.errors import ConfigError
from vdata.rewards.weights import parse_weights
from vdata.schemas import TASKS


def test_prompt_carries_the_stored_frames_and_their_times():
    prompt = Templates().prompt(ROWS[0])
    assert prompt.frames == tuple(f["bytes"] for f in ROWS[0]["frames"])
    assert prompt.timestamps_s == tuple(TIMES_S)
    assert prompt.frame_indices == (0, 10, 20, 30, 40, 50)
    assert "0.0s, 1.0s, 2.0s, 3.0s, 4.0s, 5.0s" in prompt.text
    assert "A. a car\nB. a bus\nC. a cat" in prompt.text
    assert prompt.sampling_fps == pytest.approx(1.0)
    assert [im.size for im in prompt.images()] == [(64, 48)] * 6


def test_every_task_has_a_template_asking_for_think_and_answer():
    templates = Templates()
    assert "<think>" in templates.texts["system"] and "<answer>" in templates.texts["system"]
    for task in TASKS:
        row = make_row("x", task, question="q", options=["a", "b"],
                       boxes=[{"timestamp_s": 1.0, "frame_index": 10, "x1": 1.0, "y1": 2.0, "x2": 30.0, "y2": 40.0,
                               "label": "box"}])
        text = templates.prompt(row).text
        assert "$" not in text and not text.startswith("#"), task
        if task not in ("free_form", "caption"):  # free text: the system prompt alone asks for <answer>
            assert "<answer>" in text, task


def test_tracking_prompt_states_the_first_box():
    row = make_row("t", "tracking", question="the box", boxes=[
        {"timestamp_s": 1.0, "frame_index": 10, "x1": 1.0, "y1": 2.0, "x2": 30.0, "y2": 40.0, "label": None}])
    assert "1.0s: [1, 2, 30, 40]" in Templates().prompt(row).text


def test_seconds_are_formatted_short():
    assert [format_seconds(t) for t in (0.0, 1.5, 2.25, 12.3456)] == ["0.0s", "1.5s", "2.25s", "12.35s"]


def parse_verify(spec: str) -> tuple[tuple[str, float], ...]:
    return parse_weights(spec, flag="--verify", positive=True)  # as `vdata distill --verify` parses it


def test_verify_and_threshold_specs_parse():
    assert parse_verify("accuracy") == (("accuracy", 1.0),)
    assert parse_verify("video-r1/accuracy:2, format") == (("video-r1/accuracy", 2.0), ("format", 1.0))
    assert parse_thresholds(["0.7", "tracking=0.3"]) == (0.7, {"tracking": 0.3})
    with pytest.raises(ConfigError, match="must be > 0"):
        parse_verify("accuracy:0")
    with pytest.raises(ConfigError, match="TASK=NUMBER"):
        parse_thresholds(["tracking=high"])


BOX = {"timestamp_s": 2.0, "frame_index": 20, "x1": 10.0, "y1": 12.0, "x2": 40.0, "y2": 36.0, "label": None}
BOX_LATER = {**BOX, "timestamp_s": 3.0, "frame_index": 30}
SPAN = [{"start_s": 2.0, "end_s": 3.0}]
# (task, gold labels, a perfect answer written the way the task's template asks)
ANSWERS = [
    ("multiple_choice", {"options": ["a", "b"], "answer": "B"}, "B"),
    ("numeric", {"answer": "3"}, "3"),
    ("regression", {"answer": "2.5"}, "2.5"),
    ("temporal_grounding", {"spans": SPAN}, "2.0 - 3.0"),
    ("grounded_qa", {"options": ["a", "b"], "answer": "B", "spans": SPAN}, "B, 2.0 - 3.0"),
    ("spatial_grounding", {"boxes": [BOX]}, "2.0s: [10, 12, 40, 36]"),
    ("spatiotemporal_grounding", {"boxes": [BOX, BOX_LATER], "spans": SPAN},
     "2.0 - 3.0; 2.0s: [10, 12, 40, 36]; 3.0s: [10, 12, 40, 36]"),
    ("tracking", {"boxes": [BOX, BOX_LATER]}, "2.0s: [10, 12, 40, 36]; 3.0s: [10, 12, 40, 36]"),
]


@pytest.mark.parametrize(("task", "labels", "answer"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_the_answer_format_each_template_asks_for_is_what_the_rewards_parse(task, labels, answer):
    from vdata import rewards

    row = make_row("x", task, question="q", **labels)
    completion = f"<think>at 2.0s it starts</think>\n<answer>{answer}</answer>"
    assert rewards.get("accuracy")(completion, row) == 1.0
    assert rewards.get("format")(completion, row) == 1.0


def test_a_template_with_subtitles_shows_the_rows_cues_the_with_subtitles_setting(tmp_path):
    from vdata.engines.config import template_overrides

    template = tmp_path / "mc_subs.txt"
    template.write_text("# with subtitles\nSubtitles:\n$subtitles\nQuestion: $question\n$options\n")
    templates = Templates(template_overrides([f"multiple_choice={template}"]))
    row = {**ROWS[0], "subtitles": [{"start_s": 0.5, "end_s": 2.0, "text": "Look at\nthe car"}]}
    assert templates.prompt(row).text.startswith("Subtitles:\n[0.5s-2.0s] Look at the car\nQuestion:")
    assert "Subtitles:\n\nQuestion:" in templates.prompt({**ROWS[0], "subtitles": None}).text
