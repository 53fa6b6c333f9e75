"""The command line's output: one console for results, one for errors, tables, JSON, and the error policy.

Every command module prints through these, so `--debug`, one-line errors and table style are the same everywhere.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from vdata.errors import VdataError

if TYPE_CHECKING:
    from rich.progress import Progress

#: The width of `--help` (typer renders it with rich, at 80 columns when piped, which cuts option help with "…"):
#: at least 120 columns, wider on a wider terminal. Typer reads TERMINAL_WIDTH when it first renders help; a
#: COLUMNS or TERMINAL_WIDTH the user set wins.
HELP_WIDTH = 120
if "COLUMNS" not in os.environ and "TERMINAL_WIDTH" not in os.environ:
    os.environ["TERMINAL_WIDTH"] = str(max(HELP_WIDTH, shutil.get_terminal_size().columns))

console = Console()
err_console = Console(stderr=True)
#: Set by the `--debug` option of `vdata` (tracebacks instead of one-line errors); `VDATA_DEBUG=1` does the same.
state = {"debug": False}
F = TypeVar("F", bound=Callable[..., Any])


def debugging() -> bool:
    """True with `vdata --debug` or the environment variable `VDATA_DEBUG=1`."""
    return state["debug"] or os.environ.get("VDATA_DEBUG", "") not in ("", "0")


def log_dir() -> Path:
    """Where the tracebacks of unexpected errors go: `$XDG_CACHE_HOME/vdata/logs` (default `~/.cache`)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vdata" / "logs"


def _write_traceback(error: BaseException) -> Path | None:
    """The full traceback of `error` in a new file under `log_dir()` (else the temp folder); None if neither
    can be written (a full disk)."""
    text = "".join(traceback.format_exception(error))
    name = f"error-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    for folder in (log_dir(), Path(tempfile.gettempdir()) / "vdata-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def friendly(fn: F) -> F:
    """The error policy of every command: a `VdataError` is one red line and exit code 1; any other exception is
    one line `error: TYPE: message` naming the log file that holds its traceback, and exit code 1. With
    `--debug` (or `VDATA_DEBUG=1`) both are raised with their traceback. Typer's own exits pass through."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except VdataError as e:
            if debugging():
                raise
            err_console.print(f"[red]error:[/red] {escape(str(e))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, typer.TyperException):  # typer's own exits and usage errors
            raise
        except Exception as e:
            if debugging():
                raise
            path = _write_traceback(e)
            where = f" (traceback in {path})" if path else ""
            message = " ".join(str(e).split()) or "(no message)"
            err_console.print(f"[red]error:[/red] {escape(f'{type(e).__name__}: {message}{where}')}",
                              highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def progress_bar(verb: str, quiet: bool = False) -> Progress:
    """The progress bar of a long command on stderr: `verb`, bar, `done/total`, the task's `stats` field, time
    left. Off with `quiet` (`--json`) and when stderr is no terminal (TTY_COMPATIBLE=1 or FORCE_COLOR forces it
    on). Use as `with progress_bar("answering") as bar: task = bar.add_task(verb, total=None, stats="")`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn(f"[bold]{verb}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[stats]}"),
                    TimeRemainingColumn(), console=err_console, disable=quiet or not err_console.is_terminal)


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
