"""The worker pool: a decoder that hangs costs its item (`decode_timeout`), one that kills its worker costs its
item (`decode_failed`); the build goes on and finishes."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from vdata.build import build
from vdata.errors import ConfigError
from vdata.options import BuildOptions
from vdata.shards import read_table
from vdata.video import decode

#: For tests whose test-only decoder reaches the pool's workers by fork.
needs_fork = pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                                reason="the test-only decoder reaches the workers by fork")


def misbehaving(path, table, indices, size, scan=None):  # type: ignore[no-untyped-def]
    """PyAV, except that it hangs on `hang.mp4` and kills its process on `crash.mp4`."""
    name = Path(path).name
    if name == "hang.mp4":
        time.sleep(600)
    if name == "crash.mp4":
        os._exit(3)
    return decode.decode_pyav(path, table, indices, size, scan)


@needs_fork
def test_a_hanging_or_crashing_decoder_costs_only_its_item(
    codec_videos: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(decode.DECODERS._entries, "test-misbehaving", misbehaving)
    videos = tmp_path / "videos"
    videos.mkdir()
    for name in ("a_good.mp4", "crash.mp4", "hang.mp4", "z_good.mp4"):
        shutil.copyfile(codec_videos["h264"], videos / name)
    report = build([f"folder:{videos}"], tmp_path / "out",
                   BuildOptions(frames="uniform:2", decoder="test-misbehaving", workers=1, timeout_s=2.0))
    assert report.rows == 2
    assert read_table(tmp_path / "out", columns=["video"]).column("video").to_pylist() == ["a_good.mp4", "z_good.mp4"]
    errors = pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()
    assert [(e["video"], e["code"]) for e in errors] == [("crash.mp4", "decode_failed"), ("hang.mp4", "decode_timeout")]
    assert "worker process died" in errors[0]["message"] and "gave up after 2s" in errors[1]["message"]


def waiting_for_the_others(path, table, indices, size, scan=None):  # type: ignore[no-untyped-def]
    """PyAV, leaving a marker file per video in $VDATA_TEST_MARKS; on `a_long.mp4` it first waits (up to 60 s) for
    the markers of all 6 other videos, then records how many it saw."""
    marks = Path(os.environ["VDATA_TEST_MARKS"])
    if Path(path).name == "a_long.mp4":
        deadline = time.monotonic() + 60
        while len(list(marks.glob("*.done"))) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        (marks / "seen").write_text(str(len(list(marks.glob("*.done")))))
    frames = decode.decode_pyav(path, table, indices, size, scan)
    (marks / f"{Path(path).stem}.done").touch()
    return frames


@needs_fork
def test_an_item_that_takes_long_does_not_hold_up_the_items_after_it(
    codec_videos: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(decode.DECODERS._entries, "test-waiting", waiting_for_the_others)
    marks, videos = tmp_path / "marks", tmp_path / "videos"
    marks.mkdir()
    videos.mkdir()
    monkeypatch.setenv("VDATA_TEST_MARKS", str(marks))
    names = ["a_long.mp4", *(f"b_short_{k}.mp4" for k in range(6))]
    for name in names:
        shutil.copyfile(codec_videos["h264"], videos / name)
    report = build([f"folder:{videos}"], tmp_path / "out",
                   BuildOptions(frames="uniform:2", decoder="test-waiting", workers=2))
    # the other worker went on past the first item's queue: all six short videos were done while it waited
    assert (marks / "seen").read_text() == "6"
    assert report.rows == 7  # and the rows still come in input order
    assert read_table(tmp_path / "out", columns=["video"]).column("video").to_pylist() == names


def hanging(path, table, indices, size, scan=None):  # type: ignore[no-untyped-def]
    """PyAV, except that it hangs (for 30 s) on `hang.mp4`."""
    if Path(path).name == "hang.mp4":
        time.sleep(30)
    return decode.decode_pyav(path, table, indices, size, scan)


def test_workers_0_enforces_the_timeout_in_process(
    codec_videos: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(decode.DECODERS._entries, "test-hanging", hanging)
    videos = tmp_path / "videos"
    videos.mkdir()
    for name in ("a_good.mp4", "hang.mp4", "z_good.mp4"):
        shutil.copyfile(codec_videos["h264"], videos / name)
    started = time.monotonic()
    report = build([f"folder:{videos}"], tmp_path / "out",
                   BuildOptions(frames="uniform:2", decoder="test-hanging", workers=0, timeout_s=1.0))
    assert time.monotonic() - started < 20
    assert report.rows == 2
    errors = pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()
    assert [(e["video"], e["code"], e["message"]) for e in errors] == [("hang.mp4", "decode_timeout",
                                                                        "gave up after 1s")]
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_workers_0_off_the_main_thread_is_refused_at_start_up(codec_videos: dict[str, Path], tmp_path: Path) -> None:
    videos = tmp_path / "videos"
    videos.mkdir()
    shutil.copyfile(codec_videos["h264"], videos / "a.mp4")
    caught: list[BaseException] = []

    def run() -> None:
        try:
            build([f"folder:{videos}"], tmp_path / "out", BuildOptions(frames="uniform:2", workers=0))
        except BaseException as e:
            caught.append(e)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert len(caught) == 1 and isinstance(caught[0], ConfigError)
    assert "--workers 0" in str(caught[0]) and "\n" not in str(caught[0])


def test_a_long_videos_scene_scan_runs_in_window_tasks_and_gives_the_same_rows(
    scene_video: Path, codec_videos: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    videos = tmp_path / "videos"
    videos.mkdir()
    shutil.copyfile(scene_video, videos / "a_scenes.mp4")  # 100 frames, cuts at 30 and 70
    shutil.copyfile(codec_videos["h264"], videos / "b_h264.mp4")  # 60 frames, cuts at 20 and 40
    options = BuildOptions(frames="scenes,min=4", scenes="content", workers=2)
    build([f"folder:{videos}"], tmp_path / "whole", options)
    monkeypatch.setattr("vdata.build.windows.WINDOW_FRAMES", 25)  # windows of 25 frames: cuts near their starts
    with caplog.at_level(logging.INFO, logger="vdata.build.local"):
        build([f"folder:{videos}"], tmp_path / "split", options)
    windows = {r.args[0].name: r.args[2] for r in caplog.records if "window tasks" in r.getMessage()}
    assert windows == {"a_scenes.mp4": 4, "b_h264.mp4": 3}
    whole, split = read_table(tmp_path / "whole").to_pylist(), read_table(tmp_path / "split").to_pylist()
    assert [r["scenes"] for r in split] == [r["scenes"] for r in whole] and len(whole[0]["scenes"]) == 3
    assert split == whole


def test_a_splits_windows_keep_a_scene_free_policys_frames_so_its_last_task_decodes_none(
    scene_video: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vdata.build.windows import Split, finish_task, item_task, window_task
    from vdata.builders.base import Item
    from vdata.video import decode

    item = Item("folder", "a", scene_video, "a.mp4", "a", "caption")  # 100 frames, cuts at 30 and 70
    options = BuildOptions(frames="uniform:9", scenes="content")
    whole = item_task(item, options, 0)
    split = item_task(item, options, 25)
    assert isinstance(split, Split) and len(split.windows) == 4
    scans = [window_task(item, options, *w) for w in split.windows]
    assert sorted(f.index for s in scans for f in s.frames) == whole[1]["frame_indices"]
    calls: list[list[int]] = []

    def counting(real: decode.Decoder) -> decode.Decoder:
        return lambda path, table, indices, *a: calls.append(indices) or real(path, table, indices, *a)

    for name in ("auto", "pyav"):
        monkeypatch.setitem(decode.DECODERS._entries, name, counting(decode.get(name)))
    assert finish_task(item, options, *scans) == whole and calls == []
    middles = BuildOptions(frames="scenes,min=5", scenes="content")  # 3 scene middles, topped up to 5
    scans, whole = [window_task(item, middles, *w) for w in split.windows], item_task(item, middles, 0)
    kept = {f.index for s in scans for f in s.frames}
    calls.clear()
    row = finish_task(item, middles, *scans)
    assert row == whole and len(row[1]["frame_indices"]) == 5 and kept & set(row[1]["frame_indices"])
    assert [set(c) for c in calls] == [set(row[1]["frame_indices"]) - kept]
