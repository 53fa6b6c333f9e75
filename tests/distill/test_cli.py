"""`vdata distill` parses its options into a `DistillConfig`, runs, and reports pass rates."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.distill.helpers import think, write_script
from vdata.cli import app
from vdata.shards import read_manifest


def test_cli_distill_runs_and_reports_json(tmp_path, dataset):
    teacher = write_script(tmp_path / "s.json", {"*": [think("B"), think("3")]})
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "distill", str(dataset), "--teacher", teacher, "--engine", "scripted", "--out", str(out), "--samples", "2",
        "--threshold", "0.5", "--threshold", "numeric=0.99", "--tasks", "multiple_choice,numeric", "--json",
    ])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["per_task"] == {"multiple_choice": {"items": 2, "passed": 1}, "numeric": {"items": 1, "passed": 1}}
    distill_info = read_manifest(out)["distill"]
    assert distill_info["threshold"] == 0.5 and distill_info["task_thresholds"] == {"numeric": 0.99}


def test_cli_distill_bad_option_is_one_line_and_exit_1(tmp_path, dataset):
    result = CliRunner().invoke(app, ["distill", str(dataset), "--teacher", "x", "--out", str(tmp_path / "o"),
                                      "--keep", "some"])
    assert result.exit_code == 1
    assert "--keep must be one of best, all" in result.output


def test_cli_distill_with_no_item_passing_is_exit_1_with_the_pass_rate_table_and_a_hint(tmp_path, dataset):
    teacher = write_script(tmp_path / "s.json", {"*": ["no think tags, no answer"]})
    out = tmp_path / "out"
    args = ["distill", str(dataset), "--teacher", teacher, "--engine", "scripted", "--out", str(out),
            "--tasks", "multiple_choice"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "pass rate by task" in result.stdout and "multiple_choice" in result.stdout and "0%" in result.stdout
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]  # the bar aside
    assert line.startswith("error: no item passed the verifier (2 items") and "lower --threshold" in line
    again = CliRunner().invoke(app, [*args, "--json"])  # the finished run: still exit 1, the JSON still valid
    assert again.exit_code == 1
    assert json.loads(again.stdout)["passed"] == 0
