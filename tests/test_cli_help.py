"""`--help` of every command is rendered wide enough that no option name, help text or default is cut, and every
option says its default (typer's `[default: X]`, or the help's own words when the default is None)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

# In a fresh process (typer reads the width once), with no COLUMNS and stdout not a terminal (80 columns before):
# the help of every command, by its path, and each option's names and default as click holds them.
SCRIPT = """
import json, typer
from typer.testing import CliRunner
from vdata.cli import app

def paths(command, prefix):
    yield prefix, command
    if hasattr(command, "commands"):  # a group
        for name, sub in command.commands.items():
            yield from paths(sub, [*prefix, name])

def option(p):
    default = p.default if isinstance(p.default, (str, int, float, bool, type(None))) else str(p.default)
    default = None if p.default in ((), []) else default  # typer shows no empty list: the help must say it
    names = sorted(p.opts, key=lambda n: not n.startswith("--"))  # the long name first, as the help lists it
    return {"names": [*names, *p.secondary_opts], "secondary": list(p.secondary_opts), "default": default,
            "shown": p.show_default is not False, "required": p.required, "flag": p.is_flag}

runner = CliRunner()
print(json.dumps({" ".join(p): {"help": runner.invoke(app, [*p, "--help"]).stdout,
                                "options": [option(q) for q in c.params if type(q).__name__ == "TyperOption"]}
                  for p, c in paths(typer.main.get_command(app), [])}))
"""


@pytest.fixture(scope="module")
def helps() -> dict[str, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "TERMINAL_WIDTH", "LINES")}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120,
                          check=True)
    return json.loads(done.stdout)


def test_help_of_every_command_is_at_least_120_columns_and_cuts_nothing(helps) -> None:
    assert {"build", "distill", "infer", "eval", "train sft", "train grpo", "rewards score"} <= helps.keys()
    for path, found in helps.items():
        assert "Usage:" in found["help"], path
        assert "…" not in found["help"], f"vdata {path} --help cuts text:\n{found['help']}"
    assert max(len(line) for line in helps["build"]["help"].splitlines()) >= 120
    assert "content[,threshold=27][,min_frames=15]" in helps["build"]["help"]


def rows(text: str, options: list[dict[str, Any]]) -> dict[str, str]:
    """Each option's row of the help panel (its name column and its wrapped help), box lines removed and
    whitespace collapsed, by the option's first name; an option whose row is not found is missing."""
    starts = {}
    for opt in options:
        name = opt["names"][0]
        match = re.search(rf"^│\s+(?:\*\s+)?{re.escape(name)}(?![\w-])", text, re.M)
        assert match, f"{name} is not listed (or its name is cut):\n{text}"
        starts[name] = match.start()
    ends = sorted([*starts.values(), text.rindex("╰")])
    flat = {}
    for name, start in starts.items():
        row = text[start:ends[ends.index(start) + 1]]
        flat[name] = " ".join(row.replace("│", " ").split())
    return flat


def shown_default(opt: dict[str, Any]) -> str:
    """What typer writes in `[default: X]` for `opt`: the flag name a bool on/off pair defaults to, else the value."""
    if opt["secondary"]:
        name = opt["names"][0] if opt["default"] else opt["secondary"][0]
        return name.lstrip("-")
    return str(opt["default"])


def test_every_option_of_every_command_shows_its_whole_name_and_its_default(helps) -> None:
    problems = []
    for path, found in helps.items():
        if not found["options"]:
            continue
        by_name = rows(found["help"], found["options"])
        for opt in found["options"]:
            row, where = by_name[opt["names"][0]], f"vdata {path} {opt['names'][0]}"
            problems += [f"{where}: {name} cut: {row}" for name in opt["names"]
                         if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", row)]
            if opt["required"]:
                ok = "[required]" in row
            elif opt["flag"] and not opt["secondary"]:
                ok = True  # a plain on-flag (--json, --dry-run) is off unless given
            elif opt["default"] is not None and opt["shown"]:
                ok = f"[default: {shown_default(opt)}]" in row
            else:  # default None: the help says what happens without the option
                ok = bool(re.search(r"default|\(None:|required", row, re.I))
            problems += [] if ok else [f"{where}: default cut or not stated: {row}"]
    assert not problems, "\n".join(problems)


def test_export_help_names_every_target(helps) -> None:
    # the targets come from the exporters' registry, the one list `vdata export --to` accepts
    from vdata.export import names

    found = helps["export"]
    assert f"Target: {', '.join(names())}." in rows(found["help"], found["options"])["--to"]
