"""GRPO on 2 processes (torch.distributed, gloo on CPU) against 1 process with the same global batch.

Rollouts are sampled, so to compare the processes' arithmetic the completions are scripted: the `scripted` rollout
engine (registered here through `vdata.engines.policy`'s registry, `--rollout-engine scripted`) returns for each
prompt the same completions wherever it is rolled out (which process, which position in the batch). Everything
else is the real loop: the real prompt encoding, rewards on the scripted texts, log-probabilities, loss, KL,
clipping and AdamW. The 2-process launch runs this file as each rank's entry point (`__main__` below): it registers
the engine, then runs `python -m vdata.train`'s command line.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.distill.helpers import write_dataset
from tests.train.conftest import cot_rows
from vdata.engines.policy import PolicyEngine, Rollouts, pad_completions, policy_engine_names, register_policy
from vdata.train import GRPOConfig, train_grpo
from vdata.train.config import write_config
from vdata.train.log import read_log

ROOT = Path(__file__).resolve().parents[2]

#: row id (answer "ABC"[i % 3]) -> its G = 4 completions as (answer, words of thinking, ends with eos). q0's
#: answers are all wrong: a zero-variance group, dropped, on whichever process draws it; lengths differ, and some
#: completions are cut (no eos), so every normaliser (sequences, tokens) is exercised.
SCRIPT = {
    "q0": [("B", 1, True), ("C", 3, True), ("B", 2, False), ("C", 1, True)],
    "q1": [("B", 2, True), ("A", 1, True), ("B", 5, False), ("C", 3, True)],
    "q2": [("C", 1, True), ("C", 4, True), ("A", 2, True), ("B", 6, False)],
    "q3": [("A", 3, False), ("B", 1, True), ("C", 2, True), ("A", 1, True)],
}


class ScriptedPolicy(PolicyEngine):
    """`SCRIPT`'s completions of each prompt's row (the first `n`), whatever the weights (`sync_weights` is a
    no-op); a completion without eos is `max_new_tokens` long, as a sampled one cut at the limit."""

    name = "scripted"

    def rollouts(self, prompts, images, n, sampling) -> Rollouts:
        tokenizer = self.processor.tokenizer
        completions = []
        for prompt in prompts:
            for letter, words, ends in SCRIPT[prompt.id][:n]:
                text = f"<think>{' '.join(['look'] * words)}</think><answer>{letter}</answer>"
                ids = tokenizer(text, add_special_tokens=False)["input_ids"]
                # as `generate` does: one ends with eos, or is cut at max_new_tokens (here the text repeated)
                cut = (ids * sampling.max_new_tokens)[: sampling.max_new_tokens]
                completions.append([*ids, self.eos] if ends else cut)
        ids = pad_completions(completions, self.pad).to(self.device)  # [B * n, T]
        return Rollouts(self.encode(prompts, images), ids, tokenizer.batch_decode(ids, skip_special_tokens=True))

    def sync_weights(self, model) -> None:
        pass


if "scripted" not in policy_engine_names():
    register_policy("scripted")(ScriptedPolicy)


def launch(config: GRPOConfig) -> subprocess.CompletedProcess:
    """`config` trained by 2 processes, each running this file's `__main__` (the scripted engine registered)."""
    path = write_config(config, config.out)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", __file__,
               "grpo", "--config", str(path), "--json"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def weights(path: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(path / "model.safetensors")


# the per-step fields that are global statistics, equal whatever the number of processes
SAME = ("loss", "reward", "reward_std", "reward/accuracy", "zero_variance_groups", "zero_variance_share",
        "completion_len", "completion_len_max", "truncated_share", "kl", "clip_ratio", "clip_ratio/low",
        "clip_ratio/high", "lr", "grad_norm")


def test_two_processes_compute_the_losses_and_weights_of_one_with_the_same_global_batch(tiny_model: Path, tmp_path: Path):
    pytest.importorskip("accelerate")
    data = write_dataset(tmp_path / "data", cot_rows(4))  # a step of 4 prompts is the whole epoch either way
    options = dict(data=data, model=str(tiny_model), max_steps=2, batch_size=4, num_generations=4, max_new_tokens=32,
                   lr=1e-2, beta=0.04, mu=2, loss_type="dapo", rewards="accuracy", num_workers=0,
                   rollout_engine="scripted")
    one = train_grpo(GRPOConfig(out=tmp_path / "one", **options)).records
    result = launch(GRPOConfig(out=tmp_path / "two", num_processes=2, **options))
    assert result.returncode == 0, result.stderr[-3000:]
    two = read_log(tmp_path / "two")
    assert [r["step"] for r in two] == [1, 2]
    assert one[0]["zero_variance_groups"] == 1 and one[0]["kl"] > 0  # the second of mu = 2 updates has moved
    for a, b in zip(one, two, strict=True):
        for key in SAME:
            assert b[key] == pytest.approx(a[key], rel=1e-4, abs=1e-7), (a["step"], key)
        assert a["micro_batches"] == 1 and b["micro_batches"] == 2  # one per process
        assert "gpu_mem_gb" in a and "gpu_mem_gb" in b and a["tokens_per_s"] > 0 and b["tokens_per_s"] > 0
    start, w1, w2 = weights(tiny_model), weights(tmp_path / "one" / "final"), weights(tmp_path / "two" / "final")
    norm = lambda d: math.sqrt(sum(float((v.double() ** 2).sum()) for v in d.values()))  # noqa: E731
    moved = norm({k: w1[k] - start[k] for k in start})
    apart = norm({k: w1[k] - w2[k] for k in start})
    assert moved > 0.1 and apart < 5e-4 * moved, (moved, apart)  # measured 6e-6 (5e-5 with --loss-type grpo)


def test_two_processes_resumed_from_a_checkpoint_compute_the_uninterrupted_runs_next_step(sft_run, tmp_path: Path):
    # real sampling from the SFT warm start (answers A, B or C), each rank from its own seed: the resumed ranks
    # must restore their own generators (and stream positions) to sample the same rollouts again
    from typer.testing import CliRunner

    from vdata.cli import app

    pytest.importorskip("accelerate")
    data = write_dataset(tmp_path / "data", cot_rows(4, answer="B", cot="look"))
    flags = ["--data", str(data), "--model", str(sft_run.final), "--max-steps", "2", "--save-every", "1",
             "--batch-size", "2", "--num-generations", "4", "--max-new-tokens", "24", "--lr", "1e-3", "--beta", "0.04",
             "--rewards", "accuracy", "--num-workers", "0", "--num-processes", "2"]
    straight = CliRunner().invoke(app, ["train", "grpo", *flags, "--out", str(tmp_path / "a")])
    assert straight.exit_code == 0, straight.output
    resumed = CliRunner().invoke(app, ["train", "grpo", *flags, "--out", str(tmp_path / "b"),
                                       "--resume", str(tmp_path / "a" / "checkpoint-1")])
    assert resumed.exit_code == 0, resumed.output
    a, b = read_log(tmp_path / "a"), read_log(tmp_path / "b")
    assert [r["step"] for r in a] == [1, 2] and [r["step"] for r in b] == [2]
    assert a[1]["zero_variance_groups"] < 2 and a[1]["grad_norm"] > 0  # both ranks' rollouts trained one model
    for key in ("loss", "reward", "reward_std", "completion_len", "completion_len_max", "kl", "grad_norm"):
        assert b[0][key] == pytest.approx(a[1][key], rel=1e-5, abs=1e-9), key
    wa, wb = weights(tmp_path / "a" / "final"), weights(tmp_path / "b" / "final")
    assert all(bool((wa[k] == wb[k]).all()) for k in wa)

if __name__ == "__main__":  # one rank of `launch`: `python -m vdata.train`, the scripted engine registered above
    from vdata.console import console, friendly, print_json
    from vdata.train.cli import make_app

    make_app(friendly, console, print_json)(prog_name="python -m vdata.train")
