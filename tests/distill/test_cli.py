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
