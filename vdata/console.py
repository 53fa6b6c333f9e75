"""The command line's output: one console for results, one for errors, tables, JSON, and the error policy.

Every command module prints through these, so `--debug`, one-line errors and table style are the same everywhere.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from vdata.errors import VdataError

console = Console()
err_console = Console(stderr=True)
#: Set by the `--debug` option of `vdata` (tracebacks instead of one-line errors).
state = {"debug": False}
F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn a `VdataError` into one red line and exit code 1 (a traceback only with --debug)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except VdataError as e:
            if state["debug"]:
                raise
            err_console.print(f"[red]error:[/red] {escape(str(e))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


def print_summary(summary: dict[str, Any]) -> None:
    """The `vdata info` tables of `vdata.info.summarise(DIR)`: totals, then rows by split / task / source, then
    errors by code."""
    totals = [["rows", summary["rows"]], ["keyframes", summary["keyframes"]], ["video hours", summary["video_hours"]],
              ["shards", summary["shards"]], ["size (MB)", round(summary["bytes"] / 1e6, 2)],
              ["schema version", summary["schema_version"]], ["errors", sum(summary["errors"].values())]]
    print_table(f"dataset {summary['path']}", ["what", "value"], totals)
    for key, title in (("by_split", "split"), ("by_task", "task"), ("by_source", "source"), ("errors", "error code")):
        if summary[key]:
            print_table(f"rows by {title}" if key != "errors" else "errors", [title, "count"],
                        [[k, v] for k, v in summary[key].items()])


def print_json(data: Any) -> None:
    console.print_json(json.dumps(data))
