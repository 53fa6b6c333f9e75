"""Per-step logs: one JSON object per line in `RUN/log.jsonl`, and a rich live table for the console."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LOG_FILE = "log.jsonl"

Record = dict[str, Any]


class StepLog:
    """Appends step records to `out/log.jsonl`. On resume, records after the resumed step are dropped first, so
    the file reads as one uninterrupted run."""

    def __init__(self, out: Path, start_step: int = 0) -> None:
        self.path = Path(out) / LOG_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        kept = [r for r in read_log(self.path) if r.get("step", 0) <= start_step] if start_step else []
        self.path.write_text("".join(json.dumps(r) + "\n" for r in kept), encoding="utf-8")

    def write(self, record: Record) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(jsonable(record)) + "\n")


def read_log(path: Path) -> list[Record]:
    """The records of a `log.jsonl` (a run folder or the file), oldest first; [] when there is none."""
    path = Path(path)
    if path.is_dir():
        path = path / LOG_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def jsonable(value: Any) -> Any:
    """`value` with every NaN or infinite float (nested in dicts, lists, tuples) as None, so that it dumps to
    valid JSON (`null`): a GRPO step whose groups all have zero variance logs NaN statistics.

    >>> jsonable({"reward_std": float("nan"), "kl": [1.0, float("inf")], "step": 3})
    {'reward_std': None, 'kl': [1.0, None], 'step': 3}
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


@contextmanager
def live_table(
    console: Any, title: str, columns: Sequence[str], keep: int = 12
) -> Iterator[Callable[[Record], None]]:
    """A rich `Live` table of the last `keep` step records; yields the callback that adds one."""
    from rich.live import Live
    from rich.table import Table

    records: list[Record] = []

    def render() -> Table:
        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(column, justify="right")
        for r in records[-keep:]:
            table.add_row(*(_cell(r.get(c)) for c in columns))
        return table

    with Live(render(), console=console, refresh_per_second=4) as live:

        def add(record: Record) -> None:
            records.append(record)
            live.update(render())

        yield add


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.0f}"
    return str(value)
