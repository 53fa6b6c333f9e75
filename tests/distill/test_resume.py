"""A distill killed with SIGKILL resumes: items whose answers were journaled are never asked again."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.distill.helpers import make_row, think, write_dataset, write_script
from vdata.distill import DistillConfig, distill
from vdata.engines import EngineConfig
from vdata.shards import read_table

N_ITEMS = 12
RUN = """
import sys
from vdata.distill import DistillConfig, distill
from vdata.engines import EngineConfig
distill(DistillConfig(input=sys.argv[1], out=sys.argv[2], engine=EngineConfig(sys.argv[3], "scripted", batch_size=2),
                      samples=2, shard_size=sys.argv[4]))
"""


def journaled_ids(out: Path) -> list[str]:
    path = out / ".vdata-build" / "distill.jsonl"
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        try:
            ids.append(json.loads(line)["id"])
        except json.JSONDecodeError:
            break
    return ids


def kill_after_journal(args: list[str], out: Path, at_least: int, timeout_s: float = 60.0) -> None:
    proc = subprocess.Popen([sys.executable, "-c", RUN, *args])
    deadline = time.monotonic() + timeout_s
    while len(journaled_ids(out)) < at_least:
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_resume_after_kill_asks_only_unanswered_items_and_writes_each_once(tmp_path: Path):
    rows = [make_row(f"q{i:02d}", "multiple_choice", question="?", options=["x", "y"], answer="A") for i in range(N_ITEMS)]
    built = write_dataset(tmp_path / "built", rows)
    log = tmp_path / "asked.txt"
    answers = {r["id"]: [think("B"), think("A", f"because {r['id']}")] for r in rows}
    teacher = write_script(tmp_path / "script.json", answers, delay_s=0.15, log=str(log))
    out = tmp_path / "out"
    # 1 GB shards: nothing is committed to shards before the kill, so the journal alone must prevent re-asking
    kill_after_journal([str(built), str(out), teacher, "1GB"], out, at_least=4)
    answered = set(journaled_ids(out))
    asked_before = len(log.read_text().splitlines())
    assert 4 <= len(answered) < N_ITEMS

    report = distill(DistillConfig(input=built, out=out, engine=EngineConfig(teacher, "scripted", batch_size=2),
                                   samples=2, shard_size="1GB"))
    asked_after = log.read_text().splitlines()[asked_before:]
    assert not answered & set(asked_after)  # no journaled item is asked again
    assert sorted(answered | set(asked_after)) == sorted(r["id"] for r in rows)
    assert report.items_resumed == len(answered) and report.items == N_ITEMS
    out_rows = read_table(out).to_pylist()
    assert sorted(r["id"] for r in out_rows) == sorted(r["id"] for r in rows)  # each exactly once
    assert all(r["cot"] == f"because {r['id']}" for r in out_rows)
    assert not (out / ".vdata-build").exists()


def test_resume_after_kill_with_committed_shards_adds_no_duplicate(tmp_path: Path):
    rows = [make_row(f"q{i:02d}", "numeric", question="?", answer="3") for i in range(N_ITEMS)]
    built = write_dataset(tmp_path / "built", rows)
    teacher = write_script(tmp_path / "script.json", {"*": [think("3")]}, delay_s=0.1)
    out = tmp_path / "out"
    # 1-byte shards: every row commits at once, so the kill lands between committed and journaled-only rows
    kill_after_journal([str(built), str(out), teacher, "1"], out, at_least=5)
    distill(DistillConfig(input=built, out=out, engine=EngineConfig(teacher, "scripted", batch_size=2), samples=2,
                          shard_size="1"))
    ids = [r["id"] for r in read_table(out, columns=["id"]).to_pylist()]
    assert sorted(ids) == sorted(r["id"] for r in rows)
