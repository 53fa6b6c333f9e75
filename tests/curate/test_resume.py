"""Every curate step shares one driver (`vdata.curate.base.run_step`): a run killed with SIGKILL while it writes
resumes to exactly the rows and report of an uninterrupted run (here `dedup`; `difficulty`'s model answers have
their own test)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq

from vdata.curate import STEPS, run_step
from vdata.curate.dedup import DedupOptions
from vdata.shards import read_table

#: Runs `dedup` with a commit per row, each row taking 0.3 s to write, so the test can kill it mid-way.
SLOW_DEDUP = """
import sys, time
from vdata.curate import STEPS, run_step
from vdata.curate.dedup import DedupOptions
from vdata.shards import ShardWriter
add = ShardWriter.add
ShardWriter.add = lambda self, row: (time.sleep(0.3), add(self, row))[1]
run_step(STEPS.get("dedup")(DedupOptions()), [sys.argv[1]], sys.argv[2], shard_size="1B")
"""


def test_a_curate_run_killed_while_writing_resumes_to_the_rows_and_report_of_an_uninterrupted_run(built, tmp_path):
    whole = run_step(STEPS.get("dedup")(DedupOptions()), [built["all"]], tmp_path / "whole", shard_size="1B")
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_DEDUP, str(built["all"]), str(out)])
    journal = out / ".vdata-build" / "journal.jsonl"
    deadline = time.monotonic() + 120
    while not (journal.exists() and len(journal.read_text().splitlines()) >= 2):
        assert proc.poll() is None and time.monotonic() < deadline, "the run committed nothing"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL and not (out / "vdata.json").exists()
    committed = [i for line in journal.read_text().splitlines() for i in json.loads(line).get("ids", [])]
    resumed = run_step(STEPS.get("dedup")(DedupOptions()), [built["all"]], out, shard_size="1B")
    assert 0 < len(committed) < whole.rows_out
    assert read_table(out).to_pylist() == read_table(tmp_path / "whole").to_pylist()
    assert (resumed.rows_in, resumed.rows_out, resumed.dropped) == (whole.rows_in, whole.rows_out, whole.dropped)
    report = pq.read_table(out / "curate-dedup.parquet").to_pylist()
    assert report == pq.read_table(tmp_path / "whole" / "curate-dedup.parquet").to_pylist() and len(report) == 8
