"""The error policy of every command: one line and exit code 1 for any exception, the traceback in a log file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from vdata.cli import app

runner = CliRunner()


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """`vdata info` fails with an exception that is not a VdataError; logs go under tmp_path."""
    import vdata.info

    def summarise(root: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(vdata.info, "summarise", summarise)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("VDATA_DEBUG", raising=False)
    return tmp_path / "cache" / "vdata" / "logs"


def test_an_unexpected_exception_is_one_line_and_exit_1_with_the_traceback_in_a_log(
    disk_full: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["info", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: OSError: [Errno 28] No space left on device (traceback in ")
    (log,) = disk_full.iterdir()
    assert line.endswith(f"{log})")
    text = log.read_text()
    assert text.startswith("Traceback (most recent call last):") and "in summarise" in text


def test_debug_shows_the_traceback_of_an_unexpected_exception(disk_full: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--debug", "info", str(tmp_path)])
    assert isinstance(result.exception, OSError)
    assert not disk_full.exists()


def test_vdata_debug_1_in_the_environment_is_debug(disk_full: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["info", str(tmp_path)], env={"VDATA_DEBUG": "1"})
    assert isinstance(result.exception, OSError)


def test_a_vdata_error_stays_one_line_without_a_log(disk_full: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["mix", str(tmp_path / "m"), "--from", "nocolon", "--total", "1"])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: --from 'nocolon'")
    assert not disk_full.exists()


def test_a_command_exiting_1_itself_writes_no_log(
    disk_full: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vdata.validate

    monkeypatch.setattr(vdata.validate, "validate", lambda root, decode_frames: ["shard 0: checksum differs"])
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["problem: shard 0: checksum differs"]
    assert not disk_full.exists()
