"""`vdata distill --replicas N` on a local Ray instance (2 CPUs): the same dataset as one engine in process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.distill.helpers import ROWS, think, write_script
from vdata.distill import DistillConfig, distill
from vdata.distill.ray import split_evenly
from vdata.engines import EngineConfig, Sampling
from vdata.errors import ConfigError
from vdata.shards import read_table

ANSWERS = {"mc1": think("B"), "num1": think("7"), "tg1": think("2.0 - 4.0"), "mc2": think("A")}


@pytest.fixture(scope="module")
def ray_instance():
    """A local Ray instance with 2 CPUs for this module, shut down after it (later tests fork worker pools)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def rows(out: Path) -> list[dict]:
    return read_table(out).to_pylist()


def test_two_scripted_replicas_give_the_rows_of_one_and_ask_each_item_once(ray_instance, dataset, tmp_path):
    log = tmp_path / "asked.txt"
    script = write_script(tmp_path / "script.json", {i: [t, think("?")] for i, t in ANSWERS.items()}, log=str(log))
    one = DistillConfig(input=dataset, out=tmp_path / "one", engine=EngineConfig(script, "scripted", batch_size=3),
                        samples=2, keep_rejected=True)
    single = distill(one)
    log.write_text("")
    replicated = distill(replace(one, out=tmp_path / "two", replicas=2))
    assert rows(replicated.out) == rows(single.out)
    assert sorted(log.read_text().split()) == sorted(ANSWERS)  # split over replicas, each id asked once
    assert (replicated.passed, replicated.generated_tokens) == (single.passed, single.generated_tokens)


def test_replicas_asked_for_more_cpus_than_the_cluster_has_fail_at_start(ray_instance, scripted_config, tmp_path):
    stdout = os.fstat(1)
    with pytest.raises(ConfigError, match="needs 3 CPUs"):
        distill(scripted_config({"*": [think("A")]}, replicas=3))
    assert (os.fstat(1).st_dev, os.fstat(1).st_ino) == (stdout.st_dev, stdout.st_ino)  # stdout given back
    assert ray_instance.is_initialized()  # a driver the test opened stays open


@pytest.mark.slow
def test_two_transformers_replicas_on_cpu_match_one_greedy_engine(ray_instance, tiny_qwen, dataset, tmp_path):
    greedy = Sampling(temperature=0.0, max_new_tokens=4, seed=1)
    engine = EngineConfig(str(tiny_qwen), "transformers", device="cpu", sampling=greedy, batch_size=4)
    one = DistillConfig(input=dataset, out=tmp_path / "one", engine=engine, samples=1, keep_rejected=True)
    single = distill(one)
    replicated = distill(replace(one, out=tmp_path / "two", replicas=2))
    assert [r["meta"] for r in rows(replicated.out)] == [r["meta"] for r in rows(single.out)]
    assert replicated.generated_tokens == single.generated_tokens > 0


def test_split_evenly_covers_every_prompt_once() -> None:
    assert split_evenly(7, 3) == [(0, 3), (3, 5), (5, 7)]
    assert split_evenly(1, 2) == [(0, 1), (1, 1)]
    assert [len(ROWS)] == [sum(hi - lo for lo, hi in split_evenly(len(ROWS), 3))]


def test_cli_distill_with_replicas(ray_instance, dataset: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vdata.cli import app

    script = write_script(tmp_path / "script.json", {i: [t] for i, t in ANSWERS.items()})
    args = ["distill", str(dataset), "--teacher", script, "--engine", "scripted", "--out", str(tmp_path / "out"),
            "--samples", "1", "--replicas", "2", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(r["id"] for r in rows(tmp_path / "out")) == ["mc1", "mc2", "tg1"]  # num1's answer is wrong


def test_cli_distill_on_a_ray_cluster_prints_only_its_json_on_stdout(ray_instance, dataset: Path, tmp_path: Path):
    script = write_script(tmp_path / "script.json", {i: [t] for i, t in ANSWERS.items()})
    address = ray_instance.get_runtime_context().gcs_address
    args = [sys.executable, "-c", "from vdata.cli import app; app()", "distill", str(dataset), "--teacher", script,
            "--engine", "scripted", "--out", str(tmp_path / "out"), "--samples", "1", "--replicas", "2",
            "--ray-address", address, "--json"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["passed"] == 3
