"""A `vdata build` killed with SIGKILL mid-way and started again gives exactly the uninterrupted build's rows."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.helpers import VDATA, run_vdata, write_jsonl
from tests.videos import write_video
from vdata.build import build
from vdata.options import BuildOptions
from vdata.shards import read_table

ITEMS = 60
FRAMES = "uniform:2"


@pytest.fixture(scope="module")
def many_items(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 samples over three small videos, plus two failing ones (a missing video, a reversed span)."""
    root = tmp_path_factory.mktemp("many")
    for v in range(3):
        write_video(root / f"v{v}.mp4", fps=25, num_frames=25, width=160, height=120)
    samples = [{"id": f"s{i:03d}", "video": f"v{i % 3}.mp4", "task": "caption"} for i in range(ITEMS)]
    samples.insert(10, {"id": "missing", "video": "gone.mp4", "task": "caption"})
    samples.insert(40, {"id": "reversed", "video": "v0.mp4", "task": "temporal_grounding", "spans": [[2, 1]]})
    return write_jsonl(root / "samples.jsonl", samples)


def committed_parts(out: Path) -> int:
    journal = out / ".vdata-build" / "journal.jsonl"
    if not journal.exists():
        return 0
    return sum(1 for line in journal.read_text().splitlines() if '"part"' in line)


def dataset_ids(out: Path) -> tuple[list[str], list[str]]:
    rows = read_table(out, columns=["id"]).column("id").to_pylist()
    errors = pq.read_table(out / "errors.parquet", columns=["id"]).column("id").to_pylist()
    return rows, errors


def test_a_killed_build_resumes_to_exactly_the_uninterrupted_rows(many_items: Path, tmp_path: Path) -> None:
    out = tmp_path / "killed"
    args = ["build", "--source", f"jsonl:{many_items}", "--out", str(out), "--workers", "1", "--shard-size", "1kB",
            "--frames", FRAMES]
    process = subprocess.Popen([VDATA, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while committed_parts(out) < 5 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the build and its worker processes
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert not (out / "vdata.json").exists(), "the build finished before it could be killed"
    assert committed_parts(out) >= 5

    resumed = run_vdata(*args, "--json")
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["items_skipped"] >= 5 and report["items_skipped"] + report["items_run"] == ITEMS + 2

    reference = tmp_path / "reference"
    build([f"jsonl:{many_items}"], reference, BuildOptions(frames=FRAMES))
    rows, errors = dataset_ids(out)
    expected_rows, expected_errors = dataset_ids(reference)
    assert len(rows) == len(set(rows)) == ITEMS and len(errors) == len(set(errors)) == 2
    assert sorted(rows) == sorted(expected_rows) and sorted(errors) == sorted(expected_errors)
    assert not (out / ".vdata-build").exists()

    again = run_vdata(*args, "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["already_built"] is True
    assert dataset_ids(out) == (rows, errors)
