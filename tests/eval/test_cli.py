"""`vdata infer` then `vdata eval` through the command line (scripted engine)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.distill.helpers import ROWS, write_dataset, write_script
from vdata.cli import app

runner = CliRunner()


def test_infer_then_eval_with_breakdown_and_plot(tmp_path: Path):
    data = write_dataset(tmp_path / "built", ROWS)
    script = write_script(tmp_path / "s.json", {"mc1": ["<answer>B</answer>", "<answer>A</answer>",
                                                        "<answer>B</answer>"], "*": ["<answer>2 to 4</answer>"]})
    preds = tmp_path / "preds.jsonl"
    result = runner.invoke(app, ["infer", "--data", str(data), "--model", script, "--engine", "scripted",
                                 "--out", str(preds), "--n", "3", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["items"] == 4

    plot = tmp_path / "eval.png"
    result = runner.invoke(app, ["eval", "--data", str(data), "--predictions", str(preds), "--by", "origin",
                                 "--plot", str(plot), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["tasks"]["multiple_choice"]["metrics"]["accuracy"] == 0.5  # mc1 right, mc2 wrong
    assert summary["tasks"]["temporal_grounding"]["metrics"]["mIoU"] == 1.0
    assert set(summary["by"]["origin"]) == {"fixture"} and plot.stat().st_size > 0

    result = runner.invoke(app, ["eval", "--data", str(data), "--predictions", str(preds)])
    assert result.exit_code == 0 and "R1@0.5 100.0" in result.output


def test_eval_error_is_one_line(tmp_path: Path):
    data = write_dataset(tmp_path / "built", ROWS)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    result = runner.invoke(app, ["eval", "--data", str(data), "--predictions", str(bad)])
    assert result.exit_code == 1 and "bad.jsonl:1: not JSON" in result.output
