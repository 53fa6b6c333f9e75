"""`vdata train sft --num-processes 2` (torch.distributed, gloo on CPU, through accelerate): SFT computes the same
losses as one process with the same global batch. GRPO on several processes: tests/train/test_grpo_distributed.py."""

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
    """Packed micro-batches of unequal count per process too; the second loss is after one DDP update."""
    from tests.distill.helpers import make_row

    # rows of ~380 tokens pack two to a batch of 800; the long one goes alone: the process holding it runs two
    # micro-batches, the other one (DDP must sync once per step, not per backward, or the processes hang)
    long = make_row("long", "multiple_choice", question="What moves?", options=["a car", "a bus", "a cat"],
                    answer="A", cot="the red box moves to the left and then up " * 12)
    data = write_dataset(tmp_path / "data", [*cot_rows(3), long])
    options = dict(data=data, model=str(tiny_model), max_steps=2, batch_size=4, lr=1e-2, num_workers=0)
    one = [r["loss"] for r in train_sft(SFTConfig(out=tmp_path / "one", **options)).records]
    flags = ["--data", str(data), "--model", str(tiny_model), "--out", str(tmp_path / "two"), "--max-steps", "2",
             "--batch-size", "4", "--lr", "1e-2", "--num-workers", "0", "--num-processes", "2",
             "--max-tokens-per-batch", "800"]
    result = CliRunner().invoke(app, ["train", "sft", *flags])
    assert result.exit_code == 0, result.output
    two = read_log(tmp_path / "two")
    assert [r["step"] for r in two] == [1, 2]  # rank 0 alone writes the log
    assert [r["micro_batches"] for r in two] == [3, 3]  # 2 + 1 over the processes
    assert [r["loss"] for r in two] == pytest.approx(one, rel=1e-4)
    assert (tmp_path / "two" / "final" / "model.safetensors").exists()


def test_the_global_batch_must_split_over_the_processes():
    with pytest.raises(ConfigError, match="--batch-size must be a multiple of --num-processes, got 3 and 2"):
        GRPOConfig(data="d", model="m", out="o", batch_size=3, num_processes=2)


@pytest.mark.parametrize(("code", "status", "stderr"), [(None, 0, ""), (0, 0, ""), (3, 3, ""), ("boom", 1, "boom\n")])
def test_a_launched_process_leaves_with_its_commands_status_and_flushed_output(code, status, stderr):
    """`distributed.leave` (the end of each process of a launch): the status SystemExit would give, and what was
    printed (buffered, not yet flushed) still comes out, though the interpreter's teardown is skipped."""
    import subprocess
    import sys

    script = f"import sys; from vdata.train.distributed import leave; sys.stdout.write('done'); leave({code!r})"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (status, "done", stderr)
