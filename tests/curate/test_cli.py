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


def test_progress_bars_go_to_stderr_and_end_full_and_json_runs_show_none(built, tmp_path):
    import re

    from vdata.curate import STEPS, run_step
    from vdata.curate.dedup import DedupOptions

    shown = runner.invoke(app, ["dedup", str(built["all"]), "--out", str(tmp_path / "a"), "--by", "video"],
                          env={"COLUMNS": "120"})
    assert shown.exit_code == 0, shown.output
    bars = {m[1]: (int(m[2]), int(m[3])) for m in re.finditer(r"dedup: (hash keyframes|write)\s.*?(\d+)/(\d+)",
                                                                shown.stderr)}
    assert bars == {"hash keyframes": (8, 8), "write": (8, 8)}, shown.stderr
    assert "dedup: " not in shown.stdout and "8/8" not in shown.stdout  # stdout keeps the outcome only
    quiet = runner.invoke(app, ["dedup", str(built["all"]), "--out", str(tmp_path / "b"), "--by", "video", "--json"])
    assert quiet.stderr == "" and json.loads(quiet.stdout)["rows_out"] == 4
    # what the bars are fed: each phase counts up to its total
    calls: list[tuple[str, int, int]] = []
    run_step(STEPS.get("dedup")(DedupOptions(by="video")), [built["all"]], tmp_path / "c",
             on_progress=lambda *call: calls.append(call))
    for phase in ("hash keyframes", "write"):
        done = [d for p, d, t in calls if p == phase]
        assert done == sorted(done) and done[-1] == 8 and {t for p, _, t in calls if p == phase} == {8}
