"""Evaluation during training scores the model's greedy answers on held-out rows exactly as `vdata infer` then
`vdata eval` score them (one scoring definition), and logs them at the steps asked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.distill.helpers import write_dataset
from tests.train.conftest import cot_rows
from vdata.cli import app
from vdata.errors import ConfigError
from vdata.train import SFTConfig, train_sft


def test_eval_during_training_matches_vdata_eval_of_the_same_model(sft_run, tmp_path: Path):
    rows = cot_rows(6, cot="look")
    for row in rows[3:]:
        row["split"] = "test"
    data = write_dataset(tmp_path / "data", rows)
    config = SFTConfig(data=data, model=str(sft_run.final), out=tmp_path / "run", max_steps=2, batch_size=3,
                       lr=1e-9, num_workers=0, eval_split="test", eval_every=2, eval_max_new_tokens=32)
    records = train_sft(config).records
    assert "eval/multiple_choice/accuracy" not in records[0]
    logged = records[1]

    preds = tmp_path / "preds.jsonl"
    runner = CliRunner()
    done = runner.invoke(app, ["infer", "--data", str(data), "--model", str(tmp_path / "run" / "final"), "--engine",
                               "transformers", "--split", "test", "--max-new-tokens", "32", "--out", str(preds)])
    assert done.exit_code == 0, done.output
    report = runner.invoke(app, ["eval", "--data", str(data), "--predictions", str(preds), "--split", "test", "--json"])
    assert report.exit_code == 0, report.output
    stats = json.loads(report.stdout)["tasks"]["multiple_choice"]
    assert stats["n"] == 3 and stats["parse_failure_rate"] < 1  # the SFT model writes answers
    assert logged["eval/multiple_choice/accuracy"] == pytest.approx(stats["metrics"]["accuracy"])
    assert logged["eval/parse_failure_rate"] == pytest.approx(stats["parse_failure_rate"])


def test_eval_every_needs_an_eval_split():
    with pytest.raises(ConfigError, match="--eval-every 5 needs --eval-split"):
        SFTConfig(data="d", model="m", out="o", eval_every=5)
