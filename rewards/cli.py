"""`vdata rewards ...`: list the rewards, score a predictions file, serve rewards over HTTP.

Mounted in `vdata/cli.py`; each command parses, calls one library function and prints a table (or `--json`).
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any

import typer

from vdata.console import console, err_console, friendly
from vdata.console import print_table as _table
from vdata.rewards.weights import DEFAULT_REWARDS

app = typer.Typer(help="Verifiable rewards: list, score predictions, serve over HTTP.", no_args_is_help=True)
def _options(pairs: list[str]) -> dict[str, Any]:
    """`key=value` pairs; values parse as JSON when they can (`true`, `0.5`), else stay strings."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise typer.BadParameter(f"expected key=value, got {pair!r}")
        key, value = pair.split("=", 1)
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


@app.command("list")
@friendly
def list_rewards(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every registered reward: the tasks it judges, its range, the sample fields it reads, its options."""
    from vdata import rewards

    rows = []
    for name in rewards.names():
        cls = type(rewards.get(name))
        opts = {f.name: f.default for f in fields(cls)}
        rows.append(
            {
                "name": name,
                "tasks": list(cls.tasks) or ["any"],
                "range": list(cls.value_range),
                "fields": list(cls.fields),
                "options": opts,
            }
        )
    if as_json:
        console.print_json(json.dumps(rows, default=str))
        return
    _table(
        "rewards",
        ["name", "tasks", "range", "fields", "options"],
        [
            [
                r["name"],
                ", ".join(r["tasks"]),
                f"[{r['range'][0]:g}, {r['range'][1]:g}]",
                ", ".join(r["fields"]),
                ", ".join(f"{k}={v!r}" for k, v in r["options"].items()),
            ]
            for r in rows
        ],
    )


@app.command("score")
@friendly
def score(
    reward: Annotated[str, typer.Option("--reward", "-r", help="Reward name (see `vdata rewards list`).")],
    predictions: Annotated[
        Path, typer.Option(help="JSONL with `id` and `response` (or `completion`) per line; see `vdata.predictions`.", exists=True)
    ],
    data: Annotated[Path, typer.Option(help="A built vdata dataset folder.", exists=True, file_okay=False)],
    option: Annotated[
        list[str], typer.Option("--option", "-o", help="Reward option key=value; repeatable (default: the reward's own).")
    ] = [],  # noqa: B006
    out: Annotated[Path | None, typer.Option(help="Write per-prediction scores here (JSONL; default: none written).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Score predictions against a built dataset, joined by id; prints the mean per task."""
    from vdata.rewards import get
    from vdata.rewards.dataset import score_predictions

    report = score_predictions(get(reward, **_options(option)), predictions, data)
    if out is not None:
        with open(out, "w", encoding="utf-8") as f:
            for row in report.rows:
                f.write(json.dumps(row) + "\n")
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "summary": report.summary,
                    "missing_ids": report.missing_ids,
                    "out": str(out) if out else None,
                },
                default=str,
            )
        )
        return
    _table(
        f"{reward} on {data}",
        ["task", "count", "judged", "mean"],
        [
            [t, s["count"], s["judged"], "" if math.isnan(s["mean"]) else f"{s['mean']:.4f}"]
            for t, s in report.summary.items()
        ],
    )
    if report.missing_ids:
        err_console.print(f"{report.missing_ids} prediction ids are not in {data}", markup=False)


@app.command("serve")
@friendly
def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 5000,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    reward: Annotated[list[str], typer.Option("--reward", "-r", help=f"Reward to sum; repeatable (default: {DEFAULT_REWARDS}).")] = [],  # noqa: B006
    weight: Annotated[list[float], typer.Option("--weight", "-w", help="Weight per --reward (default: 1 each).")] = [],  # noqa: B006
) -> None:
    """Serve `POST /get_reward` for OpenRLHF's --remote_rm_url (default rewards: accuracy + format)."""
    from vdata.rewards.server import serve as run

    run(host=host, port=port, rewards=reward or None, weights=weight or None)
