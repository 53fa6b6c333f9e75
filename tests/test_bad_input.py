"""A corpus of broken files and labels: every good sample is built, every bad item is one row in errors.parquet."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.helpers import run_vdata, write_jsonl
from vdata.shards import read_table

GOOD = [
    {"id": "good", "video": "good.mp4", "task": "caption"},
    {"id": "span-past-end", "video": "good.mp4", "task": "temporal_grounding", "spans": [[1.0, 30.0]]},
]
BAD = [  # (sample, error code)
    ({"id": "zero", "video": "zero.mp4", "task": "caption"}, "video_empty"),
    ({"id": "truncated", "video": "truncated.mp4", "task": "caption"}, "video_truncated"),
    ({"id": "text", "video": "text.mp4", "task": "caption"}, "video_unreadable"),
    ({"id": "missing", "video": "missing.mp4", "task": "caption"}, "video_missing"),
    ({"id": "reversed-span", "video": "good.mp4", "task": "temporal_grounding", "spans": [[2.0, 1.0]]}, "bad_span"),
    ({"id": "box-outside", "video": "good.mp4", "task": "spatial_grounding",
      "boxes": [{"frame_index": 3, "x1": 500, "y1": 10, "x2": 600, "y2": 50}]}, "bad_box"),
]


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory: pytest.TempPathFactory, codec_videos: dict[str, Path]) -> Path:
    root = tmp_path_factory.mktemp("bad_corpus")
    shutil.copyfile(codec_videos["h264"], root / "good.mp4")
    (root / "zero.mp4").write_bytes(b"")
    data = codec_videos["h264"].read_bytes()
    (root / "truncated.mp4").write_bytes(data[: len(data) // 2])
    (root / "text.mp4").write_text("this is a text file, not a video\n")
    path = write_jsonl(root / "samples.jsonl", [*GOOD, *(s for s, _ in BAD)])
    with path.open("a") as f:
        f.write("{not json\n")
    return path


@pytest.fixture(scope="module")
def bad_build(bad_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("bad_build") / "out"
    result = run_vdata("build", "--source", f"jsonl:{bad_corpus}", "--out", str(out), "--workers", "0",
                       "--frames", "uniform:4")
    return out, result


def test_the_build_exits_0_when_some_samples_are_good(bad_build: tuple[Path, object]) -> None:
    _, result = bad_build
    assert result.returncode == 0, result.stderr


def test_every_good_sample_is_built(bad_build: tuple[Path, object]) -> None:
    out, _ = bad_build
    rows = read_table(out, columns=["video", "task", "spans", "meta"]).to_pylist()
    assert [(r["video"], r["task"]) for r in rows] == [("good.mp4", "caption"), ("good.mp4", "temporal_grounding")]
    assert rows[1]["spans"] == [{"start_s": 1.0, "end_s": pytest.approx(2.4)}]
    assert json.loads(rows[1]["meta"])["vdata_notes"]["spans_clipped"] == [[1.0, 30.0]]


def test_every_bad_item_is_one_error_row_with_its_code_and_file(bad_build: tuple[Path, object],
                                                                bad_corpus: Path) -> None:
    out, _ = bad_build
    errors = pq.read_table(out / "errors.parquet").to_pylist()
    assert [e["code"] for e in errors] == [code for _, code in BAD] + ["bad_annotation"]
    by_code = {e["code"]: e for e in errors}
    for video in ("zero.mp4", "truncated.mp4", "text.mp4", "missing.mp4"):
        error = next(e for e in errors if e["video"] == video)
        assert error["source_file"] == video and error["message"]  # relative to the corpus root
    for code, line in (("bad_span", 7), ("bad_box", 8), ("bad_annotation", 9)):
        assert by_code[code]["source_file"] == f"{bad_corpus.name}:{line}", code
    assert "ends before it starts" in by_code["bad_span"]["message"]
    assert "outside the 160x120 frame" in by_code["bad_box"]["message"]


def test_the_manifest_counts_errors_by_code(bad_build: tuple[Path, object]) -> None:
    out, _ = bad_build
    counts = json.loads((out / "vdata.json").read_text())["counts"]
    assert counts["rows"] == 2
    assert counts["errors_by_code"] == {"video_empty": 1, "video_truncated": 1, "video_unreadable": 1,
                                        "video_missing": 1, "bad_span": 1, "bad_box": 1, "bad_annotation": 1}


def test_a_build_where_nothing_could_be_built_exits_1_with_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "zero.mp4").write_bytes(b"")
    args = ("build", "--source", f"folder:{tmp_path / 'videos'}", "--out", str(tmp_path / "out"), "--workers", "0")
    for _ in range(2):  # and the same again: a re-run does not turn the failure into "nothing to do"
        result = run_vdata(*args)
        assert result.returncode == 1
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert errors == [f"error: nothing could be built: all 1 items failed; see {tmp_path / 'out'}/errors.parquet"]
        assert "Traceback" not in result.stderr
