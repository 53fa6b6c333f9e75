"""A build loses nothing and mixes nothing: an atomic journal that always resumes, killed pool workers retried,
one build per output folder, stray shard files never read, duplicate ids recorded, infrastructure failures
retried by a re-run."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.helpers import write_jsonl
from vdata.build import build
from vdata.build.runner import BuildIncomplete
from vdata.errors import ConfigError, VdataError
from vdata.options import BuildOptions
from vdata.query import query
from vdata.shards import ShardWriter, read_table
from vdata.shards.writer import WORK_DIR
from vdata.video import decode

FP = {"frames": "uniform:2"}
fork_only = pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                               reason="the test-only decoder reaches the workers by fork")


def error(sample: str) -> dict:
    return {"id": sample, "source": "jsonl", "split": "train", "source_file": "x", "video": "x.mp4",
            "code": "video_missing", "message": "gone"}


def committed(out: Path) -> ShardWriter:
    """A writer at `out` that committed one errors part (id `a`)."""
    writer = ShardWriter(out, FP, 1000)
    writer.add_error(error("a"))
    writer.flush()
    return writer


# -- the journal -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("left", ["", '{"fingerprint": {"fra'], ids=["empty", "torn-first-line"])
def test_a_journal_without_a_complete_first_line_starts_over(tmp_path: Path, left: str) -> None:
    (tmp_path / WORK_DIR).mkdir()
    (tmp_path / WORK_DIR / "journal.jsonl").write_text(left)
    writer = ShardWriter(tmp_path, FP, 1000)
    assert writer.done_ids == set()
    assert json.loads((tmp_path / WORK_DIR / "journal.jsonl").read_text().splitlines()[0]) == {"fingerprint": FP}


def test_a_kill_while_the_journal_is_created_leaves_a_folder_that_starts(tmp_path, monkeypatch) -> None:
    def killed(src, dst):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr("vdata.shards.writer.os.replace", killed)
        with pytest.raises(KeyboardInterrupt):
            ShardWriter(tmp_path, FP, 1000)
    assert committed(tmp_path).done_ids == {"a"}


def test_a_kill_during_a_resumes_rewrite_keeps_every_committed_part(tmp_path, monkeypatch) -> None:
    committed(tmp_path)
    journal = tmp_path / WORK_DIR / "journal.jsonl"
    with journal.open("a") as f:
        f.write('{"part": 7, "spl')  # a commit cut short
    before = journal.read_text()

    def killed(src, dst):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr("vdata.shards.writer.os.replace", killed)
        with pytest.raises(KeyboardInterrupt):
            ShardWriter(tmp_path, FP, 1000)
    assert journal.read_text() == before  # untouched: the new journal never replaced it
    assert ShardWriter(tmp_path, FP, 1000).done_ids == {"a"}


# -- killed workers ----------------------------------------------------------------------------------------------
def killing(path, table, indices, size, scan=None):  # type: ignore[no-untyped-def]
    """PyAV, except that on `b.mp4` it SIGKILLs its own worker: once (marker `once`) or always (`always`)."""
    marker = Path(path).parent
    if Path(path).name == "b.mp4" and (
        (marker / "always").exists() or not (marker / "killed-once").exists()
    ):
        (marker / "killed-once").touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return decode.decode_pyav(path, table, indices, size, scan)


@pytest.fixture
def videos(corpus: Path, tmp_path: Path) -> Path:
    root = tmp_path / "videos"
    root.mkdir()
    for name in ("a.mp4", "b.mp4"):
        os.link(corpus.parent / name, root / name)
    return root


@fork_only
def test_a_worker_killed_once_is_retried_on_a_fresh_worker(videos, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(decode.DECODERS._entries, "test-killing", killing)
    report = build([f"folder:{videos}"], tmp_path / "out",
                   BuildOptions(frames="uniform:2", decoder="test-killing", workers=1))
    assert (videos / "killed-once").exists()
    assert report.rows == 2 and report.errors_by_code == {}


@fork_only
def test_a_worker_killed_on_every_try_is_not_saved_and_a_rerun_retries_it(videos, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(decode.DECODERS._entries, "test-killing", killing)
    (videos / "always").touch()
    options = BuildOptions(frames="uniform:2", decoder="test-killing", workers=2)
    with pytest.raises(BuildIncomplete, match=r"1 items lost to infrastructure failures \(worker_lost: 1\)") as e:
        build([f"folder:{videos}"], tmp_path / "out", options)
    assert e.value.report.lost_by_code == {"worker_lost": 1} and e.value.report.errors_by_code == {}
    assert not (tmp_path / "out" / "vdata.json").exists()
    (videos / "always").unlink()
    report = build([f"folder:{videos}"], tmp_path / "out", options)
    assert (report.items_skipped, report.items_run, report.rows, report.errors) == (1, 1, 2, 0)


# -- one build per output folder ---------------------------------------------------------------------------------
HOLDER = """
import sys, time
from pathlib import Path
from vdata.shards.lock import output_lock
with output_lock(Path(sys.argv[1]), ".vdata-build"):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_second_build_into_the_same_out_is_refused_naming_the_holder(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"  # type: ignore[union-attr]
        with pytest.raises(ConfigError, match=f"another vdata build \\(pid {holder.pid}\\)"):
            build([f"jsonl:{corpus}"], out, BuildOptions(frames="uniform:2", limit=1))
    finally:
        holder.kill()
        holder.wait()
    # the holder died (kill -9): its lock file is taken over
    assert build([f"jsonl:{corpus}"], out, BuildOptions(frames="uniform:2", limit=1)).rows == 1


def test_stray_files_in_data_are_never_read_and_are_cleaned_at_finish(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    options = BuildOptions(frames="uniform:2", limit=2, shard_size="1kB")
    (out / "data").mkdir(parents=True)
    (out / "data" / "train-00000-of-00009.parquet").write_bytes(b"not parquet")
    build([f"jsonl:{corpus}"], out, options)
    assert sorted(p.name for p in (out / "data").iterdir()) == ["train-00000-of-00002.parquet",
                                                                 "train-00001-of-00002.parquet"]


# -- query reads the manifest's shards ---------------------------------------------------------------------------
def test_query_ignores_a_stray_shard_and_fails_clearly_on_a_missing_one(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([f"jsonl:{corpus}"], out, BuildOptions(frames="uniform:2", shard_size="1kB"))
    shards = sorted((out / "data").glob("train-*.parquet"))
    (out / "data" / "train-00009-of-00010.parquet").write_bytes(shards[0].read_bytes())  # a stray copy
    assert query(out, "SELECT count(*), count(DISTINCT id) FROM samples")[1] == [(5, 5)]
    assert read_table(out, columns=["id"]).num_rows == 5
    shards[1].unlink()
    with pytest.raises(VdataError, match=r"1 shard\(s\) named in vdata.json are missing, first data/train-00001"):
        query(out, "SELECT count(*) FROM samples")


# -- duplicate ids -----------------------------------------------------------------------------------------------
def test_a_duplicate_id_is_an_error_row_for_the_later_line_whatever_the_shard_size(corpus, tmp_path) -> None:
    samples = [{"id": f"s{i}", "video": "a.mp4", "task": "caption"} for i in range(4)]
    samples.insert(2, {"id": "s0", "video": "b.mp4", "task": "caption"})
    path = write_jsonl(corpus.parent / "dups.jsonl", samples)
    results = []
    for size in ("1kB", "10MB"):
        out = tmp_path / size
        report = build([f"jsonl:{path}"], out, BuildOptions(frames="uniform:2", shard_size=size))
        errors = pq.read_table(out / "errors.parquet").to_pylist()
        results.append((read_table(out, columns=["id", "video"]).to_pylist(), [(e["code"], e["video"]) for e in errors]))
        assert report.rows == 4 and report.errors_by_code == {"duplicate_id": 1}
        assert "'s0'" in errors[0]["message"]
    assert results[0] == results[1]
    assert results[0][1] == [("duplicate_id", "b.mp4")]
    assert sorted(r["video"] for r in results[0][0]) == ["a.mp4"] * 4


def test_store_calls_have_a_time_limit() -> None:
    from vdata.urls import STORE_TIMEOUT_S, STORE_TRIES, filesystem

    pytest.importorskip("s3fs")
    fs, _ = filesystem("s3://bucket/ds")
    assert fs.retries == STORE_TRIES
    assert fs.config_kwargs["read_timeout"] == fs.config_kwargs["connect_timeout"] == STORE_TIMEOUT_S


