"""The command line: thin commands, options checked at start-up, one clear error line and exit code 1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vdata.cli import app
from vdata.options import BuildOptions

runner = CliRunner()


def test_formats_lists_each_format_with_its_layout() -> None:
    result = runner.invoke(app, ["formats"])
    assert result.exit_code == 0, result.output
    assert "folder" in result.stdout and "jsonl" in result.stdout
    assert "JSON object per line" in " ".join(result.stdout.split())


def test_a_commands_process_exits_with_its_objects_frozen() -> None:
    """Python's finalisation then runs no cycle collection over what the command imported (`_freeze_at_exit`);
    the atexit handler registered first runs last, after vdata's: it sees the frozen objects."""
    script = ("import atexit, gc, sys\n"
              "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
              "from vdata.cli import app\n"
              "print('frozen before:', gc.get_freeze_count() > 0)\n"
              "app(['formats'])\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "frozen before: False" in result.stdout and "folder" in result.stdout
    assert result.stdout.rstrip().endswith("frozen at exit: True")


def test_build_json_reports_the_run(corpus: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "--source", f"jsonl:{corpus}", "--out", str(tmp_path / "out"),
                                 "--workers", "0", "--frames", "uniform:2", "--limit", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["rows"], report["items_run"], report["already_built"]) == (2, 2, False)
    assert report["rows_by_task"] == {"caption": 1, "temporal_grounding": 1}


def test_build_help_shows_the_defaults_of_build_options() -> None:
    result = runner.invoke(app, ["build", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    defaults = BuildOptions()
    for value in (defaults.frames, str(defaults.max_pixels), defaults.shard_size):
        assert value in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--frames", "random:4"], "error: unknown --frames policy 'random'; known: fps, scenes, uniform"),
        (["--scenes", "content,cutoff=3"], "error: --scenes 'content,cutoff=3': unknown option(s) ['cutoff']; "
                                           "content takes ['min_frames', 'threshold']"),
        (["--engine", "spark"], "error: unknown build engine 'spark'; known: local, ray"),
        (["--frames", "scenes"], "error: --frames scenes picks frames from scene cuts: add --scenes content (or "
                                 "adaptive)"),
        (["--jpeg-quality", "0"], "error: --jpeg-quality must be in 1..100, got 0"),
        (["--shard-size", "big"], "error: --shard-size 'big': expected a size like 256MB, 1GB or 500kB"),
        (["--decoder", "vlc"], "error: unknown decoder 'vlc'; known: auto, "),
    ],
)
def test_bad_build_options_fail_at_start_up_with_one_line(
    corpus: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["build", "--source", f"jsonl:{corpus}", "--out", str(tmp_path / "out"), *args])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(message)
    assert not (tmp_path / "out").exists()


def test_an_unknown_source_format_lists_the_known_ones(tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", "--source", f"youtube:{tmp_path}", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith("error: unknown source format 'youtube'; known: ")
    assert "folder" in line and "jsonl" in line


def test_info_on_a_folder_that_is_not_a_dataset_is_one_error_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["info", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {tmp_path}: no vdata.json; not a finished vdata dataset (did the build " \
                                    "finish?)"
