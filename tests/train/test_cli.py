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


def _options(*path: str) -> dict[str, str]:
    """`--flag` -> help text of every option of the command at `path` (e.g. "train", "sft")."""
    import typer

    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return {opt: p.help or "" for p in command.params for opt in (*p.opts, *p.secondary_opts) if opt.startswith("--")}


def _flags(*path: str) -> set[str]:
    return {*_options(*path), "--help"}


@pytest.mark.parametrize(("command", "config"), [("sft", "SFTConfig"), ("grpo", "GRPOConfig")])
def test_help_lists_every_config_key_with_its_default(command: str, config: str) -> None:
    from dataclasses import MISSING, fields

    import vdata.train.config

    result = runner.invoke(app, ["train", command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    options = _options("train", command)
    for field in fields(getattr(vdata.train.config, config)):
        flag = "--" + field.name.replace("_", "-")
        assert f" {flag} " in result.stdout, f"vdata train {command} --help does not list {flag}"
        if field.default not in (MISSING, None):
            assert f"(default: {field.default})" in options[flag], options[flag]


def test_every_flag_in_docs_train_md_is_a_flag_of_the_command_it_names() -> None:
    import re

    import typer

    text = (Path(__file__).parents[2] / "docs" / "train.md").read_text(encoding="utf-8")
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    train = _flags("train", "sft") | _flags("train", "grpo") | _flags("debug-model")
    blocks = re.findall(r"```.*?```", text, flags=re.S)
    assert blocks
    for block in blocks:  # each `vdata ...` command line (with its continuations) against that command's flags
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            command = re.match(r"\s*vdata ([a-z-]+)(?: (sft|grpo)\b)?", line)
            if not command:
                continue
            path = [p for p in command.groups() if p]
            assert path[0] in commands, f"docs/train.md: vdata {path[0]} is not a command"
            known = _flags(*path)
            for flag in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", line):
                assert flag in known, f"docs/train.md: {flag} is not a flag of vdata {' '.join(path)}: {line!r}"
    for span in re.findall(r"`[^`\n]+`", re.sub(r"```.*?```", "", text, flags=re.S)):
        if span.startswith("`python "):  # a benchmark script's own flags
            continue
        other = re.match(r"`vdata (distill|infer|eval|build|export)\b", span)
        known = _flags(other.group(1)) if other else train
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", span):
            assert flag in known, f"docs/train.md: {flag} in {span!r} is not a flag of the command"
