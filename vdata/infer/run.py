"""`vdata infer`: answers for a built dataset with test-time scaling, written as JSONL for `vdata eval`.

Sections: setup (config, templates, strategy, engine), plan (rows to answer, ids already in the output are
skipped: a killed run resumes), rollout (N candidates per item; with `adaptive`, rounds of doubling frames),
select (the strategy picks one), write (one JSON line per item, flushed per batch).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from vdata.engines import Engine, EngineConfig, EngineError, Templates, create_engine
from vdata.errors import ConfigError
from vdata.infer.strategies import Selection, Strategy, get_strategy
from vdata.rewards.weights import parse_weights
from vdata.schemas import TASKS

log = logging.getLogger(__name__)

#: Called after each batch with (items answered this run, items this run answers in all).
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class InferConfig:
    """What `vdata infer` does.

    - `data`: a built dataset; `out`: the predictions JSONL (appended to; ids already there are skipped).
    - `engine`: the model (`vdata.engines.EngineConfig`: model, engine name, sampling, batch size (items per
      call), prompt templates, device and server options). `n`: candidates per item.
    - `select`: `majority` or `best`; `verifier`: for `best`, `NAME[:WEIGHT],...` of gold-free verifiers (parsed
      by `vdata.rewards.weights.parse_weights`; besides rewards, the builtin `agreement` and `parses`).
    - `adaptive`: sparse-to-dense frames. Start with `min_frames` of the stored keyframes (evenly spaced),
      sample `n`, stop when the selection's agreement reaches `agree`, else double the frames, up to
      `max_frames` (None = every stored keyframe). Without `adaptive`, `max_frames` (if set) caps the frames.
    - `split`, `tasks`, `limit`: which rows (one split; these tasks; the first N).
    """

    data: Path
    out: Path
    engine: EngineConfig
    n: int = 1
    select: str = "majority"
    verifier: str = "format"
    adaptive: bool = False
    min_frames: int = 4
    max_frames: int | None = None
    agree: float = 0.75
    split: str | None = None
    tasks: tuple[str, ...] | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", Path(self.data))
        object.__setattr__(self, "out", Path(self.out))
        if not isinstance(self.engine, EngineConfig):
            raise ConfigError(f"engine must be a vdata.engines.EngineConfig, e.g. EngineConfig(model=..., name='vllm'), "
                              f"got {self.engine!r}")
        if self.n < 1:
            raise ConfigError(f"--n must be >= 1, got {self.n}")
        if self.min_frames < 1:
            raise ConfigError(f"--min-frames must be >= 1, got {self.min_frames}")
        if self.max_frames is not None and self.max_frames < self.min_frames:
            raise ConfigError(f"--max-frames must be >= --min-frames ({self.min_frames}), got {self.max_frames}")
        if not 0 <= self.agree <= 1:
            raise ConfigError(f"--agree must be in [0, 1], got {self.agree}")
        for task in self.tasks or ():
            if task not in TASKS:
                raise ConfigError(f"--tasks {task!r}: unknown task; known: {', '.join(TASKS)}")

    def strategy(self) -> Strategy:
        """The selection strategy, built (and checked) from `select` and `verifier`."""
        if self.select == "best":
            # known=False: `agreement` and `parses` are builtin verifiers, not rewards; the strategy checks names
            return get_strategy("best", verifiers=parse_weights(self.verifier, flag="--verifier", positive=True,
                                                                known=False))
        return get_strategy(self.select)


@dataclass
class InferReport:
    """What a run did: items answered this run, items already in `out` (`resumed`), candidates generated,
    engine calls, mean frames used per answered item, items that stopped early on agreement, seconds."""

    out: Path
    items: int = 0
    resumed: int = 0
    candidates: int = 0
    calls: int = 0
    mean_frames: float = 0.0
    stopped_early: int = 0
    wall_s: float = 0.0


def frame_subset(num_stored: int, k: int) -> list[int]:
    """Indices of `k` evenly spaced stored keyframes out of `num_stored` (all of them when `k >= num_stored`).

    >>> frame_subset(8, 4), frame_subset(8, 1), frame_subset(3, 8)
    ([0, 2, 5, 7], [4], [0, 1, 2])
    """
    if k >= num_stored:
        return list(range(num_stored))
    if k == 1:
        return [num_stored // 2]
    return [round(i * (num_stored - 1) / (k - 1)) for i in range(k)]


def with_frames(row: Mapping[str, Any], indices: Sequence[int]) -> dict[str, Any]:
    """The row with only the keyframes at `indices` (frames, their timestamps and frame numbers; an image sample's
    null timestamps and numbers stay null)."""
    keys = ("frames", "frame_timestamps_s", "frame_indices")
    return {**row, **{key: [row[key][i] for i in indices] for key in keys if row.get(key) is not None}}


def infer(config: InferConfig, engine: Engine | None = None, on_progress: ProgressFn | None = None) -> InferReport:
    """Answer every planned item of `config.data` into `config.out`; `engine` overrides the configured one
    (tests, or a model already loaded); `on_progress` is called after each batch (a progress bar). Bad options
    raise `ConfigError` before any model loads."""
    started = time.perf_counter()
    # -- setup ---------------------------------------------------------------------------------------------
    strategy = config.strategy()
    templates = Templates(config.engine.prompt_templates)
    done = _done_ids(config.out)
    _check_resume(config, templates.digest, bool(done) or (config.out.exists() and config.out.stat().st_size > 0))
    report = InferReport(config.out)
    owned = engine is None
    frames_total = 0
    todo = _count_todo(config, done) if on_progress else 0
    try:
        config.out.parent.mkdir(parents=True, exist_ok=True)
        with config.out.open("a", encoding="utf-8") as f:
            for batch in _plan(config, done, report):
                if engine is None:
                    engine = create_engine(config.engine)
                # -- rollout and select ------------------------------------------------------------------------
                records = _answer(config, engine, templates, strategy, batch, report)
                # -- write ---------------------------------------------------------------------------------
                f.write("".join(json.dumps(r) + "\n" for r in records))
                f.flush()
                report.items += len(records)
                frames_total += sum(r["frames_used"] for r in records)
                if on_progress:
                    on_progress(report.items, todo)
    finally:
        if owned and engine is not None:
            engine.close()
    report.mean_frames = frames_total / report.items if report.items else 0.0
    report.wall_s = time.perf_counter() - started
    log.info("answered %d items (%d resumed) in %.1fs", report.items, report.resumed, report.wall_s)
    return report


def options_path(out: Path) -> Path:
    """The sidecar of a predictions file: `OUT.vdata.json` holds the options that made it."""
    return out.with_name(out.name + ".vdata.json")


def _options(config: InferConfig, template_hash: str) -> dict[str, Any]:
    """The options that decide each item's answer; a resume must match them exactly. Which rows are answered
    (`split`, `tasks`, `limit`) and `batch_size` are left out: a rerun with a larger `limit` adds items."""
    from vdata import __version__

    return {
        "vdata": __version__,
        "data": str(config.data.resolve()),
        "model": config.engine.model,
        "engine": config.engine.name,
        "sampling": asdict(config.engine.sampling),
        "template_hash": template_hash,
        "max_pixels": config.engine.max_pixels,
        "dtype": config.engine.dtype,
        "n": config.n,
        "select": config.select,
        "verifier": config.verifier if config.select == "best" else None,
        "adaptive": config.adaptive,
        "min_frames": config.min_frames if config.adaptive else None,
        "max_frames": config.max_frames,
        "agree": config.agree if config.adaptive else None,
    }


def _check_resume(config: InferConfig, template_hash: str, resuming: bool) -> None:
    """Refuse to append to predictions made with other options (or by something else); else record the options
    in the sidecar `OUT.vdata.json`."""
    options = _options(config, template_hash)
    sidecar = options_path(config.out)
    if resuming:
        try:
            recorded = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            raise ConfigError(f"{config.out} already holds predictions but no readable {sidecar.name} (the options "
                              "that made them): use another --out, or delete it to start again") from None
        changed = sorted(k for k in options.keys() | recorded.keys() if options.get(k) != recorded.get(k))
        if changed:
            raise ConfigError(f"{config.out} already holds predictions made with other options (differing: "
                              f"{', '.join(changed)}; see {sidecar.name}): use another --out, or delete it to start "
                              "again")
        return
    sidecar.parent.mkdir(parents=True, exist_ok=True)
    sidecar.write_text(json.dumps(options, indent=2) + "\n", encoding="utf-8")


def _done_ids(out: Path) -> set[str]:
    if not out.exists():
        return set()
    ids = set()
    for line in out.read_text(encoding="utf-8").splitlines():
        try:
            ids.add(json.loads(line)["id"])
        except (json.JSONDecodeError, KeyError, TypeError):
            continue  # a line cut by a kill: that item is answered again
    return ids


def _selected(config: InferConfig, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The rows `config` asks for (its `tasks`, then the first `limit`), in dataset order."""
    planned = 0
    for row in rows:
        if config.tasks is not None and row["task"] not in config.tasks:
            continue
        if config.limit is not None and planned >= config.limit:
            break
        planned += 1
        yield row


