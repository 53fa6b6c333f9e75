"""`vdata train sft --num-processes 2` (torch.distributed, gloo on CPU, DDP through accelerate) computes the same
losses as one process with the same global batch."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.distill.helpers import write_dataset
from tests.train.conftest import cot_rows
from vdata.cli import app
from vdata.errors import ConfigError
from vdata.train import GRPOConfig, SFTConfig, train_sft
from vdata.train.log import read_log

pytest.importorskip("accelerate")


def test_two_processes_compute_the_losses_of_one_with_the_same_global_batch(tiny_model: Path, tmp_path: Path):
    data = write_dataset(tmp_path / "data", cot_rows(4))  # a step of 4 rows is the whole epoch either way
    options = dict(data=data, model=str(tiny_model), max_steps=2, batch_size=4, lr=1e-2, num_workers=0)
    one = [r["loss"] for r in train_sft(SFTConfig(out=tmp_path / "one", **options)).records]
    flags = ["--data", str(data), "--model", str(tiny_model), "--out", str(tmp_path / "two"), "--max-steps", "2",
             "--batch-size", "4", "--lr", "1e-2", "--num-workers", "0", "--num-processes", "2"]
    result = CliRunner().invoke(app, ["train", "sft", *flags])
    assert result.exit_code == 0, result.output
    two = read_log(tmp_path / "two")
    assert [r["step"] for r in two] == [1, 2]  # rank 0 alone writes the log
    assert [r["loss"] for r in two] == pytest.approx(one, rel=1e-4)  # the second loss: after one DDP update
    assert (tmp_path / "two" / "final" / "model.safetensors").exists()


def test_grpo_refuses_several_processes():
    with pytest.raises(ConfigError, match="--num-processes > 1 is built for sft only"):
        GRPOConfig(data="d", model="m", out="o", num_processes=2)
