"""One predictions reader: `vdata eval` and `vdata rewards score` accept and reject the same files, the same way."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.distill.helpers import ROWS, make_row, write_dataset
from vdata.cli import app
from vdata.errors import ConfigError
from vdata.predictions import read_predictions
from vdata.shards.reader import keyframe_sizes

runner = CliRunner()


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_text_is_read_under_response_first_then_the_other_keys(tmp_path):
    path = _write(tmp_path / "p.jsonl", [
        json.dumps({"id": "a", "response": "R", "completion": "C", "text": "T"}),
        "",
        "   ",
        json.dumps({"id": "b", "completion": "C"}),
        json.dumps({"id": "c", "prediction": "P", "task": "numeric"}),
        json.dumps({"id": "d", "output": "O"}),
        json.dumps({"id": "e", "text": "T"}),
    ])
    assert read_predictions(path) == {"a": "R", "b": "C", "c": "P", "d": "O", "e": "T"}


BAD = {
    "not_json": (['{"id": "a", "response": "x"}', "{oops"], r"p\.jsonl:2: not JSON"),
    "not_an_object": (['["a", "x"]'], r"p\.jsonl:1: expected a JSON object, got list"),
    "no_id": (['{"response": "x"}'], r"p\.jsonl:1: 'id' must be a string .*got no 'id'"),
    "int_id": (['{"id": 7, "response": "x"}'], r"p\.jsonl:1: 'id' must be a string .*got id 7 \(int\)"),
    "no_text": (['{"id": "a", "answer": "x"}'], r"p\.jsonl:1: no text; put the model's answer under one of"),
    "null_text": (['{"id": "a", "response": null}'], r"p\.jsonl:1: 'response' must be a string, got NoneType"),
    "duplicate": (
        ['{"id": "a", "response": "x"}', '{"id": "b", "response": "y"}', "", '{"id": "a", "completion": "z"}'],
        r"p\.jsonl:4: id 'a' is already on line 1",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_line_is_a_config_error_naming_the_line(tmp_path, case):
    lines, message = BAD[case]
    with pytest.raises(ConfigError, match=message):
        read_predictions(_write(tmp_path / "p.jsonl", lines))


def test_a_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.jsonl: cannot read the predictions file"):
        read_predictions(tmp_path / "nope.jsonl")


def _eval(data: Path, preds: Path):
    return runner.invoke(app, ["eval", "--data", str(data), "--predictions", str(preds), "--json"])


def _score(data: Path, preds: Path):
    return runner.invoke(app, ["rewards", "score", "-r", "accuracy", "--data", str(data), "--predictions",
                               str(preds), "--json"])


@pytest.mark.parametrize("case", sorted(BAD))
def test_eval_and_rewards_score_reject_the_same_file_with_the_same_line(tmp_path, case):
    data = write_dataset(tmp_path / "built", ROWS)
    lines, message = BAD[case]
    preds = _write(tmp_path / "p.jsonl", lines)
    outputs = []
    for result in (_eval(data, preds), _score(data, preds)):
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        outputs.append(" ".join(result.output.split()))  # the console may wrap a long line
    assert outputs[0] == outputs[1]
    assert re.search(message, outputs[0]), outputs[0]


def test_eval_and_rewards_score_accept_the_same_file(tmp_path):
    data = write_dataset(tmp_path / "built", ROWS)
    preds = _write(tmp_path / "p.jsonl", [
        json.dumps({"id": "mc1", "completion": "<answer>B</answer>"}),
        json.dumps({"id": "num1", "response": "<answer>3</answer>", "task": "numeric"}),
    ])
    evaluated, scored = _eval(data, preds), _score(data, preds)
    assert evaluated.exit_code == 0 and scored.exit_code == 0, (evaluated.output, scored.output)
    tasks = json.loads(evaluated.output)["tasks"]
    assert tasks["multiple_choice"]["metrics"]["accuracy"] == 0.5  # mc1 right, mc2 has no prediction
    assert tasks["numeric"]["metrics"]["accuracy"] == 1.0
    summary = json.loads(scored.output)["summary"]
    assert summary["multiple_choice"]["mean"] == 1.0 and summary["numeric"]["mean"] == 1.0


def test_keyframe_sizes_reads_only_the_wanted_rows_first_frame(tmp_path):
    rows = [make_row("a", "spatial_grounding"), make_row("b", "multiple_choice"), make_row("c", "tracking")]
    rows[2]["frames"] = []
    rows[2]["frame_timestamps_s"], rows[2]["frame_indices"] = [], []
    data = write_dataset(tmp_path / "built", rows)
    assert keyframe_sizes(data) == {"a": (64, 48), "b": (64, 48)}
    assert keyframe_sizes(data, tasks=["spatial_grounding", "tracking"]) == {"a": (64, 48)}
    assert keyframe_sizes(data, ids=["b", "zzz"]) == {"b": (64, 48)}
    assert keyframe_sizes(data, ids=[]) == {}
