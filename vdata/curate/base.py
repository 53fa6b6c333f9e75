"""The curate driver: every step reads built datasets, decides per sample, and writes a new dataset plus a report.

A step (`Step`, one module each, registered in `STEPS`) only decides: `decide(context)` returns one `Decision`
per input sample (keep or drop with a reason, and the column values to rewrite) and the step's own report
columns. The driver does the rest the same way for every step:

- the fingerprint (step, options, inputs, vdata version and `code_sha256` of the step's code) keys the run:
  a finished `--out` with the same fingerprint is a no-op, one with another is refused, and an unfinished one
  resumes (the `ShardWriter` journal skips the rows already committed; a step that calls a model journals its
  answers in `context.work`, so a resume asks nothing twice);
- kept rows are copied in input order through the `ShardWriter` (same layout, schema and manifest as a build);
- the report, one row per input sample (`input`, `id`, `source`, `task`, `kept`, `reason`, then the step's
  columns), is written to `OUT/curate-<step>.parquet` before the manifest, so DuckDB can query it:
  `SELECT reason, count(*) FROM 'OUT/curate-dedup.parquet' GROUP BY reason`.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.parquet as pq

import vdata
from vdata.errors import ConfigError
from vdata.options import parse_size
from vdata.registry import Registry
from vdata.schemas import COLUMNS, SCHEMA_VERSION, parse_meta
from vdata.shards import (
    MANIFEST_NAME,
    FingerprintMismatch,
    ShardInfo,
    ShardWriter,
    counts,
    iter_rows,
    read_manifest,
    read_table,
)
from vdata.shards.writer import WORK_DIR

log = logging.getLogger(__name__)

#: (phase name, done, total): what progress bars show.
ProgressFn = Callable[[str, int, int], None]
#: A sample across inputs: (index of its input in `Context.inputs`, id).
Key = tuple[int, str]
#: The columns every report starts with.
REPORT_BASE = pa.schema([("input", pa.string()), ("id", pa.string()), ("source", pa.string()),
                         ("task", pa.string()), ("kept", pa.bool_()), ("reason", pa.string())])


@dataclass(frozen=True)
class Decision:
    """What happens to one input sample: `keep` it or not, `reason` (why dropped, or what was done; `""` for
    nothing), `updates` (column -> new value; `meta` is a dict merged into the row's meta) and `report` (the
    step's report columns)."""

    keep: bool
    reason: str = ""
    updates: Mapping[str, Any] = field(default_factory=dict)
    report: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """What a step sees: the input datasets (resolved, in command-line order), the run's work folder (journals
    live there and go away with it when the run finishes) and the progress callback."""

    inputs: list[Path]
    work: Path
    progress: ProgressFn

    def meta(self, columns: Sequence[str]) -> Iterator[tuple[Key, dict[str, Any]]]:
        """Every sample of every input as (key, row with only `columns`), in input order (no frame bytes unless
        asked)."""
        for i, root in enumerate(self.inputs):
            for row in iter_rows(root, columns=columns):
                yield (i, row["id"]), row

    def count(self) -> int:
        """Samples in all inputs together (Parquet metadata only)."""
        return sum(read_table(root, columns=["id"]).num_rows for root in self.inputs)


class Step:
    """Base of every curate step: `options` (a frozen dataclass), `report_schema` (its report columns) and
    `decide`, which returns a `Decision` for every input sample and a JSON-able summary for the manifest."""

    name: ClassVar[str] = ""
    report_schema: ClassVar[pa.Schema] = pa.schema([])
    #: Most inputs the step reads (dedup reads several; the others one).
    max_inputs: ClassVar[int] = 1

    def __init__(self, options: Any) -> None:
        self.options = options

    def code(self) -> list[type]:
        """Classes whose modules decide the output, hashed into the fingerprint (the step's own by default)."""
        return [type(self)]

    def decide(self, context: Context) -> tuple[dict[Key, Decision], dict[str, Any]]:
        raise NotImplementedError


STEPS: Registry[type[Step]] = Registry("curate step")
#: Class decorator: make a step available as `vdata curate <name>`.
register = STEPS.register


@dataclass
class CurateReport:
    """What a curate run did: samples in and out, dropped samples per reason, the step's `summary`, the report
    table's path, seconds of wall time; `already_done` when `out` held this exact run."""

    out: Path
    step: str
    rows_in: int = 0
    rows_out: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    report_path: Path | None = None
    wall_s: float = 0.0
    already_done: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["out"], data["report_path"] = str(self.out), str(self.report_path) if self.report_path else None
        return data


def report_name(step: str) -> str:
    """The report table's file name in the output folder.

    >>> report_name("dedup")
    'curate-dedup.parquet'
    """
    return f"curate-{step}.parquet"


def fingerprint(step: Step, inputs: Sequence[Path]) -> dict[str, Any]:
    """What the output depends on: step, options, inputs (with their manifests' shard hashes), vdata version and
    the sha256 of the step's code (`vdata.build.fingerprint.code_sha256`, the one code hash: the step's modules
    and the row-making code it hashes for builds, `vdata.tasks` and `vdata.schemas` among them)."""
    from vdata.build.fingerprint import code_sha256  # the build package: imported only when a step runs

    shards = [[s.get("sha256") for s in read_manifest(root).get("shards", [])] for root in inputs]
    return {"step": step.name, "options": _jsonable(asdict(step.options)), "inputs": [str(p) for p in inputs],
            "input_shards": shards, "vdata_version": vdata.__version__, "code_sha256": code_sha256(step.code())}


def run_step(step: Step, inputs: Sequence[str | Path], out: str | Path, shard_size: str = "256MB",
             on_progress: ProgressFn | None = None) -> CurateReport:
    """Run `step` over `inputs` into `out` (see the module docstring); returns the report. Bad options or
    inputs raise `ConfigError` / `VdataError` before any work."""
    from vdata.build.fingerprint import describe_change

    started = time.perf_counter()
    roots = [Path(p).expanduser().resolve() for p in inputs]
    out = Path(out)
    if not roots:
        raise ConfigError(f"curate {step.name}: give at least one input dataset")
    if len(roots) > step.max_inputs:
        raise ConfigError(f"curate {step.name} reads {step.max_inputs} dataset(s), got {len(roots)}")
    for root in roots:
        read_manifest(root)  # a finished dataset, or a one-line error naming it
        if root == out.expanduser().resolve():
            raise ConfigError(f"--out must differ from the input dataset, got {out}")
    fp = fingerprint(step, roots)
    if (out / MANIFEST_NAME).exists():
        manifest = read_manifest(out)
        done = manifest.get("curate", {})
        if done.get("fingerprint") == fp:
            return CurateReport(out, step.name, done["rows_in"], done["rows_out"], done["dropped"], done["summary"],
                                out / done["report"], already_done=True)
        what, _ = describe_change(done.get("fingerprint"), fp)
        raise ConfigError(f"{out} already holds a finished dataset made with {what}; use another --out")
    try:
        writer = ShardWriter(out, fp, parse_size(shard_size))
    except FingerprintMismatch as e:
        what, _ = describe_change(e.found, fp)
        raise ConfigError(f"{out} holds an unfinished run made with {what}; run the same command with the same "
                          f"vdata to resume it, or remove {out / WORK_DIR} to start over") from None
    progress = on_progress or (lambda phase, done, total: None)
    try:
        decisions, summary = step.decide(Context(roots, writer.work, progress))
        report = CurateReport(out, step.name, summary=summary)
        records = _write(step, roots, decisions, writer, report, progress)
        report.report_path = out / report_name(step.name)
        _write_report(step, records, report.report_path)
    except BaseException:
        writer.discard()
        raise
    report.wall_s = time.perf_counter() - started
    writer.finish(lambda shards: _describe(step, fp, roots, report, shards))
    log.info("curate %s: %d of %d samples kept", step.name, report.rows_out, report.rows_in)
    return report


def apply(row: dict[str, Any], updates: Mapping[str, Any]) -> dict[str, Any]:
    """`row` with `updates` applied; `updates["meta"]` (a dict) is merged into the row's parsed meta.

    >>> apply({"id": "a", "meta": '{"x": 1}'}, {"meta": {"y": 2}})
    {'id': 'a', 'meta': '{"x": 1, "y": 2}'}
    """
    new = {**row, **{k: v for k, v in updates.items() if k != "meta"}}
    if "meta" in updates:
        new["meta"] = json.dumps({**parse_meta(row.get("meta")), **updates["meta"]})
    return new


def _write(step: Step, roots: list[Path], decisions: dict[Key, Decision], writer: ShardWriter,
           report: CurateReport, progress: ProgressFn) -> list[dict[str, Any]]:
    """Copy the kept rows in input order; returns the report records. An id already written from an earlier
    input gets `#in<k>` (k = its input's index) so ids stay unique."""
    records = []
    used: set[str] = set()
    dropped: Counter[str] = Counter()
    total = len(decisions)
    for i, root in enumerate(roots):
        for row in iter_rows(root, columns=list(COLUMNS)):
            decision = decisions.get((i, row["id"]))
            if decision is None:
                raise ConfigError(f"{root}: sample {row['id']!r} appears twice, or changed during the run")
            report.rows_in += 1
            reason = decision.reason
            if decision.keep:
                new = apply(row, decision.updates)
                if new["id"] in used:
                    new["id"] = f"{new['id']}#in{i}"
                    reason = (reason + "; " if reason else "") + f"renamed {new['id']}"
                used.add(new["id"])
                if new["id"] not in writer.done_ids:
                    writer.add(new)
                report.rows_out += 1
            else:
                dropped[reason.split(":")[0]] += 1
            records.append({"input": str(root), "id": row["id"], "source": row["source"], "task": row["task"],
                            "kept": decision.keep, "reason": reason, **decision.report})
            if report.rows_in % 256 == 0:
                progress("write", report.rows_in, total)
    progress("write", report.rows_in, total)
    report.dropped = dict(sorted(dropped.items()))
    return records


def _write_report(step: Step, records: list[dict[str, Any]], path: Path) -> None:
    schema = pa.schema([*REPORT_BASE, *step.report_schema])
    table = pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in records], schema=schema)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def _describe(step: Step, fp: dict[str, Any], roots: list[Path], report: CurateReport,
              shards: list[ShardInfo]) -> dict[str, Any]:
    table = read_table(report.out, columns=["split", "task"])
    return {
        "format": "vdata",
        "schema_version": SCHEMA_VERSION,
        "vdata_version": vdata.__version__,
        "source": {"paths": [str(r) for r in roots],
                   "build": read_manifest(roots[0]).get("build") if len(roots) == 1 else None},
        "curate": {"step": step.name, "fingerprint": fp, "options": fp["options"],
                   "report": report_name(step.name), "rows_in": report.rows_in, "rows_out": report.rows_out,
                   "dropped": report.dropped, "summary": report.summary},
        "counts": {"rows": table.num_rows,
                   "rows_by_split": dict(sorted(counts(table.column("split")).items())),
                   "rows_by_task": dict(sorted(counts(table.column("task")).items())),
                   "bytes": sum(s.bytes for s in shards)},
    }


def _jsonable(value: Any) -> Any:
    """Options as JSON values: paths as strings, tuples as lists."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value
