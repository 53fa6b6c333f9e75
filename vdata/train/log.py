"""Per-step logs where researchers look: `RUN/log.jsonl` always, TensorBoard event files (`RUN/tensorboard/`) and
Weights & Biases (`RUN/wandb/`, offline when `WANDB_MODE=offline`) on request (`--report-to`), and a live console
view with "step N of M" and the ETA."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LOG_FILE = "log.jsonl"
TENSORBOARD_DIR = "tensorboard"

Record = dict[str, Any]


class StepLog:
    """Writes each step record to `out/log.jsonl` and to the `reporters` asked for (`tensorboard`, `wandb`).

    On resume, jsonl records after the resumed step are dropped first, so the file reads as one uninterrupted run.
    Numeric values go to TensorBoard and wandb as scalars at the record's `step`; `close()` flushes them.
    """

    def __init__(self, out: Path, start_step: int = 0, reporters: Sequence[str] = (), config: Record | None = None):
        self.path = Path(out) / LOG_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        kept = [r for r in read_log(self.path) if r.get("step", 0) <= start_step] if start_step else []
        self.path.write_text("".join(json.dumps(r) + "\n" for r in kept), encoding="utf-8")
        self._tensorboard = self._wandb = None
        if "tensorboard" in reporters:
            from torch.utils.tensorboard import SummaryWriter

            self._tensorboard = SummaryWriter(str(Path(out) / TENSORBOARD_DIR), purge_step=start_step + 1)
        if "wandb" in reporters:
            try:
                import wandb
            except ImportError:
                from vdata.errors import ConfigError

                raise ConfigError("--report-to wandb needs wandb: pip install 'vdata[train]'") from None
            self._wandb = wandb.init(
                project="vdata", dir=str(out), name=Path(out).name, config=config or {}, resume="allow",
                id=_run_id(out),
            )

    def write(self, record: Record) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(jsonable(record)) + "\n")
        scalars = scalar_items(record)
        if self._tensorboard is not None:
            for key, value in scalars.items():
                self._tensorboard.add_scalar(f"train/{key}", value, record["step"])
        if self._wandb is not None:
            self._wandb.log({f"train/{k}": v for k, v in scalars.items()}, step=record["step"])

    def close(self) -> None:
        if self._tensorboard is not None:
            self._tensorboard.close()
        if self._wandb is not None:
            self._wandb.finish()


def _run_id(out: Path) -> str:
    import hashlib

    return hashlib.sha1(str(Path(out).resolve()).encode()).hexdigest()[:12]


def scalar_items(record: Record) -> dict[str, float]:
    """The finite numbers of a record (not `step`, not booleans), as floats.

    >>> scalar_items({"step": 3, "loss": 0.5, "kl": float("nan"), "note": "x", "gpu_mem_gb": None})
    {'loss': 0.5}
    """
    return {
        k: float(v)
        for k, v in record.items()
        if k != "step" and isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    }


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


def step_seconds(started_s: float, record_times_s: Sequence[float]) -> float:
    """Seconds per step for the ETA, from when the display started (`started_s`) and when each step's record
    arrived (`record_times_s`, ascending; same clock): after two steps, the mean gap between records, so the
    model's loading and the first step's warm-up do not count; after one, the whole time so far.

    >>> step_seconds(0.0, [30.0])
    30.0
    >>> step_seconds(0.0, [30.0, 32.0, 35.0])
    2.5
    """
    if len(record_times_s) >= 2:
        return (record_times_s[-1] - record_times_s[0]) / (len(record_times_s) - 1)
    return (record_times_s[-1] if record_times_s else started_s) - started_s


def progress_line(step: int, total: int, per_step_s: float) -> str:
    """"step N of M, ETA" from the seconds one step takes (`step_seconds`).

    >>> progress_line(3, 10, 2.0)
    'step 3 of 10 (30%), 2.00 s/step, ETA 0:00:14'
    """
    eta = round(per_step_s * max(total - step, 0))
    return f"step {step} of {total} ({100 * step // total}%), {per_step_s:.2f} s/step, ETA {eta // 3600}:{eta % 3600 // 60:02d}:{eta % 60:02d}"


@contextmanager
def live_table(
    console: Any, title: str, columns: Sequence[str], total_steps: int, keep: int = 12
) -> Iterator[Callable[[Record], None]]:
    """A rich `Live` view: the "step N of M, ETA" line over a table of the last `keep` step records; yields the
    callback that adds one."""
    from rich.console import Group
    from rich.live import Live
    from rich.table import Table
    from rich.text import Text

    records: list[Record] = []
    arrived: list[float] = []  # when each record came (perf_counter seconds)
    started = time.perf_counter()

    def render() -> Group:
        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(column, justify="right")
        for r in records[-keep:]:
            table.add_row(*(_cell(r.get(c)) for c in columns))
        line = (
            progress_line(records[-1]["step"], total_steps, step_seconds(started, arrived))
            if records
            else f"step 0 of {total_steps}"
        )
        return Group(Text(line), table)

    with Live(render(), console=console, refresh_per_second=4) as live:

        def add(record: Record) -> None:
            records.append(record)
            arrived.append(time.perf_counter())
            live.update(render())

        yield add


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.0f}"
    return str(value)
