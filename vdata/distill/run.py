"""The distill loop: built dataset -> teacher candidates -> rewards as verifier -> distilled dataset.

Sections: setup (options, templates, verifier, writer and journal, engine), plan (which items, which are done),
rollout (a prefetch thread reads rows and renders prompts while the engine generates), verify, write (journal
first, then shard rows), finish (manifest with the run's settings and pass rates).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import vdata
from vdata.distill.config import DistillConfig
from vdata.distill.journal import JOURNAL_NAME, Journal
from vdata.distill.ray import replicated_or_single
from vdata.distill.verify import Verifier, output_rows
from vdata.engines import EngineError, Prompt, Templates
from vdata.errors import ConfigError
from vdata.options import parse_size
from vdata.schemas import SCHEMA_VERSION
from vdata.shards import MANIFEST_NAME, ShardInfo, ShardWriter, iter_rows, read_manifest, read_table
from vdata.shards.writer import WORK_DIR

log = logging.getLogger(__name__)


@dataclass
class Progress:
    """A snapshot for progress bars: items verified this run out of `total`, candidates generated, items with a
    passing candidate, seconds since start."""

    done: int
    total: int
    candidates: int
    passed: int
    elapsed_s: float

    @property
    def items_per_s(self) -> float:
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def candidates_per_s(self) -> float:
        return self.candidates / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def pass_rate(self) -> float:
        return self.passed / self.done if self.done else 0.0


ProgressFn = Callable[[Progress], None]


@dataclass
class DistillReport:
    """What a distill run did. Counts cover the whole dataset (resumed items included); timings this process.

    `per_task` maps task -> {"items", "passed"}; `load_s` = seconds loading the engine (the model);
    `engine_s` = seconds inside `engine.generate` (its input preprocessing `preprocess_s` included), `model_s` =
    seconds inside the model's generate call only.
    """

    out: Path
    items: int = 0
    items_asked: int = 0
    items_resumed: int = 0
    candidates: int = 0
    passed: int = 0
    rows: int = 0
    rejected_rows: int = 0
    per_task: dict[str, dict[str, int]] = field(default_factory=dict)
    wall_s: float = 0.0
    load_s: float = 0.0
    engine_s: float = 0.0
    preprocess_s: float = 0.0
    model_s: float = 0.0
    generated_tokens: int = 0
    already_done: bool = False

    @property
    def pass_rate(self) -> float:
        return self.passed / self.items if self.items else 0.0

    @property
    def items_per_s(self) -> float:
        return self.items_asked / self.wall_s if self.wall_s else 0.0

    @property
    def tokens_per_s(self) -> float:
        return self.generated_tokens / self.wall_s if self.wall_s else 0.0

    @property
    def outside_engine_share(self) -> float:
        """Share of wall time (less model loading) outside `engine.generate`: reading shards, building prompts,
        scoring, journaling and writing."""
        busy_s = self.wall_s - self.load_s
        return 1 - self.engine_s / busy_s if busy_s > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["out"] = str(self.out)
        data.update(pass_rate=self.pass_rate, items_per_s=self.items_per_s, tokens_per_s=self.tokens_per_s,
                    outside_engine_share=self.outside_engine_share)
        return data


def distill(config: DistillConfig, on_progress: ProgressFn | None = None) -> DistillReport:
    """Distill `config.input` into `config.out`; resumes a killed run with the same options (no item is asked
    twice) and is a no-op on a finished one. Returns the report; bad options raise `ConfigError` before any
    model loads."""
    started = time.perf_counter()
    # -- setup ---------------------------------------------------------------------------------------------
    read_manifest(config.input)  # a finished dataset, or a clear error
    templates = Templates(config.engine.prompt_templates)
    verifier = Verifier(config.verify, config.threshold, config.task_thresholds)
    fingerprint = _fingerprint(config, templates.digest)
    if (config.out / MANIFEST_NAME).exists():
        manifest = read_manifest(config.out)
        if manifest.get("distill", {}).get("fingerprint") == fingerprint:
            return DistillReport(config.out, already_done=True, **manifest["distill"]["report_counts"])
        raise ConfigError(f"{config.out} already holds a finished dataset made with other options; use another --out")
    # -- plan -------------------------------------------------------------------------------------------------
    plan = _plan(config)
    writer = ShardWriter(config.out, fingerprint, parse_size(config.shard_size))
    journal = Journal(config.out / WORK_DIR / JOURNAL_NAME)
    report = DistillReport(config.out, items_resumed=sum(1 for i in plan if i in journal.entries))
    todo = len(plan) - report.items_resumed
    run_info = {"teacher": config.engine.model, "engine": config.engine.name, "template_hash": templates.digest}
    t = time.perf_counter()
    engine = replicated_or_single(config.engine, config.replicas, config.ray_address) if todo else None
    report.load_s = time.perf_counter() - t
    try:
        done = candidates = passed = 0
        for ask, replay in _prefetch(_work(config, plan, journal, templates)):
            # -- rows of items verified before a kill but not yet committed: rebuilt, the teacher is not asked
            for row in replay:
                _, cands = journal.entries[row["id"]]
                for out in output_rows(row, cands, config.keep, config.keep_rejected, run_info):
                    if out["id"] not in writer.done_ids:
                        writer.add(out)
            if not ask:
                continue
            # -- rollout ----------------------------------------------------------------------------------------
            rows, prompts = zip(*ask, strict=True)
            t = time.perf_counter()
            texts = engine.generate(prompts, config.samples, config.engine.sampling)  # type: ignore[union-attr]
            report.engine_s += time.perf_counter() - t
            if len(texts) != len(prompts) or any(len(ts) != config.samples for ts in texts):
                raise EngineError(f"engine {config.engine.name} returned {[len(ts) for ts in texts]} texts for "
                                  f"{len(prompts)} prompts x {config.samples} samples")
            # -- verify -----------------------------------------------------------------------------------------
            judged = [(row, verifier.judge(ts, row)) for row, ts in zip(rows, texts, strict=True)]
            # -- write: journal first (the teacher's answers are safe), then the shard rows --------------------
            journal.append([(row["id"], row["task"], cands) for row, cands in judged])
            for row, cands in judged:
                for out in output_rows(row, cands, config.keep, config.keep_rejected, run_info):
                    writer.add(out)
                candidates += len(cands)
                passed += any(c.passed for c in cands)
            done += len(rows)
            if on_progress:
                on_progress(Progress(done, todo, candidates, passed, time.perf_counter() - started))
    finally:
        if engine is not None:
            _record_engine(report, engine)
            engine.close()
    # -- finish -----------------------------------------------------------------------------------------------
    report.items_asked = done
    _count(report, plan, journal)
    report.wall_s = time.perf_counter() - started
    writer.finish(lambda shards: _describe(config, fingerprint, templates, report, shards))
    log.info("distilled %d items: %d passed, %d rows", report.items, report.passed, report.rows)
    return report


def _fingerprint(config: DistillConfig, template_hash: str) -> dict[str, Any]:
    """The options that decide the output; a resume must match them exactly."""
    return {
        "input": str(config.input.resolve()),
        "teacher": config.engine.model,
        "engine": config.engine.name,
        "samples": config.samples,
        "sampling": asdict(config.engine.sampling),
        "keep": config.keep,
        "keep_rejected": config.keep_rejected,
        "verify": [list(v) for v in config.verify],
        "threshold": config.threshold,
        "task_thresholds": dict(sorted(config.task_thresholds.items())),
        "template_hash": template_hash,
        "tasks": sorted(config.tasks) if config.tasks is not None else None,
        "limit": config.limit,
        "max_pixels": config.engine.max_pixels,
    }


def _plan(config: DistillConfig) -> dict[str, str]:
    """id -> task of the items to distill, in input order: the task filter, then `limit`."""
    table = read_table(config.input, columns=["id", "task"])
    plan: dict[str, str] = {}
    for i, task in zip(table.column("id").to_pylist(), table.column("task").to_pylist(), strict=True):
        if config.tasks is None or task in config.tasks:
            plan[i] = task
            if config.limit is not None and len(plan) >= config.limit:
                break
    return plan


Work = tuple[list[tuple[dict[str, Any], Prompt]], list[dict[str, Any]]]


def _work(config: DistillConfig, plan: dict[str, str], journal: Journal, templates: Templates) -> Iterator[Work]:
    """Batches of (rows to ask with their prompts, journaled rows to replay), reading the input once and
    stopping after the last planned item."""
    ask: list[tuple[dict[str, Any], Prompt]] = []
    replay: list[dict[str, Any]] = []
    left = len(plan)
    for row in iter_rows(config.input):
        if not left:
            break
        if row["id"] not in plan:
            continue
        left -= 1
        if row["id"] in journal.entries:
            replay.append(row)
        else:
            ask.append((row, templates.prompt(row)))
        if len(ask) >= config.engine.batch_size or len(replay) >= config.engine.batch_size:
            yield ask, replay
            ask, replay = [], []
    if ask or replay:
        yield ask, replay


def _prefetch(work: Iterator[Work], depth: int = 2) -> Iterator[Work]:
    """Run `work` in a thread `depth` batches ahead, so reading and prompt building overlap generation."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    end = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in work:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(end)
        except BaseException as e:  # handed to the consumer, which re-raises it
            q.put(e)

    thread = threading.Thread(target=produce, name="vdata-distill-prefetch", daemon=True)
    thread.start()
    try:
        while (item := q.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def _record_engine(report: DistillReport, engine: Any) -> None:
    report.preprocess_s = engine.stats.preprocess_s
    report.model_s = engine.stats.generate_s
    report.generated_tokens = engine.stats.generated_tokens


def _count(report: DistillReport, plan: dict[str, str], journal: Journal) -> None:
    """Item, candidate and pass counts per task over every journaled item of the plan."""
    for item_id, task in plan.items():
        if item_id not in journal.entries:
            continue
        _, cands = journal.entries[item_id]
        ok = any(c.passed for c in cands)
        counts = report.per_task.setdefault(task, {"items": 0, "passed": 0})
        counts["items"] += 1
        counts["passed"] += ok
        report.items += 1
        report.passed += ok
        report.candidates += len(cands)


def _describe(
    config: DistillConfig, fingerprint: dict[str, Any], templates: Templates, report: DistillReport,
    shards: list[ShardInfo],
) -> dict[str, Any]:
    table = read_table(config.out, columns=["split", "task"])
    splits = table.column("split").to_pylist()
    report.rows = len(splits)
    report.rejected_rows = splits.count("rejected")
    source = read_manifest(config.input)
    counts_fields = ("items", "candidates", "passed", "rows", "rejected_rows", "per_task")
    return {
        "format": "vdata",
        "schema_version": SCHEMA_VERSION,
        "vdata_version": vdata.__version__,
        "source": {"path": str(config.input.resolve()), "build": source.get("build"), "counts": source.get("counts")},
        "distill": {
            "fingerprint": fingerprint,
            "teacher": config.engine.model,
            "engine": config.engine.name,
            "samples": config.samples,
            "sampling": asdict(config.engine.sampling),
            "verify": [list(v) for v in config.verify],
            "threshold": config.threshold,
            "task_thresholds": config.task_thresholds,
            "keep": config.keep,
            "template_hash": templates.digest,
            "report_counts": {k: getattr(report, k) for k in counts_fields},
            "pass_rate_by_task": {
                t: round(c["passed"] / c["items"], 4) if c["items"] else None for t, c in sorted(report.per_task.items())
            },
        },
        "run": {
            "wall_s": round(report.wall_s, 3),
            "items_asked": report.items_asked,
            "items_resumed": report.items_resumed,
            "generated_tokens": report.generated_tokens,
        },
        "counts": {
            "rows": report.rows,
            "rows_by_split": {s: splits.count(s) for s in sorted(set(splits))},
            "rows_by_task": {t: n for t, n in _tally(table.column("task").to_pylist()).items()},
            "bytes": sum(s.bytes for s in shards),
        },
    }


def _tally(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))
