"""Options: validation at start-up, YAML files whose keys match the flags, the CLI wiring."""

from __future__ import annotations

from pathlib import Path

import pytest

from vdata.errors import ConfigError
from vdata.rewards.weights import parse_weights
from vdata.train.config import GRPOConfig, SFTConfig, load_config, write_config


def test_yaml_keys_match_flags_and_flags_win(tmp_path: Path):
    path = tmp_path / "grpo.yaml"
    path.write_text("data: built\nmodel: m\nout: run\nmax-steps: 7\nnum_generations: 4\nbeta: 0.0\n")
    config = load_config(GRPOConfig, path, max_steps=9, lr=None)
    assert (config.max_steps, config.num_generations, config.beta, config.lr) == (9, 4, 0.0, GRPOConfig.lr)


def test_unknown_yaml_key_and_missing_data_fail_with_the_rule(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("data: built\nmodel: m\nout: run\nnum-generation: 4\n")
    with pytest.raises(ConfigError, match=r"unknown key 'num-generation'.*num-generations"):
        load_config(GRPOConfig, path)
    with pytest.raises(ConfigError, match="--data is required"):
        load_config(SFTConfig, None, model="m", out="run")


def test_bad_options_fail_at_start_up():
    base = dict(data="d", model="m", out="o")
    with pytest.raises(ConfigError, match="--num-generations must be >= 2"):
        GRPOConfig(**base, num_generations=1)
    with pytest.raises(ConfigError, match="multiple of --grad-accum"):
        SFTConfig(**base, batch_size=3, grad_accum=2)
    with pytest.raises(ConfigError, match="unknown reward 'acuracy'"):
        GRPOConfig(**base, rewards="acuracy")
    with pytest.raises(ConfigError, match="unknown --loss-type 'ppo'"):
        GRPOConfig(**base, loss_type="ppo")
    with pytest.raises(ConfigError, match="--importance-sampling-level must be token or sequence"):
        GRPOConfig(**base, importance_sampling_level="group")
    with pytest.raises(ConfigError, match="--report-to: unknown mlflow"):
        SFTConfig(**base, report_to="jsonl,mlflow")
    assert parse_weights("format:0.5, accuracy", flag="--rewards") == (("format", 0.5), ("accuracy", 1.0))
    with pytest.raises(ConfigError, match="--rollout-engine sglang: unknown rollout engine 'sglang'"):
        GRPOConfig(**base, rollout_engine="sglang")
    assert GRPOConfig(**base).rollout_engine == "transformers"


def test_yaml_accepts_trls_names_and_the_run_folder_gets_vdatas(tmp_path: Path):
    path = tmp_path / "trl.yaml"
    path.write_text(
        "model_name_or_path: m\noutput_dir: run\ndata: built\nlearning_rate: 3.0e-6\nnum_iterations: 2\n"
        "max_completion_length: 64\nsave_steps: 5\nper_device_train_batch_size: 8\ngradient_accumulation_steps: 2\n"
        "num_generations: 4\nbeta: 0.0\nepsilon: 0.1\nepsilon_high: 0.28\nloss_type: bnpo\nscale_rewards: none\n"
        "bf16: true\n"
    )
    config = load_config(GRPOConfig, path)
    assert (config.model, str(config.out), config.lr, config.mu, config.max_new_tokens, config.save_every) == (
        "m", "run", 3e-6, 2, 64, 5)
    # TRL counts 8 completions per device per micro-batch: 8 x 2 / 4 generations = 4 prompts per step
    assert (config.batch_size, config.grad_accum, config.epsilon_low, config.epsilon_high_value) == (4, 2, 0.1, 0.28)
    assert (config.loss_type, config.scale_rewards, config.dtype) == ("bnpo", False, "bfloat16")
    canonical = write_config(config, tmp_path / "run")
    assert load_config(GRPOConfig, canonical) == config
    assert "learning_rate" not in canonical.read_text() and "lr: 3.0e-06" in canonical.read_text()
    # per device: on 2 processes the step holds twice the prompts; TRL's list form of report_to
    path.write_text("data: d\nmodel: m\nout: o\nper_device_train_batch_size: 8\nnum_generations: 4\n"
                    "report_to: [tensorboard, wandb]\n")
    config = load_config(GRPOConfig, path, num_processes=2)
    assert (config.batch_size, config.report_to) == (4, "tensorboard,wandb")
    assert load_config(GRPOConfig, path, batch_size=6, num_processes=2).batch_size == 6  # a flag wins
    path.write_text("data: d\nmodel: m\nout: o\nlr: 1.0\nlearning_rate: 2.0\n")
    with pytest.raises(ConfigError, match="'learning_rate' sets 'lr' a second time"):
        load_config(GRPOConfig, path)


def test_the_cli_mounts_train_commands():
    from typer.testing import CliRunner

    from vdata.cli import app

    result = CliRunner().invoke(app, ["train", "grpo", "--model", "m", "--out", "o"])
    assert result.exit_code == 1
    assert "--data is required" in result.output
