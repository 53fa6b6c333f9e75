"""`vdata train sft|grpo --num-processes 2 --fsdp` (FSDP2 on CPU with gloo): each process holds half of every
block's weights, yet the run computes the losses, gradient norms (clipped over both processes' shards), evaluation
and final weights of one process with the same global batch; checkpoints and the final model are whole, loadable
with `from_pretrained`, and a run resumes from them exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.distill.helpers import make_row, write_dataset
from tests.train.conftest import cot_rows
from vdata.cli import app
from vdata.errors import ConfigError
from vdata.train import GRPOConfig, SFTConfig, train_grpo, train_sft
from vdata.train.log import read_log

pytest.importorskip("accelerate")


def test_fsdp_on_two_processes_trains_as_one_process_with_the_same_global_batch(sft_run, tmp_path: Path):
    from safetensors.torch import load_file
    from transformers import AutoModelForImageTextToText

    # rows of ~380 tokens pack two to a micro-batch of 800 tokens, the long one alone: one process packs 2, the
    # other 1, and splits its pair so that both run 2 forward passes (a sharded forward gathers from both)
    long = make_row("long", "multiple_choice", question="What moves?", options=["a car", "a bus", "a cat"],
                    answer="A", cot="the red box moves to the left and then up " * 12)
    held_out = cot_rows(3, cot="look")
    for row in held_out:
        row["id"], row["split"] = f"test-{row['id']}", "test"
    data = write_dataset(tmp_path / "data", [*cot_rows(3), long, *held_out])
    tiny_model = sft_run.final  # the SFT warm start writes answers: evaluation has something to score
    options = dict(data=data, model=str(tiny_model), max_steps=2, batch_size=4, lr=1e-3, num_workers=0,
                   max_tokens_per_batch=800, max_grad_norm=0.5, eval_split="test", eval_every=1, eval_rows=3,
                   eval_max_new_tokens=24)
    one = train_sft(SFTConfig(out=tmp_path / "one", **options)).records
    flags = ["--data", str(data), "--model", str(tiny_model), "--out", str(tmp_path / "two"), "--max-steps", "2",
             "--batch-size", "4", "--lr", "1e-3", "--num-workers", "0", "--max-tokens-per-batch", "800",
             "--max-grad-norm", "0.5", "--eval-split", "test", "--eval-every", "1", "--eval-rows", "3",
             "--eval-max-new-tokens", "24", "--num-processes", "2", "--fsdp"]
    result = CliRunner().invoke(app, ["train", "sft", *flags, "--save-every", "1"])
    assert result.exit_code == 0, result.output
    two = read_log(tmp_path / "two")
    assert [r["micro_batches"] for r in two] == [4, 4]  # 2 + 2 over the processes (one process: 3)
    # rank 0 evaluates alone on the gathered weights: the same greedy answers as one process
    evals = [[(k, v) for k, v in r.items() if k.startswith("eval/")] for r in (*one, *two)]
    assert one[0]["eval/parse_failure_rate"] < 1 and evals[:2] == evals[2:]
    assert all(r["grad_norm"] > 0.5 for r in one)  # the clip acts on every step
    assert [r["grad_norm"] for r in two] == pytest.approx([r["grad_norm"] for r in one], rel=1e-4)
    assert [r["loss"] for r in two] == pytest.approx([r["loss"] for r in one], rel=1e-4)  # step 2: after a clipped update
    # the final model is whole (every tensor at full shape), loads as any model, and has one process's weights
    final = tmp_path / "two" / "final"
    AutoModelForImageTextToText.from_pretrained(final)
    start, expected, got = (load_file(p / "model.safetensors") for p in (tiny_model, tmp_path / "one" / "final", final))
    assert {k: v.shape for k, v in got.items()} == {k: v.shape for k, v in start.items()}
    for key, value in expected.items():
        assert got[key].numpy() == pytest.approx(value.numpy(), abs=1e-4), key
    assert any(not (start[k] == got[k]).all() for k in start)
    # checkpoint-1 holds the whole weights and AdamW state: resumed from it, step 2 and the final weights are the
    # uninterrupted run's
    checkpoint = tmp_path / "two" / "checkpoint-1"
    AutoModelForImageTextToText.from_pretrained(checkpoint)
    flags[flags.index("--out") + 1] = str(tmp_path / "resumed")
    result = CliRunner().invoke(app, ["train", "sft", *flags, "--resume", str(checkpoint)])
    assert result.exit_code == 0, result.output
    untimed = lambda records: [{k: v for k, v in r.items() if k not in ("step_s", "tokens_per_s")} for r in records]  # noqa: E731
    assert untimed(read_log(tmp_path / "resumed")) == untimed(two[1:])
    resumed = load_file(tmp_path / "resumed" / "final" / "model.safetensors")
    assert all((resumed[k] == got[k]).all() for k in got)


def test_fsdp_lora_on_two_processes_trains_and_merges_as_one_process(tiny_model: Path, tmp_path: Path):
    from safetensors.torch import load_file

    data = write_dataset(tmp_path / "data", cot_rows(4))
    options = dict(data=data, model=str(tiny_model), max_steps=2, batch_size=4, lr=1e-2, num_workers=0, lora_r=4)
    one = train_sft(SFTConfig(out=tmp_path / "one", **options)).records
    flags = ["--data", str(data), "--model", str(tiny_model), "--out", str(tmp_path / "two"), "--max-steps", "2",
             "--batch-size", "4", "--lr", "1e-2", "--num-workers", "0", "--lora-r", "4", "--num-processes", "2",
             "--fsdp"]
    result = CliRunner().invoke(app, ["train", "sft", *flags])
    assert result.exit_code == 0, result.output
    assert [r["loss"] for r in read_log(tmp_path / "two")] == pytest.approx([r["loss"] for r in one], rel=1e-4)
    # final/ is merged from the gathered adapter and base weights (a whole copy on rank 0): one process's weights
    start, expected, got = (load_file(p / "model.safetensors") for p in (tiny_model, tmp_path / "one" / "final",
                                                                          tmp_path / "two" / "final"))
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key].numpy() == pytest.approx(value.numpy(), abs=1e-5), key
    assert sum(not (start[k] == got[k]).all() for k in start) == 8  # q, k, v, o of both decoder layers


def test_fsdp_grpo_on_two_processes_computes_the_losses_and_weights_of_one_process(tiny_model: Path, tmp_path: Path):
    from tests.train.test_grpo_distributed import SAME, launch, weights

    # the scripted completions of test_grpo_distributed (the same wherever a prompt is rolled out); q0's group is
    # flat and dropped, so its process keeps 4 completions (1 micro-batch of 1800 tokens), the other 8 (2): the
    # first runs its missing forward and backward passes on a spare completion with its loss x 0
    data = write_dataset(tmp_path / "data", cot_rows(4))
    options = dict(data=data, model=str(tiny_model), max_steps=1, batch_size=4, num_generations=4, max_new_tokens=32,
                   lr=1e-2, beta=0.04, mu=2, loss_type="dapo", rewards="accuracy", num_workers=0,
                   rollout_engine="scripted", max_tokens_per_batch=1800)  # mu = 2: the logged loss is after an update
    one = train_grpo(GRPOConfig(out=tmp_path / "one", **options)).records
    result = launch(GRPOConfig(out=tmp_path / "two", num_processes=2, fsdp=True, **options))
    assert result.returncode == 0, result.stderr[-3000:]
    two = read_log(tmp_path / "two")
    assert one[0]["zero_variance_groups"] == 1
    assert [r["micro_batches"] for r in two] == [3]  # 2 + 1 over the processes: one runs a spare pass
    for a, b in zip(one, two, strict=True):
        for key in SAME:
            assert b[key] == pytest.approx(a[key], rel=1e-4, abs=1e-7), (a["step"], key)
    start, w1, w2 = weights(tiny_model), weights(tmp_path / "one" / "final"), weights(tmp_path / "two" / "final")
    for key in start:
        assert w2[key].numpy() == pytest.approx(w1[key].numpy(), abs=1e-4), key
    assert any(not (start[k] == w2[k]).all() for k in start)


def test_fsdp_grpo_samples_each_processes_rollouts_alone_on_the_whole_weights(sft_run, tmp_path: Path):
    from safetensors.torch import load_file

    # real sampling from the SFT warm start with DAPO's dynamic sampling: the processes generate different numbers
    # of tokens and of rounds, each alone (a sharded forward would wait for the other process)
    data = write_dataset(tmp_path / "data", cot_rows(8, answer="B", cot="look"))
    flags = ["--data", str(data), "--model", str(sft_run.final), "--out", str(tmp_path / "run"), "--max-steps", "2",
             "--batch-size", "2", "--num-generations", "4", "--max-new-tokens", "32", "--lr", "1e-3", "--beta", "0",
             "--rewards", "accuracy", "--dynamic-sampling-rounds", "3", "--num-workers", "0", "--num-processes",
             "2", "--fsdp"]
    result = CliRunner().invoke(app, ["train", "grpo", *flags])
    assert result.exit_code == 0, result.output
    log = read_log(tmp_path / "run")
    assert [r["step"] for r in log] == [1, 2] and any(r["loss"] is not None for r in log)
    start, end = load_file(sft_run.final / "model.safetensors"), load_file(tmp_path / "run" / "final" / "model.safetensors")
    assert start.keys() == end.keys() and any(not (start[k] == end[k]).all() for k in start)


def test_a_checkpoint_resumes_only_with_the_fsdp_it_was_written_with(tmp_path: Path):
    from vdata.train.config import write_config
    from vdata.train.distributed import check_resume

    write_config(SFTConfig(data="d", model="m", out="o", fsdp=True), tmp_path)
    check_resume(tmp_path, fsdp=True)
    with pytest.raises(ConfigError, match="the checkpoint was written with --fsdp and cannot continue without it"):
        check_resume(tmp_path, fsdp=False)


def test_fsdp_refuses_vllm_rollouts_accelerates_fsdp_and_a_single_process(tiny_model: Path, tmp_path: Path, monkeypatch):
    from vdata.train.distributed import accelerator

    with pytest.raises(ConfigError, match="--fsdp with --rollout-engine vllm: its weight sync would read one"):
        GRPOConfig(data="d", model="m", out="o", fsdp=True, rollout_engine="vllm")
    with monkeypatch.context() as env:  # what `accelerate launch --use_fsdp --num_processes 2` sets
        env.setenv("WORLD_SIZE", "2")
        env.setenv("ACCELERATE_USE_FSDP", "true")
        with pytest.raises(ConfigError, match="accelerate's FSDP options are not read: vdata shards the model itself"):
            accelerator("cpu")
    data = write_dataset(tmp_path / "data", cot_rows(2))
    with pytest.raises(ConfigError, match="--fsdp shards the model over several processes: add --num-processes"):
        train_sft(SFTConfig(data=data, model=str(tiny_model), out=tmp_path / "run", fsdp=True, num_workers=0))
