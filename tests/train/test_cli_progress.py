"""`vdata train sft`'s live display (issue 13: "no step N of M and no ETA"): a 2-step run of the tiny model through
the CLI shows "step N of 2" with the seconds per step and the ETA."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vdata.cli import app
from vdata.train.log import read_log

#: The display's progress line (`vdata.train.log.progress_line`).
PROGRESS = re.compile(r"step (\d) of 2 \((\d+)%\), (\d+\.\d\d) s/step, ETA (\d+:\d\d:\d\d)")
#: Seconds a step must outlast for the live view (rich's `Live`, redrawn 4 times a second by its own thread) to
#: have shown the step before it: a wide margin, as that thread can wait on a busy machine (a fresh-clone CI run
#: saw a 0.73-s step with no redraw between the two steps).
REDRAW_S = 2.0


def test_sft_cli_shows_step_n_of_m_and_the_eta(tiny_model: Path, cot_data: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from vdata.console import console

    monkeypatch.setattr(console, "is_interactive", True)  # a terminal (rich decides at start-up): redrawn live
    out = tmp_path / "run"
    args = ["train", "sft", "--data", str(cot_data), "--model", str(tiny_model), "--out", str(out), "--max-steps",
            "2", "--batch-size", "2", "--device", "cpu", "--num-workers", "0"]
    result = CliRunner().invoke(app, args, env={"TTY_COMPATIBLE": "1", "COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    shown = {(int(m[1]), int(m[2]), m[4]) for m in PROGRESS.finditer(result.stdout)}
    assert (2, 100, "0:00:00") in shown, result.stdout  # the last frame
    if read_log(out)[1]["step_s"] > REDRAW_S:  # step 2 outlasted a redraw: the view showed step 1 meanwhile
        assert any(step == 1 and percent == 50 and eta != "0:00:00" for step, percent, eta in shown), result.stdout
