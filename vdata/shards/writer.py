"""Write rows into Parquet shards atomically, with a journal that makes a killed build resumable.

While a build runs, rows stream into one open part per split under `OUT/.vdata-build/parts/` (a `.tmp` file,
row group by row group: memory holds one row group). A part that reaches the shard size is closed, renamed, and
committed by one line appended to `OUT/.vdata-build/journal.jsonl` that lists the ids it holds (and the ids of
the failed items recorded since the previous commit, whose rows go to an errors part). Only committed parts
count: after `kill -9`, `ShardWriter` reopens the journal (every rewrite of it is a new file, fsynced, renamed
over the old one; a commit is one appended line, and a line cut short by a kill is dropped), deletes anything uncommitted and reports the ids
that are done, so the build skips exactly those. `finish()` renames the parts into the Hugging Face layout
`OUT/data/{split}-00000-of-0000N.parquet` (deleting any other file there), writes `OUT/errors.parquet` and the
metadata index `OUT/index.parquet` (`vdata.shards.index`), then the manifest `OUT/vdata.json` last.

Rows arrive one at a time (`add`, a dict) or as Arrow tables (`add_table`, for copies such as `vdata mix`); both
cut parts and row groups at the same rows.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vdata.errors import ConfigError
from vdata.schemas import COLUMNS, SCHEMA, rows_to_table, validate_table
from vdata.shards.errors_table import ERRORS_SCHEMA, error_table
from vdata.shards.index import write_index
from vdata.shards.manifest import MANIFEST_NAME, file_sha256, parquet_write_options, shard_name

WORK_DIR = ".vdata-build"
#: Bytes per Parquet row group (counted as `row_bytes`): a writer holds at most this much in memory per open part;
#: large enough that the footer stays small and a metadata scan reads few, long column chunks.
ROW_GROUP_BYTES = 32 << 20
#: Bytes counted per row on top of its JPEG bytes (labels, timestamps, Parquet overhead).
ROW_OVERHEAD_BYTES = 1024


def row_bytes(row: dict[str, Any]) -> int:
    """The bytes a row counts for toward row group and shard sizes: its JPEG bytes plus `ROW_OVERHEAD_BYTES`.

    >>> row_bytes({"frames": [{"bytes": b"x" * 1000, "path": None}]})
    2024
    """
    return ROW_OVERHEAD_BYTES + sum(len(f["bytes"]) for f in row["frames"])


def table_row_bytes(table: pa.Table) -> np.ndarray:
    """`row_bytes` of every row of a schema-v1 table, as int64 `[rows]`."""
    frames = table.column("frames")
    lengths = pc.fill_null(pc.binary_length(pc.struct_field(pc.list_flatten(frames), "bytes")), 0)
    per_row = np.bincount(pc.list_parent_indices(frames).to_numpy(), weights=lengths.to_numpy(),
                          minlength=table.num_rows)
    return per_row.astype(np.int64) + ROW_OVERHEAD_BYTES


class FingerprintMismatch(ConfigError):
    """The folder holds an unfinished build whose journal names another fingerprint, `found` (None when the
    journal has none); a caller that knows what the keys mean can say what changed."""

    def __init__(self, message: str, found: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.found = found


@dataclass(frozen=True)
class ShardInfo:
    """One finished shard: its path relative to the dataset root, split, row count, size and sha256."""

    path: str
    split: str
    rows: int
    bytes: int
    sha256: str


class ShardWriter:
    """Append rows and error rows; commit parts of about `shard_size_bytes`; `finish()` lays out the dataset.

    `fingerprint` (JSON-able) identifies the build's options: resuming with different options is refused
    (`FingerprintMismatch`). Rows reach the file in row groups of about `row_group_bytes` (counted as
    `row_bytes`; one row group at least one row).
    """

    def __init__(self, out: str | Path, fingerprint: dict[str, Any], shard_size_bytes: int,
                 row_group_bytes: int = ROW_GROUP_BYTES) -> None:
        self.out = Path(out)
        self.work = self.out / WORK_DIR
        self.parts_dir = self.work / "parts"
        self.journal_path = self.work / "journal.jsonl"
        self.shard_size_bytes = shard_size_bytes
        self.row_group_bytes = row_group_bytes
        self.fingerprint = fingerprint
        self.done_ids: set[str] = set()
        self.committed: list[dict[str, Any]] = []
        self._open: dict[str, _OpenPart] = {}
        self._errors: list[dict[str, Any]] = []
        self._error_ids: list[str] = []
        self._next_part = 0
        self._start()

    # -- start / resume -------------------------------------------------------------------------------------
    def _start(self) -> None:
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        if not self.journal_path.exists() or not self._replay():
            self._rewrite([{"fingerprint": self.fingerprint}])
        committed_files = self._committed_files()
        for leftover in self.parts_dir.iterdir():
            if leftover.name not in committed_files:
                leftover.unlink()

    def _committed_files(self) -> set[str]:
        """Names of the part and errors-part files the journal commits."""
        return {c["file"] for c in self.committed if c["file"]} | {c["errors"] for c in self.committed if c["errors"]}

    def _replay(self) -> bool:
        """Read the journal back; False when it holds no complete line (a kill before its first line was in
        place: nothing was committed)."""
        with self.journal_path.open(encoding="utf-8") as f:
            lines = f.read().splitlines()
        entries = []
        for line in lines:
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a line cut short by a kill: nothing after it was committed
        if not entries:
            return False
        if entries[0].get("fingerprint") != self.fingerprint:
            raise FingerprintMismatch(
                f"{self._name(self.out)} holds an unfinished build with other options; re-run it with the same "
                f"options to resume, or remove {self._name(self.work)} to start over",
                entries[0].get("fingerprint"),
            )
        for entry in entries[1:]:
            if "file" in entry:
                self.committed.append(entry)
                self.done_ids.update(entry["ids"])
                self.done_ids.update(entry["error_ids"])
                self._next_part = max(self._next_part, entry["part"] + 1)
        self._rewrite(entries)  # without a torn last line
        return True

    def _rewrite(self, entries: list[dict[str, Any]]) -> None:
        """Replace the journal by `entries` atomically: a new file, fsynced, renamed over the old one (a kill
        at any point leaves the old journal or the new one, never a part of either)."""
        tmp = self.journal_path.with_name(self.journal_path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            f.write("".join(json.dumps(e) + "\n" for e in entries))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.journal_path)
        _fsync_dir(self.journal_path.parent)

    def _name(self, path: Path) -> str:
        """How messages name `path` (a subclass that stages files names where they end up)."""
        return str(path)

    def _append(self, entry: dict[str, Any]) -> None:
        """One commit line (a kill mid-write leaves a torn last line, which `_replay` drops: not committed)."""
        with self.journal_path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def _record(self, entry: dict[str, Any]) -> None:
        """Commit `entry` (its part and errors part are closed): one journal line, then its ids count as done."""
        self._append(entry)
        self.committed.append(entry)
        self.done_ids.update(entry["ids"])
        self.done_ids.update(entry["error_ids"])

    # -- writing ----------------------------------------------------------------------------------------------
    def add(self, row: dict[str, Any]) -> None:
        """Buffer one schema-v1 row; may close and commit its split's part."""
        split = row["split"]
        part = self._open.get(split)
        if part is None:
            part = self._open[split] = _OpenPart(self.parts_dir, split, self._next_part, self.row_group_bytes)
            self._next_part += 1
        part.add(row)
        if part.bytes >= self.shard_size_bytes:
            self._commit(split)

    @staticmethod
    def warm_up() -> None:
        """Do pyarrow's one-time set-up for converting Python rows now: its first conversion of Python objects in
        a process imports pandas when it is installed (0.2 s here). A build calls this once its first item is on
        its way to a worker, so that the import runs beside the item rather than after it."""
        rows_to_table([])

    def add_table(self, table: pa.Table) -> None:
        """Append the rows of a schema-v1 table, in order: the same parts, row groups and commits as `add` of
        each row (pending errors may join another part's commit than they would row by row)."""
        table = pa.Table.from_arrays(table.select(list(COLUMNS)).columns, schema=SCHEMA)
        validate_table(table)
        splits = pc.unique(table.column("split")).to_pylist()
        for split in splits:
            rows = table if len(splits) == 1 else table.filter(pc.equal(table.column("split"), split))
            sizes = table_row_bytes(rows)
            start = 0
            while start < rows.num_rows:
                part = self._open.get(split)
                if part is None:
                    part = self._open[split] = _OpenPart(self.parts_dir, split, self._next_part,
                                                         self.row_group_bytes)
                    self._next_part += 1
                end = start + _rows_until(part.bytes, sizes[start:], self.shard_size_bytes)
                part.add_table(rows.slice(start, end - start), sizes[start:end])
                if part.bytes >= self.shard_size_bytes:
                    self._commit(split)
                start = end

    def add_error(self, error: dict[str, Any]) -> None:
        """Record one failed item (see `errors_table.ERRORS_SCHEMA` for the fields)."""
        self._errors.append(error)
        self._error_ids.append(error["id"])

    def _commit(self, split: str) -> None:
        part = self._open.pop(split)
        path, rows, ids, size, digest = part.close()
        errors_file = self._write_errors(part.number)
        entry = {
            "part": part.number,
            "split": split,
            "file": path.name,
            "rows": rows,
            "bytes": size,
            "sha256": digest,
            "ids": ids,
            "errors": errors_file,
            "error_ids": self._error_ids,
        }
        self._record(entry)
        self._errors, self._error_ids = [], []

    def _write_errors(self, number: int) -> str | None:
        if not self._errors:
            return None
        name = f"errors-{number:05d}.parquet"
        tmp = self.parts_dir / (name + ".tmp")
        pq.write_table(error_table(self._errors), tmp)
        os.replace(tmp, self.parts_dir / name)
        return name

    def flush(self) -> None:
        """Commit every open part (and pending errors): a checkpoint."""
        for split in list(self._open):
            self._commit(split)
        if self._errors:
            number = self._next_part
            self._next_part += 1
            errors_file = self._write_errors(number)
            entry = {"part": number, "split": None, "file": None, "rows": 0, "bytes": 0, "sha256": None,
                     "ids": [], "errors": errors_file, "error_ids": self._error_ids}
            self._record(entry)
            self._errors, self._error_ids = [], []

    # -- finishing --------------------------------------------------------------------------------------------
    def finish(self, describe: Callable[[list[ShardInfo]], dict[str, Any]]) -> list[ShardInfo]:
        """Commit what is open, move parts to `data/`, write `errors.parquet` and `index.parquet`, then
        `vdata.json` last: the manifest is `describe(shards)` (called once the shards are in place) plus the
        shard list and the index entry."""
        self.flush()
        (self.out / "data").mkdir(parents=True, exist_ok=True)
        plan = self._shard_plan()
        for part, shard in plan:
            if (self.parts_dir / part).exists():  # else moved by a finish that was cut short
                os.replace(self.parts_dir / part, self.out / shard.path)
        shards = [shard for _, shard in plan]
        named = {self.out / shard.path for shard in shards}
        for stray in (self.out / "data").iterdir():
            if stray not in named:  # not this build's: another writer's, or a leftover; never read, now gone
                shutil.rmtree(stray) if stray.is_dir() else stray.unlink()
        pq.write_table(self._errors_table(), self.out / "errors.parquet.tmp")
        os.replace(self.out / "errors.parquet.tmp", self.out / "errors.parquet")
        index = write_index(self.out, sorted(shard.path for shard in shards))
        tmp = self.out / (MANIFEST_NAME + ".tmp")
        tmp.write_text(self._manifest_text(describe, shards, index), encoding="utf-8")
        os.replace(tmp, self.out / MANIFEST_NAME)
        shutil.rmtree(self.work)
        return shards

    def discard(self) -> None:
        """Close the open parts' files (uncommitted: a resume deletes them); called when a run ends, finished
        or not."""
        for part in self._open.values():
            part.abandon()
        self._open.clear()

    def _shard_plan(self) -> list[tuple[str, ShardInfo]]:
        """`(part file name, the shard it becomes)` for every committed part, in manifest order."""
        by_split: dict[str, list[dict[str, Any]]] = {}
        for entry in self.committed:
            if entry["file"]:
                by_split.setdefault(entry["split"], []).append(entry)
        plan = []
        for split, entries in sorted(by_split.items()):
            for i, entry in enumerate(entries):
                name = shard_name(split, i, len(entries))
                plan.append((entry["file"], ShardInfo(f"data/{name}", split, entry["rows"], entry["bytes"],
                                                      entry["sha256"])))
        return plan

    def _errors_table(self) -> pa.Table:
        """Every committed errors part (in `parts_dir`), concatenated in commit order."""
        error_parts = [pq.read_table(self.parts_dir / e["errors"]) for e in self.committed if e["errors"]]
        return pa.concat_tables(error_parts) if error_parts else ERRORS_SCHEMA.empty_table()

    @staticmethod
    def _manifest_text(describe: Callable[[list[ShardInfo]], dict[str, Any]], shards: list[ShardInfo],
                       index: dict[str, Any] | None = None) -> str:
        """The manifest: `describe(shards)`, the shard list and, when one was written, the index entry."""
        manifest = {**describe(shards), "shards": [s.__dict__ for s in shards]}
        if index is not None:
            manifest["index"] = index
        return json.dumps(manifest, indent=2) + "\n"


