"""`vdata curate difficulty`: known pass rates from a scripted policy, the filters, resume after kill -9 without
asking any sample twice, and one run of the real transformers engine on a tiny local Qwen2.5-VL."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.curate.helpers import report
from tests.distill.helpers import ROWS, make_row, think, write_dataset, write_script
from vdata.curate import STEPS, run_step
from vdata.curate.difficulty import DifficultyOptions, parse_range
from vdata.engines import EngineConfig, Sampling
from vdata.errors import ConfigError
from vdata.schemas import parse_meta
from vdata.shards import read_table

#: Four answers per sample and how many of them pass: mc1 1 of 4, num1 0, tg1 2 (IoU >= 0.5), mc2 4.
SCRIPT = {
    "mc1": [think("B"), think("A"), think("C"), think("A")],
    "num1": [think("7")],
    "tg1": [think("2.0 - 4.0"), think("0.0 - 1.0"), think("2.5 - 4.0"), think("5.0 - 6.0")],
    "mc2": [think("A")],
}
EXPECTED = {"mc1": 0.25, "num1": 0.0, "tg1": 0.5, "mc2": 1.0}


def difficulty(built: Path, out: Path, teacher: str, **options: object):
    engine = EngineConfig(teacher, "scripted", batch_size=2)
    return run_step(STEPS.get("difficulty")(DifficultyOptions(engine=engine, samples=4, **options)), [built], out)


@pytest.fixture
def built(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "built", ROWS)


def test_pass_rates_are_the_share_of_answers_the_task_reward_passes(built, tmp_path):
    result = difficulty(built, tmp_path / "out", write_script(tmp_path / "s.json", SCRIPT))
    rows = {r["id"]: r for r in report(tmp_path / "out", "difficulty")}
    assert {i: r["pass_rate"] for i, r in rows.items()} == EXPECTED
    assert rows["tg1"]["passed"] == 2 and rows["tg1"]["samples"] == 4
    out = {r["id"]: parse_meta(r["meta"]) for r in read_table(tmp_path / "out").to_pylist()}
    assert out["mc1"]["difficulty"]["pass_rate"] == 0.25 and out["mc1"]["origin"] == "fixture"  # meta merged
    assert result.summary["histogram_by_task"]["multiple_choice"] == {"[0.25,0.5)": 1, "1": 1}
    assert result.summary["histogram_by_source"] == {"test": {"0": 1, "[0.25,0.5)": 1, "[0.5,0.75)": 1, "1": 1}}


def test_keep_range_and_drop_flags_filter_by_pass_rate(built, tmp_path):
    teacher = write_script(tmp_path / "s.json", SCRIPT)
    result = difficulty(built, tmp_path / "keep", teacher, keep=parse_range("0.1:0.9"))
    assert sorted(r["id"] for r in read_table(tmp_path / "keep", columns=["id"]).to_pylist()) == ["mc1", "tg1"]
    assert result.dropped == {"pass_rate": 2}
    difficulty(built, tmp_path / "solved", teacher, drop_solved=True, drop_unsolved=True)
    rows = {r["id"]: r for r in report(tmp_path / "solved", "difficulty")}
    assert [i for i, r in rows.items() if not r["kept"]] == ["num1", "mc2"]
    assert rows["mc2"]["reason"].startswith("solved") and rows["num1"]["reason"].startswith("unsolved")
    with pytest.raises(ConfigError, match="LO:HI"):
        parse_range("0.9:0.1")


RUN = """
import sys
from vdata.curate import STEPS, run_step
from vdata.curate.difficulty import DifficultyOptions
from vdata.engines import EngineConfig
options = DifficultyOptions(engine=EngineConfig(sys.argv[3], "scripted", batch_size=2), samples=2)
run_step(STEPS.get("difficulty")(options), [sys.argv[1]], sys.argv[2])
"""


def journaled(out: Path) -> list[str]:
    path = out / ".vdata-build" / "difficulty.jsonl"
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        try:
            ids.append(json.loads(line)["id"])
        except json.JSONDecodeError:
            break
    return ids


def test_a_run_killed_with_sigkill_resumes_without_asking_any_sample_twice(tmp_path):
    rows = [make_row(f"q{i:02d}", "multiple_choice", question="?", options=["x", "y"], answer="A") for i in range(10)]
    built = write_dataset(tmp_path / "built", rows)
    log = tmp_path / "asked.txt"
    teacher = write_script(tmp_path / "s.json", {"*": [think("A"), think("B")]}, delay_s=0.15, log=str(log))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", RUN, str(built), str(out), teacher])
    deadline = time.monotonic() + 60
    while len(journaled(out)) < 4:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    answered = set(journaled(out))
    asked_before = len(log.read_text().splitlines())
    options = DifficultyOptions(engine=EngineConfig(teacher, "scripted", batch_size=2), samples=2)
    result = run_step(STEPS.get("difficulty")(options), [built], out)
    asked_after = log.read_text().splitlines()[asked_before:]
    assert 4 <= len(answered) < len(rows)
    assert not answered & set(asked_after)  # no journaled sample is asked again
    assert sorted(answered | set(asked_after)) == [r["id"] for r in rows]
    assert result.summary["resumed"] == len(answered) and result.summary["asked"] == len(asked_after)
    assert {r["id"]: r["pass_rate"] for r in report(out, "difficulty")} == {r["id"]: 0.5 for r in rows}


def test_a_tiny_qwen_policy_runs_end_to_end_on_cpu(tiny_qwen, built, tmp_path):
    engine = EngineConfig(str(tiny_qwen), "transformers", device="cpu", batch_size=4,
                          sampling=Sampling(temperature=1.0, max_new_tokens=4, seed=0))
    result = run_step(STEPS.get("difficulty")(DifficultyOptions(engine=engine, samples=2)), [built], tmp_path / "out")
    rows = report(tmp_path / "out", "difficulty")
    assert result.rows_in == result.rows_out == len(ROWS) and result.summary["asked"] == len(ROWS)
    assert all(r["samples"] == 2 and r["pass_rate"] in (0.0, 0.5, 1.0) for r in rows)


def test_a_scored_dataset_is_filtered_again_without_asking_the_policy(built, tmp_path):
    log = tmp_path / "asked.txt"
    teacher = write_script(tmp_path / "s.json", SCRIPT, log=str(log))
    difficulty(built, tmp_path / "scored", teacher)
    asked = len(log.read_text().splitlines())
    result = difficulty(tmp_path / "scored", tmp_path / "kept", teacher, keep=parse_range("0.1:0.9"))
    assert len(log.read_text().splitlines()) == asked  # nothing asked: the pass rates in meta are reused
    assert result.summary["reused"] == len(ROWS) and result.summary["asked"] == 0
    assert {r["id"]: r["pass_rate"] for r in report(tmp_path / "kept", "difficulty")} == EXPECTED
    assert sorted(r["id"] for r in read_table(tmp_path / "kept", columns=["id"]).to_pylist()) == ["mc1", "tg1"]
    other = difficulty(tmp_path / "scored", tmp_path / "k2", teacher, threshold=0.9)  # another rule: asked again
    assert other.summary["asked"] == len(ROWS)