def _count_todo(config: InferConfig, done: set[str]) -> int:
    """How many items this run answers (the planned rows not in `done`), read without frame bytes."""
    from vdata.shards import iter_rows

    rows = iter_rows(config.data, columns=["id", "task"], split=config.split, batch_rows=4096)
    return sum(row["id"] not in done for row in _selected(config, rows))


def _plan(config: InferConfig, done: set[str], report: InferReport) -> Iterator[list[dict[str, Any]]]:
    from vdata.shards import iter_rows

    batch: list[dict[str, Any]] = []
    for row in _selected(config, iter_rows(config.data, split=config.split, batch_rows=config.engine.batch_size)):
        if row["id"] in done:
            report.resumed += 1
            continue
        batch.append(row)
        if len(batch) >= config.engine.batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _answer(config: InferConfig, engine: Engine, templates: Templates, strategy: Strategy,
            rows: list[dict[str, Any]], report: InferReport) -> list[dict[str, Any]]:
    """One record per row. Each round asks the engine for every still-open row at its current frame count."""
    caps = [min(len(r["frames"]), config.max_frames or len(r["frames"])) for r in rows]
    counts = [min(config.min_frames, c) if config.adaptive else c for c in caps]
    rounds: list[list[dict[str, Any]]] = [[] for _ in rows]
    final: dict[int, tuple[list[str], Selection, list[int]]] = {}
    open_rows = list(range(len(rows)))
    while open_rows:
        subsets = {i: frame_subset(len(rows[i]["frames"]), counts[i]) for i in open_rows}
        prompts = [templates.prompt(with_frames(rows[i], subsets[i])) for i in open_rows]
        texts = engine.generate(prompts, config.n, config.engine.sampling)
        if len(texts) != len(prompts) or any(len(ts) != config.n for ts in texts):
            raise EngineError(f"engine {config.engine.name} returned {[len(ts) for ts in texts]} texts for "
                              f"{len(prompts)} prompts x {config.n} samples")
        report.calls += 1
        report.candidates += sum(len(ts) for ts in texts)
        still_open = []
        for i, ts in zip(open_rows, texts, strict=True):
            selection = strategy.select(ts, rows[i])
            rounds[i].append({"frames": counts[i], "agreement": round(selection.agreement, 6),
                              "selected": ts[selection.index]})
            final[i] = (ts, selection, subsets[i])
            if config.adaptive and selection.agreement < config.agree and counts[i] < caps[i]:
                counts[i] = min(2 * counts[i], caps[i])
                still_open.append(i)
            elif config.adaptive and counts[i] < caps[i]:
                report.stopped_early += 1
        open_rows = still_open
    records = []
    for i, row in enumerate(rows):
        ts, selection, subset = final[i]
        records.append({
            "id": row["id"], "task": row["task"], "response": ts[selection.index], "strategy": strategy.name,
            "selected": selection.index, "agreement": round(selection.agreement, 6), "votes": selection.votes,
            "scores": selection.scores, "candidates": ts, "frames_used": len(subset),
            "frame_timestamps_s": None if row.get("frame_timestamps_s") is None  # an image sample
            else [row["frame_timestamps_s"][j] for j in subset], "rounds": rounds[i],
        })
    return records
