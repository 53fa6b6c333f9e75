"""`--help` of every command is rendered wide enough that no option name, help text or default is cut."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# In a fresh process (typer reads the width once), with no COLUMNS and stdout not a terminal (80 columns before):
# the help of every command, by its path.
SCRIPT = """
import json, typer
from typer.testing import CliRunner
from vdata.cli import app

def paths(command, prefix):
    yield prefix
    if hasattr(command, "commands"):  # a group
        for name, sub in command.commands.items():
            yield from paths(sub, [*prefix, name])

runner = CliRunner()
print(json.dumps({" ".join(p): runner.invoke(app, [*p, "--help"]).stdout
                  for p in paths(typer.main.get_command(app), [])}))
"""


def test_help_of_every_command_is_at_least_120_columns_and_cuts_nothing() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "TERMINAL_WIDTH", "LINES")}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120,
                          check=True)
    helps = json.loads(done.stdout)
    assert {"build", "distill", "infer", "train sft", "train grpo", "rewards score"} <= helps.keys()
    for path, text in helps.items():
        assert "Usage:" in text, path
        assert "…" not in text, f"vdata {path} --help cuts text:\n{text}"
    assert max(len(line) for line in helps["build"].splitlines()) >= 120
    assert "content[,threshold=27][,min_frames=15]" in helps["build"]
