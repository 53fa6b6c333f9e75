"""Write a dataset to an fsspec URL (`s3://`, `gs://`, ...): the shard writer in a local staging folder, each
committed part uploaded as it is committed, the manifest last.

While a build runs the URL holds `URL/.vdata-build/parts/` (committed parts) and `URL/.vdata-build/journal.jsonl`.
A commit uploads the part and its errors part first, then the whole journal, so every part the journal at the
URL names is there. That journal is what a resume trusts: each run starts in a new staging folder
(`$TMPDIR/vdata-staging-<hash of the URL>-<pid>-*`, deleted when the run ends, finished or not; a run also
deletes those of dead processes) and downloads the journal, so a driver killed at any
point resumes on this machine or another; parts at the URL the journal does not name (a kill between the two
uploads) are deleted. A local journal is not trusted: it can be one commit ahead of the URL. Local disk holds
the open parts only (one per split): a part is deleted from staging once uploaded. `finish()` moves the parts to
`URL/data/` (a copy inside the store; any other file there is deleted), uploads `errors.parquet`, then `vdata.json`, then deletes
`URL/.vdata-build`. Each commit re-uploads the journal (one line of ids per part: small next to a part).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vdata.errors import VdataError
from vdata.schemas import SCHEMA
from vdata.shards.index import INDEX_NAME, write_index
from vdata.shards.lock import pid_alive
from vdata.shards.manifest import MANIFEST_NAME
from vdata.shards.writer import ShardInfo, ShardWriter
from vdata.urls import filesystem


class RemoteShardWriter(ShardWriter):
    """`ShardWriter` whose dataset folder is the fsspec URL `url`; `out` is the local staging folder."""

    def __init__(self, url: str, fingerprint: dict[str, Any], shard_size_bytes: int) -> None:
        self.url = url.rstrip("/")
        self.fs, self.root = filesystem(self.url)
        # a fresh folder per run: nothing local is trusted on resume, and two runs never share one
        key = hashlib.sha1(self.url.encode()).hexdigest()[:16]
        _remove_dead_staging(key)
        staging = Path(tempfile.mkdtemp(prefix=f"vdata-staging-{key}-{os.getpid()}-"))
        try:
            super().__init__(staging, fingerprint, shard_size_bytes)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def discard(self) -> None:
        """Delete this run's staging folder (finished or not: the journal at the URL is what a resume uses)."""
        super().discard()
        shutil.rmtree(self.out, ignore_errors=True)

    def _remote(self, local: Path) -> str:
        """The path in the store of a file or folder under the staging folder."""
        return posixpath.join(self.root, local.relative_to(self.out).as_posix())

    def _name(self, path: Path) -> str:
        return posixpath.join(self.url, path.relative_to(self.out).as_posix())

    def _start(self) -> None:
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        self.fs.invalidate_cache()
        if self.fs.exists(self._remote(self.journal_path)):
            self.fs.get_file(self._remote(self.journal_path), str(self.journal_path))
        super()._start()
        committed = self._committed_files()
        for path in self.fs.find(self._remote(self.parts_dir)):
            if posixpath.basename(path) not in committed:
                self.fs.rm_file(path)

    def _record(self, entry: dict[str, Any]) -> None:
        files = [self.parts_dir / name for name in (entry["file"], entry["errors"]) if name]
        for local in files:
            self.fs.put_file(str(local), self._remote(local))
        super()._record(entry)
        self.fs.put_file(str(self.journal_path), self._remote(self.journal_path))
        for local in files:
            local.unlink()

    def _errors_table(self) -> pa.Table:
        for entry in self.committed:
            if entry["errors"]:
                local = self.parts_dir / entry["errors"]
                self.fs.get_file(self._remote(local), str(local))
        return super()._errors_table()

    def finish(self, describe: Callable[[list[ShardInfo]], dict[str, Any]]) -> list[ShardInfo]:
        """Commit what is open, move the parts to `URL/data/`, upload `errors.parquet` and `index.parquet`, then
        `vdata.json`."""
        self.flush()
        self.fs.invalidate_cache()
        plan = self._shard_plan()
        for part, shard in plan:
            source = self._remote(self.parts_dir / part)
            if self.fs.exists(source):  # else moved by a finish that was cut short
                self.fs.mv(source, posixpath.join(self.root, shard.path))
        shards = [shard for _, shard in plan]
        named = {posixpath.join(self.root, shard.path) for shard in shards}
        for stray in self.fs.find(posixpath.join(self.root, "data")):
            if stray.rstrip("/") not in named:
                self.fs.rm_file(stray)
        pq.write_table(self._errors_table(), self.out / "errors.parquet")
        self.fs.put_file(str(self.out / "errors.parquet"), posixpath.join(self.root, "errors.parquet"))
        index = write_index(self.out, sorted(named), filesystem=self.fs)
        self.fs.put_file(str(self.out / INDEX_NAME), posixpath.join(self.root, INDEX_NAME))
        (self.out / MANIFEST_NAME).write_text(self._manifest_text(describe, shards, index), encoding="utf-8")
        self.fs.put_file(str(self.out / MANIFEST_NAME), posixpath.join(self.root, MANIFEST_NAME))
        self.fs.rm(self._remote(self.work), recursive=True)
        shutil.rmtree(self.out)
        return shards


def _remove_dead_staging(key: str) -> None:
    """Delete the staging folders of earlier runs into the same URL whose process is gone (killed drivers)."""
    for folder in Path(tempfile.gettempdir()).glob(f"vdata-staging-{key}-*"):
        pid = folder.name.removeprefix(f"vdata-staging-{key}-").split("-")[0]
        if not pid.isdigit() or not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def read_remote_manifest(url: str) -> dict[str, Any] | None:
    """The parsed `URL/vdata.json`, or None when the URL holds no finished dataset."""
    fs, root = filesystem(url)
    path = posixpath.join(root.rstrip("/"), MANIFEST_NAME)
    try:
        text = fs.cat_file(path).decode("utf-8")
    except FileNotFoundError:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise VdataError(f"{url}/{MANIFEST_NAME}: not valid JSON ({e})") from None


def read_remote_tables(url: str, columns: list[str]) -> tuple[pa.Table, pa.Table | None]:
    """`(URL/data/*.parquet with only `columns`, the `code` column of URL/errors.parquet or None when absent)`."""
    fs, root = filesystem(url)
    root = root.rstrip("/")
    fs.invalidate_cache()
    manifest = read_remote_manifest(url)
    if manifest is not None:
        shards = sorted(posixpath.join(root, s["path"]) for s in manifest.get("shards", []))
    else:
        shards = sorted(fs.glob(posixpath.join(root, "data", "*.parquet")))
    tables = [pq.read_table(p, columns=columns, filesystem=fs) for p in shards]
    rows = pa.concat_tables(tables) if tables else SCHEMA.empty_table().select(columns)
    errors_path = posixpath.join(root, "errors.parquet")
    errors = pq.read_table(errors_path, columns=["code"], filesystem=fs) if fs.exists(errors_path) else None
    return rows, errors