def _rows_until(start_bytes: int, sizes: np.ndarray, limit: int) -> int:
    """How many of the rows sized `sizes` go in before a total that starts at `start_bytes` reaches `limit`
    (the row that reaches it included; all of them when none does).

    >>> _rows_until(0, np.array([5, 5, 5]), 10), _rows_until(0, np.array([5, 5, 5]), 100)
    (2, 3)
    """
    reached = int(np.searchsorted(start_bytes + np.cumsum(sizes), limit, side="left"))
    return min(reached + 1, len(sizes))


def _fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _OpenPart:
    """One part file being written: rows buffered up to a row group (`row_group_bytes`), then appended to the
    `.tmp` file as one row group."""

    def __init__(self, parts_dir: Path, split: str, number: int, row_group_bytes: int) -> None:
        self.number = number
        self.row_group_bytes = row_group_bytes
        self.path = parts_dir / f"{split}-{number:05d}.parquet"
        self.tmp = self.path.with_suffix(".parquet.tmp")
        self._writer = pq.ParquetWriter(self.tmp, SCHEMA, **parquet_write_options())
        self._buffer: list[dict[str, Any]] = []  # rows from `add`, not yet in a table
        self._tables: list[pa.Table] = []  # buffered rows in order, as tables
        self._buffer_bytes = 0
        self.ids: list[str] = []
        self.rows = 0
        self.bytes = 0

    def add(self, row: dict[str, Any]) -> None:
        size = row_bytes(row)
        self._buffer.append(row)
        self.ids.append(row["id"])
        self.rows += 1
        self.bytes += size
        self._buffer_bytes += size
        if self._buffer_bytes >= self.row_group_bytes:
            self._write_buffer()

    def add_table(self, table: pa.Table, sizes: np.ndarray) -> None:
        """Add a validated schema-v1 table whose rows count `sizes` bytes each (`table_row_bytes`)."""
        self._table_buffer()
        self.ids.extend(table.column("id").to_pylist())
        self.rows += table.num_rows
        self.bytes += int(sizes.sum())
        start = 0
        while start < table.num_rows:
            end = start + _rows_until(self._buffer_bytes, sizes[start:], self.row_group_bytes)
            self._tables.append(table.slice(start, end - start))
            self._buffer_bytes += int(sizes[start:end].sum())
            if self._buffer_bytes >= self.row_group_bytes:
                self._write_buffer()
            start = end

    def _table_buffer(self) -> None:
        if self._buffer:
            self._tables.append(rows_to_table(self._buffer))
            self._buffer = []

    def _write_buffer(self) -> None:
        self._table_buffer()
        if self._tables:
            table = pa.concat_tables(self._tables)
            self._writer.write_table(table, row_group_size=table.num_rows)  # one row group
            self._tables, self._buffer_bytes = [], 0

    def abandon(self) -> None:
        self._writer.close()

    def close(self) -> tuple[Path, int, list[str], int, str]:
        self._write_buffer()
        self._writer.close()
        os.replace(self.tmp, self.path)
        return self.path, self.rows, self.ids, self.path.stat().st_size, file_sha256(self.path)
