"""`vdata build --engine ray` on a local Ray instance (2 CPUs): the same dataset as the local engine, resume,
time limit, a killed worker (retryable; `--json` stdout clean), memory check, `file://` URLs, biggest-first
scheduling and long videos' scene scans in window tasks (`s3://` URLs: test_cloud_build.py)."""

from __future__ import annotations

import json
import logging
import shutil
import signal
import subprocess
import sys
import time
import types
from dataclasses import asdict, replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.videos import box_at, write_video
from vdata.build import build
from vdata.builders.base import BadRow, Item
from vdata.errors import ConfigError, VdataError
from vdata.options import BuildOptions
from vdata.shards import read_manifest, read_table

OPTIONS = BuildOptions(frames="uniform:4,boxes", scenes="content", shard_size="20kB", workers=0)


@pytest.fixture(scope="module")
def ray_instance():
    """A local Ray instance with 2 CPUs for this module, shut down after it (later tests fork worker pools)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Videos of 1 to 4 s (so biggest-first reorders them), tasks with spans, options and boxes, one bad row,
    one broken video and one span outside its video."""
    root = tmp_path_factory.mktemp("corpus")
    samples: list[dict | str] = []
    for v, frames in enumerate([25, 100, 50, 75]):
        write_video(root / f"v{v}.mp4", fps=25.0, num_frames=frames, width=160, height=120, cuts=[frames // 2], gop=25)
        x1, y1, x2, y2 = box_at(10, 160, 120)
        samples += [
            {"video": f"v{v}.mp4", "id": f"{v}-cap", "task": "caption"},
            {"video": f"v{v}.mp4", "id": f"{v}-tg", "task": "temporal_grounding", "question": "when?",
             "spans": [[0.2, 0.6]]},
            {"video": f"v{v}.mp4", "id": f"{v}-box", "task": "spatial_grounding", "question": "where?",
             "boxes": [{"frame_index": 10, "x1": x1, "y1": y1, "x2": x2, "y2": y2}]},
        ]
    (root / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    samples += [{"video": "broken.mp4", "id": "broken", "task": "caption"}, "{not json",
                {"video": "v0.mp4", "id": "late", "task": "temporal_grounding", "spans": [[30.0, 31.0]]}]
    lines = [s if isinstance(s, str) else json.dumps(s) for s in samples]
    (root / "samples.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root / "samples.jsonl"


@pytest.fixture(scope="module")
def local_build(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "ds"
    build([f"jsonl:{corpus}"], out, OPTIONS)
    return out


def _same_dataset(a: Path, b: Path) -> None:
    assert read_table(a).to_pylist() == read_table(b).to_pylist()
    assert pq.read_table(a / "errors.parquet").to_pylist() == pq.read_table(b / "errors.parquet").to_pylist()
    assert read_manifest(a)["shards"] == read_manifest(b)["shards"]  # names, rows, bytes and sha256
    assert read_manifest(a)["counts"] == read_manifest(b)["counts"]


def test_ray_engine_builds_the_same_dataset_as_local_from_file_urls(ray_instance, corpus, local_build, tmp_path):
    out = tmp_path / "ray"
    options = replace(OPTIONS, engine="ray")
    report = build([f"jsonl:file://{corpus}"], f"file://{out}", options)
    assert len(read_manifest(out)["shards"]) > 2
    assert report.errors_by_code == {"video_unreadable": 1, "bad_annotation": 1, "bad_span": 1}
    _same_dataset(local_build, out)


def test_long_videos_scene_scans_run_as_window_tasks_and_give_the_local_rows(ray_instance, corpus, local_build,
                                                                            tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("vdata.build.windows.WINDOW_FRAMES", 30)  # the 50-, 75- and 100-frame videos are split
    with caplog.at_level(logging.INFO, logger="vdata.build.ray"):
        build([f"jsonl:{corpus}"], tmp_path / "ray", replace(OPTIONS, engine="ray"))
    windows = {r.args[0].name: r.args[2] for r in caplog.records if "window tasks" in r.getMessage()}
    assert windows == {"v1.mp4": 4, "v2.mp4": 2, "v3.mp4": 3}
    _same_dataset(local_build, tmp_path / "ray")


#: A driver that builds slowly (0.3 s per item), so the test can `kill -9` it mid-way.
SLOW_DRIVER = """
import json, sys, time
from vdata.build import build
from vdata.options import BuildOptions
build([sys.argv[1]], sys.argv[2], BuildOptions(**json.loads(sys.argv[3])), on_progress=lambda *a: time.sleep(0.3))
"""


@pytest.mark.slow
def test_ray_build_whose_driver_is_killed_resumes_to_the_same_dataset(ray_instance, corpus, local_build, tmp_path):
    out = tmp_path / "ray"
    address = ray_instance.get_runtime_context().gcs_address
    options = replace(OPTIONS, engine="ray", ray_address=address, shard_size="1B")  # a commit per row
    driver = subprocess.Popen([sys.executable, "-c", SLOW_DRIVER, f"jsonl:{corpus}", str(out),
                               json.dumps(asdict(options))])
    journal = out / ".vdata-build" / "journal.jsonl"
    deadline = time.monotonic() + 120
    while not (journal.exists() and len(journal.read_text().splitlines()) > 3) and driver.poll() is None:
        assert time.monotonic() < deadline, "the driver committed nothing in 120 s"
        time.sleep(0.05)
    driver.kill()
    assert driver.wait() == -signal.SIGKILL and not (out / "vdata.json").exists()
    report = build([f"jsonl:{corpus}"], out, options)
    assert 3 <= report.items_skipped < 15
    assert read_table(out).to_pylist() == read_table(local_build).to_pylist()


def test_an_item_over_the_time_limit_in_a_ray_task_is_a_decode_timeout(ray_instance, corpus, tmp_path):
    options = replace(OPTIONS, engine="ray", timeout_s=1e-3, limit=3)
    with pytest.raises(VdataError, match="nothing could be built"):
        build([f"jsonl:{corpus}"], tmp_path / "out", options)
    codes = pq.read_table(tmp_path / "out" / "errors.parquet").column("code").to_pylist()
    assert codes == ["decode_timeout"] * 3


def test_task_memory_larger_than_every_node_fails_at_start(ray_instance, corpus, tmp_path):
    options = replace(OPTIONS, engine="ray", task_memory="100000GB")
    with pytest.raises(ConfigError, match="task-memory"):
        build([f"jsonl:{corpus}"], tmp_path / "out", options)


def test_biggest_video_files_are_submitted_first(tmp_path: Path) -> None:
    from vdata.build.ray import _biggest_first

    def item(name: str, size: int) -> Item:
        if size:
            (tmp_path / name).write_bytes(b"x" * size)
        return Item("t", name, tmp_path / name, name, name, "caption")

    entries = [item("a", 10), BadRow("t", "k", "f", "bad_annotation", "m"), item("b", 30), item("gone", 0),
               item("c", 30), item("d", 20)]
    assert _biggest_first(entries) == [2, 4, 5, 0, 3]


def test_unknown_engine_and_unknown_url_schemes_are_refused_with_the_rule(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown build engine 'spark'; known: local, ray"):
        build([f"jsonl:{corpus}"], tmp_path / "spark", replace(OPTIONS, engine="spark"))
    assert not (tmp_path / "spark").exists()
    with pytest.raises(ConfigError, match="nosuch"):
        build([f"jsonl:{corpus}"], "nosuch://bucket/ds", OPTIONS)


def test_cli_build_on_ray_writes_to_a_file_url(ray_instance, corpus: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vdata.cli import app

    out = tmp_path / "cli"
    args = ["build", "-s", f"jsonl:{corpus}", "-o", f"file://{out}", "--engine", "ray", "--task-memory", "1GB",
            "--frames", "uniform:2", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert read_manifest(out)["counts"]["rows"] == 12


#: Defines `dies_on_crash_mp4`: `item_task`, except that its Ray worker dies (SIGKILL, as the kernel's OOM killer
#: does) on `crash.mp4` while the file `kill-worker` lies next to it. Run as a script's `__main__`, so Ray ships
#: it to the workers by value.
KILLER = """
import os, signal
from vdata.build.windows import item_task

def dies_on_crash_mp4(entry, options, frames):
    if entry.video.name == "crash.mp4" and (entry.video.parent / "kill-worker").exists():
        os.kill(os.getpid(), signal.SIGKILL)
    return item_task(entry, options, frames)
"""
#: `vdata` (the CLI, arguments from the command line) with the worker killer in the Ray engine.
KILLER_CLI = KILLER + """
import vdata.build.ray
from vdata.cli import app
vdata.build.ray.item_task = dies_on_crash_mp4
app()
"""


@pytest.fixture
def crash_videos(codec_videos: dict[str, Path], tmp_path: Path) -> Path:
    """A folder of three videos whose middle one, `crash.mp4`, kills its worker while `kill-worker` exists."""
    videos = tmp_path / "videos"
    videos.mkdir()
    for name in ("a_good.mp4", "crash.mp4", "z_good.mp4"):
        shutil.copyfile(codec_videos["h264"], videos / name)
    (videos / "kill-worker").touch()
    return videos


def test_a_killed_ray_worker_is_a_retryable_loss_and_the_same_command_then_completes(ray_instance, crash_videos,
                                                                                    tmp_path, monkeypatch):
    from vdata.build.runner import BuildIncomplete

    killer = types.ModuleType("__main__")  # by value: the workers cannot import the tests package
    exec(KILLER, killer.__dict__)
    monkeypatch.setattr("vdata.build.ray.item_task", killer.dies_on_crash_mp4)
    videos = crash_videos
    options = BuildOptions(frames="uniform:2", engine="ray")
    with pytest.raises(BuildIncomplete) as lost:
        build([f"folder:{videos}"], tmp_path / "out", options)
    assert "worker_lost: 1" in str(lost.value) and "crash.mp4" in str(lost.value) and "re-run" in str(lost.value)
    assert not (tmp_path / "out" / "vdata.json").exists()  # not finished: not a no-op next time
    assert not (tmp_path / "out" / "errors.parquet").exists()  # the item is not saved as an input error
    (videos / "kill-worker").unlink()  # the infrastructure recovered: the same command retries the lost item
    report = build([f"folder:{videos}"], tmp_path / "out", options)
    assert (report.rows, report.errors, report.items_skipped, report.items_run) == (3, 0, 2, 1)
    assert sorted(read_table(tmp_path / "out", columns=["video"]).column("video").to_pylist()) == [
        "a_good.mp4", "crash.mp4", "z_good.mp4"]


def test_cli_build_on_ray_json_stdout_holds_only_json_and_a_lost_item_exits_1(ray_instance, crash_videos, tmp_path):
    """Ray prints a dead worker's message on stdout from a thread, late: none of it reaches `--json`'s stdout."""
    address = ray_instance.get_runtime_context().gcs_address
    args = [sys.executable, "-c", KILLER_CLI, "build", "-s", f"folder:{crash_videos}", "-o", str(tmp_path / "out"),
            "--engine", "ray", "--ray-address", address, "--task-memory", "1GB", "--frames", "uniform:2", "--json"]
    lost = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert lost.returncode == 1 and lost.stdout == "", lost.stdout
    error = [line for line in lost.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "worker_lost: 1" in error[0] and "crash.mp4" in error[0], lost.stderr
    (crash_videos / "kill-worker").unlink()
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["rows"], report["items_run"], report["items_skipped"], report["lost_by_code"]) == (3, 1, 2, {})
