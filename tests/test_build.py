"""`vdata build` end to end on a small JSONL corpus: layout, manifest, exact keyframes, workers, sources, limits."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import CORPUS_OPTIONS, CORPUS_SAMPLES, FPS
from tests.helpers import rgb
from tests.videos import read_index
from vdata.build import build
from vdata.builders import sample_id
from vdata.errors import ConfigError
from vdata.options import BuildOptions
from vdata.shards import read_manifest, read_table
from vdata.shards.manifest import file_sha256


def ids_of(samples: list[dict]) -> list[str]:
    return [sample_id("jsonl", s.get("split", "train"), s["id"]) for s in samples]


def test_build_writes_the_hugging_face_layout(built: Path) -> None:
    assert sorted(p.name for p in (built / "data").iterdir()) == [
        "test-00000-of-00001.parquet", "train-00000-of-00001.parquet"]
    assert (built / "vdata.json").is_file() and (built / "errors.parquet").is_file()
    assert not (built / ".vdata-build").exists()


def test_the_manifest_lists_each_shard_with_rows_bytes_and_checksum(built: Path) -> None:
    manifest = read_manifest(built)
    assert manifest["schema_version"] == "2"
    for shard in manifest["shards"]:
        path = built / shard["path"]
        assert (shard["rows"], shard["bytes"], shard["sha256"]) == (
            pq.ParquetFile(path).metadata.num_rows, path.stat().st_size, file_sha256(path))
    counts = manifest["counts"]
    assert counts["rows"] == len(CORPUS_SAMPLES)
    assert counts["rows_by_split"] == {"train": 4, "test": 1}
    assert counts["rows_by_task"] == {"caption": 2, "temporal_grounding": 1, "multiple_choice": 1,
                                      "spatial_grounding": 1}
    assert counts["rows_by_source"] == {"jsonl": 5} and counts["errors_by_code"] == {}
    assert manifest["build"]["fingerprint"]["frames"] == CORPUS_OPTIONS["frames"]
    assert manifest["run"]["items_run"] == 5 and manifest["run"]["video_s_per_s"] > 0


def test_every_stored_keyframe_in_the_shards_is_the_frame_it_names(built: Path) -> None:
    table = read_table(built)
    for row in table.to_pylist():
        assert [read_index(rgb(f["bytes"])) for f in row["frames"]] == row["frame_indices"], row["id"]
        assert row["frame_timestamps_s"] == pytest.approx([i / FPS for i in row["frame_indices"]], abs=1e-9)


def test_rows_keep_the_items_order_and_deterministic_ids(built: Path) -> None:
    train = [s for s in CORPUS_SAMPLES if s.get("split", "train") == "train"]
    assert read_table(built, columns=["id"], split="train").column("id").to_pylist() == ids_of(train)


def test_the_box_sample_gets_its_box_frame_as_a_keyframe(built: Path) -> None:
    (row,) = [r for r in read_table(built).to_pylist() if r["task"] == "spatial_grounding"]
    assert 10 in row["frame_indices"] and row["boxes"][0]["frame_index"] == 10


def test_two_workers_give_the_same_rows_as_in_process(built: Path, corpus: Path, tmp_path: Path) -> None:
    options = BuildOptions(**{**CORPUS_OPTIONS, "workers": 2})
    build([f"jsonl:{corpus}"], tmp_path / "w2", options)
    assert read_table(tmp_path / "w2").equals(read_table(built))


def test_a_finished_build_run_again_is_a_no_op(corpus: Path, tmp_path: Path) -> None:
    options = BuildOptions(frames="uniform:2", limit=2)
    build([f"jsonl:{corpus}"], tmp_path / "out", options)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*")}
    report = build([f"jsonl:{corpus}"], tmp_path / "out", options)
    assert report.already_built and report.rows == 2 and report.items_run == 0
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*")} == before


def test_building_into_a_finished_dataset_with_other_options_is_refused(corpus: Path, tmp_path: Path) -> None:
    build([f"jsonl:{corpus}"], tmp_path / "out", BuildOptions(frames="uniform:2", limit=1))
    with pytest.raises(ConfigError, match="already holds a finished build with other sources or options"):
        build([f"jsonl:{corpus}"], tmp_path / "out", BuildOptions(frames="uniform:3", limit=1))


def test_several_sources_build_into_one_dataset(corpus: Path, tmp_path: Path) -> None:
    report = build([f"folder:{corpus.parent}", f"jsonl:{corpus}"], tmp_path / "out", BuildOptions(frames="uniform:2"))
    assert report.rows_by_source == {"folder": 2, "jsonl": 5}
    folder_rows = read_table(tmp_path / "out", ["source", "video", "task"], split="train").to_pylist()[:2]
    assert folder_rows == [{"source": "folder", "video": "a.mp4", "task": "caption"},
                           {"source": "folder", "video": "b.mp4", "task": "caption"}]


def test_limit_builds_only_the_first_items(corpus: Path, tmp_path: Path) -> None:
    report = build([f"jsonl:{corpus}"], tmp_path / "out", BuildOptions(frames="uniform:2", limit=3))
    assert report.rows == 3
    assert read_table(tmp_path / "out", columns=["id"]).column("id").to_pylist() == ids_of(list(CORPUS_SAMPLES[:3]))


def test_a_small_shard_size_splits_the_rows_into_numbered_shards(corpus: Path, tmp_path: Path) -> None:
    build([f"jsonl:{corpus}"], tmp_path / "out", BuildOptions(frames="uniform:2", shard_size="1kB"))
    names = sorted(p.name for p in (tmp_path / "out" / "data").iterdir())
    # every row is over 1 kB: one row per shard
    assert names == ["test-00000-of-00001.parquet", *(f"train-0000{i}-of-00004.parquet" for i in range(4))]
    ids = read_table(tmp_path / "out", columns=["id"], split="train").column("id").to_pylist()
    assert ids == ids_of([s for s in CORPUS_SAMPLES if s.get("split", "train") == "train"])
    assert json.loads((tmp_path / "out" / "vdata.json").read_text())["counts"]["rows"] == 5
