"""`vdata curate ...` on the command line: each command runs its step and prints what it did; bad input is one
line and exit code 1."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.distill.helpers import ROWS, think, write_dataset, write_script
from vdata.curate.cli import app

runner = CliRunner()


def test_dedup_and_a_second_identical_run(built, tmp_path):
    args = ["dedup", str(built["all"]), "--out", str(tmp_path / "out"), "--by", "video"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "kept 4 of 8 samples" in first.output and "1 clusters (0 exact and 4 near" in first.output
    again = runner.invoke(app, [*args, "--json"])
    assert json.loads(again.stdout)["already_done"] is True


def test_difficulty_prints_the_pass_rate_histogram_by_task_and_source(tmp_path):
    built = write_dataset(tmp_path / "built", ROWS)
    script = write_script(tmp_path / "s.json", {"mc1": [think("B")], "*": [think("nothing")]})
    done = runner.invoke(app, ["difficulty", str(built), "--model", script, "--engine", "scripted", "-k", "2",
                               "--out", str(tmp_path / "out"), "--drop-unsolved"])
    assert done.exit_code == 0, done.output
    assert "pass rate by task" in done.output and "pass rate by source" in done.output
    assert "kept 1 of 4 samples" in done.output


def test_bad_input_is_one_line_and_exit_code_1(tmp_path):
    missing = runner.invoke(app, ["filter", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert missing.exit_code == 1 and missing.output.strip().startswith("error:")
    assert len(missing.output.strip().splitlines()) == 1 and "not a finished vdata dataset" in missing.output
    built = write_dataset(tmp_path / "built", ROWS)
    bad = runner.invoke(app, ["balance", str(built), "--out", str(tmp_path / "out"), "--max-per", "colour=3"])
    assert bad.exit_code == 1 and "--max-per 'colour=3'" in bad.output
