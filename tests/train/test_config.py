"""Options: validation at start-up, YAML files whose keys match the flags, the CLI wiring."""

from __future__ import annotations

from pathlib import Path

import pytest

from vdata.errors import ConfigError
from vdata.rewards.weights import parse_weights
from vdata.train.config import GRPOConfig, SFTConfig, load_config
from vdata.train.data import batch_indices, shuffled_order


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
    assert parse_weights("format:0.5, accuracy", flag="--rewards") == (("format", 0.5), ("accuracy", 1.0))


def test_batches_are_a_pure_function_of_step_and_seed():
    epoch = batch_indices(5, 5, 0, seed=3)
    assert sorted(epoch) == [0, 1, 2, 3, 4]
    assert batch_indices(5, 2, 1, seed=3) == epoch[2:4]
    assert shuffled_order(1, "k") == [0]


def test_the_cli_mounts_train_commands():
    from typer.testing import CliRunner

    from vdata.cli import app

    result = CliRunner().invoke(app, ["train", "grpo", "--model", "m", "--out", "o"])
    assert result.exit_code == 1
    assert "--data is required" in result.output
