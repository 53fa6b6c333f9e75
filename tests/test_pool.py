"""The worker pool: a decoder that hangs costs its item (`decode_timeout`), one that kills its worker costs its
item (`decode_failed`); the build goes on and finishes."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from vdata.build import build
from vdata.options import BuildOptions
from vdata.shards import read_table
from vdata.video import decode


def misbehaving(path, table, indices, size, scan=None):  # type: ignore[no-untyped-def]
    """PyAV, except that it hangs on `hang.mp4` and kills its process on `crash.mp4`."""
    name = Path(path).name
    if name == "hang.mp4":
        time.sleep(600)
    if name == "crash.mp4":
        os._exit(3)
    return decode.decode_pyav(path, table, indices, size, scan)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the test-only decoder reaches the workers by fork")
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
