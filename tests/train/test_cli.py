"""`vdata train sft|grpo`: flags from the config dataclasses, valid JSON, and docs that match the flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vdata.cli import app

runner = CliRunner()


def test_grpo_json_is_valid_json_with_null_for_nan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import vdata.train
    from vdata.train.sft import TrainResult

    def train_grpo(config, on_step=None):  # every group has zero variance: NaN statistics
        record = {"step": 1, "reward": 1.0, "reward_std": float("nan"), "kl": float("inf"), "loss": 0.0}
        return TrainResult(config.out, config.out / "final", 1, [record])

    monkeypatch.setattr(vdata.train, "train_grpo", train_grpo)
    result = runner.invoke(app, ["train", "grpo", "--data", str(tmp_path), "--model", "m", "--out",
                                 str(tmp_path / "run"), "--json"])
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    report = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert report["last"] == {"step": 1, "reward": 1.0, "reward_std": None, "kl": None, "loss": 0.0}
