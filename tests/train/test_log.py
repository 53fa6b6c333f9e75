"""Step logs: TensorBoard event files and an offline Weights & Biases run hold the step scalars (both read back with
their own readers); progress line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vdata.train.log import StepLog, progress_line, read_log, step_seconds


def wandb_history(run_file: Path) -> dict[int, dict[str, float]]:
    """The `train/...` scalars of each step of an offline wandb run, as `wandb leet inspect --json` reads them
    from its `.wandb` transaction log (wandb 0.31 has no Python reader of that file)."""
    out = subprocess.run([sys.executable, "-m", "wandb", "leet", "inspect", "--json", str(run_file)],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {
        r["history"]["step"]["num"]: {k: v for k, v in r["history"]["item"].items() if k.startswith("train/")}
        for r in records
        if r["type"] == "history"
    }


def test_tensorboard_and_wandb_get_every_numeric_field_of_each_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip("torch")
    pytest.importorskip("tensorboard")
    pytest.importorskip("wandb")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    log = StepLog(tmp_path, reporters=["jsonl", "tensorboard", "wandb"], config={"lr": 0.1})
    log.write({"step": 1, "loss": 2.5, "reward/accuracy": 0.25, "kl": float("nan"), "gpu_mem_gb": None})
    log.write({"step": 2, "loss": 1.5, "reward/accuracy": 0.75, "kl": 0.01, "gpu_mem_gb": None})
    log.close()

    events = EventAccumulator(str(tmp_path / "tensorboard"))
    events.Reload()
    scalars = {tag: [(e.step, e.value) for e in events.Scalars(tag)] for tag in events.Tags()["scalars"]}
    assert scalars["train/loss"] == [(1, 2.5), (2, 1.5)]
    assert scalars["train/reward/accuracy"] == [(1, 0.25), (2, 0.75)]
    assert [s for s, _ in scalars["train/kl"]] == [2]  # a NaN is not a scalar
    assert "train/gpu_mem_gb" not in scalars
    runs = list((tmp_path / "wandb").glob("offline-run-*/run-*.wandb"))
    assert len(runs) == 1
    history = wandb_history(runs[0])  # read back by wandb's own reader of the offline run's records
    assert history == {
        1: {"train/loss": 2.5, "train/reward/accuracy": 0.25},
        2: {"train/loss": 1.5, "train/reward/accuracy": 0.75, "train/kl": 0.01},
    }
    assert [r["loss"] for r in read_log(tmp_path)] == [2.5, 1.5] and read_log(tmp_path)[0]["kl"] is None


def test_progress_line_gives_step_of_total_and_eta():
    assert progress_line(50, 200, 2.0) == "step 50 of 200 (25%), 2.00 s/step, ETA 0:05:00"
    assert progress_line(1, 1, 3.0).endswith("ETA 0:00:00")


def test_the_eta_leaves_out_the_model_loading_once_two_steps_are_done():
    # 40 s of loading, then steps of 2 s: after the first step the rate includes the loading, after that not
    assert step_seconds(0.0, [42.0]) == 42.0
    assert progress_line(3, 100, step_seconds(0.0, [42.0, 44.0, 46.0])).endswith("2.00 s/step, ETA 0:03:14")
