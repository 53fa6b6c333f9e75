"""The shard writer's journal: only committed parts count after a kill; other options cannot resume a build. Row
groups by bytes, rows added as tables, the metadata index written at finish and read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vdata.errors import ConfigError, VdataError
from vdata.schemas import METADATA_COLUMNS, rows_to_table
from vdata.shards import INDEX_NAME, ShardWriter, iter_rows, read_manifest, read_metadata, read_table
from vdata.shards.manifest import file_sha256
from vdata.shards.writer import WORK_DIR, row_bytes

FINGERPRINT = {"sources": ["jsonl:/corpus"], "frames": "uniform:1"}


def row(i: int, split: str = "train") -> dict[str, Any]:
    return {"id": f"id{i:03d}", "source": "jsonl", "split": split, "video": "a.mp4", "video_id": "a",
            "duration_s": 1.0, "fps": 25.0, "width": 8, "height": 8, "num_frames": 25, "clip_start_s": 0.0,
            "clip_end_s": 1.0, "frames": [{"bytes": b"\xff\xd8" + bytes(600), "path": None}],
            "frame_timestamps_s": [0.0], "frame_indices": [0], "task": "caption"}


def test_only_committed_parts_survive_a_crash(tmp_path: Path) -> None:
    writer = ShardWriter(tmp_path, FINGERPRINT, shard_size_bytes=3000)  # two rows (1.6 kB each) per part
    for i in range(5):
        writer.add(row(i))  # parts of ids 0-1 and 2-3 commit; id 4 is in an open part when the "crash" comes
    journal = tmp_path / WORK_DIR / "journal.jsonl"
    with journal.open("a") as f:
        f.write('{"part": 9, "file": "train-00009.parq')  # a journal line torn by the kill
    resumed = ShardWriter(tmp_path, FINGERPRINT, shard_size_bytes=3000)
    assert resumed.done_ids == {"id000", "id001", "id002", "id003"}
    assert sorted(p.name for p in (tmp_path / WORK_DIR / "parts").iterdir()) == [
        "train-00000.parquet", "train-00001.parquet"]
    resumed.add(row(4))
    resumed.add_error({"id": "bad", "source": "jsonl", "code": "video_missing", "message": "gone"})
    shards = resumed.finish(lambda shards: {"format": "vdata"})
    assert [s.path for s in shards] == [f"data/train-0000{i}-of-00003.parquet" for i in range(3)]
    assert read_table(tmp_path, columns=["id"]).column("id").to_pylist() == [f"id{i:03d}" for i in range(5)]
    assert [r["id"] for r in iter_rows(tmp_path, columns=["id"], batch_rows=2)] == [f"id{i:03d}" for i in range(5)]


def test_an_unfinished_build_with_other_options_is_not_resumed(tmp_path: Path) -> None:
    ShardWriter(tmp_path, FINGERPRINT, shard_size_bytes=3000).add(row(0))
    with pytest.raises(ConfigError, match="holds an unfinished build with other options"):
        ShardWriter(tmp_path, {**FINGERPRINT, "frames": "uniform:2"}, shard_size_bytes=3000)


def test_row_groups_are_cut_by_bytes(tmp_path: Path) -> None:
    assert row_bytes(row(0)) == 1626
    writer = ShardWriter(tmp_path, FINGERPRINT, shard_size_bytes=10**9, row_group_bytes=4000)
    for i in range(7):
        writer.add(row(i))  # a row group closes once it holds >= 4000 bytes: after 3 rows (4878)
    (shard,) = writer.finish(lambda shards: {"format": "vdata"})
    meta = pq.ParquetFile(tmp_path / shard.path).metadata
    assert [meta.row_group(g).num_rows for g in range(meta.num_row_groups)] == [3, 3, 1]


def test_finish_writes_the_metadata_index_named_in_the_manifest(tmp_path: Path) -> None:
    writer = ShardWriter(tmp_path, FINGERPRINT, shard_size_bytes=3000)
    for i in range(5):
        writer.add(row(i, "test" if i == 2 else "train"))
    writer.finish(lambda shards: {"format": "vdata"})
    entry = read_manifest(tmp_path)["index"]
    assert (entry["path"], entry["rows"], entry["sha256"]) == (INDEX_NAME, 5, file_sha256(tmp_path / INDEX_NAME))
    assert not (tmp_path / "data" / INDEX_NAME).exists()  # beside data/, never one of its shards
    assert read_metadata(tmp_path).equals(read_table(tmp_path, columns=list(METADATA_COLUMNS)))
    assert read_metadata(tmp_path, ["id"], split="test").column("id").to_pylist() == ["id002"]
    with pytest.raises(VdataError, match="no frame bytes"):
        read_metadata(tmp_path, ["id", "frames"])


def test_read_metadata_of_a_dataset_without_an_index_reads_the_shards(tmp_path: Path) -> None:
    writer = ShardWriter(tmp_path, FINGERPRINT, shard_size_bytes=3000)
    for i in range(3):
        writer.add(row(i))
    writer.finish(lambda shards: {"format": "vdata"})
    expected = read_metadata(tmp_path, ["id", "task"])
    manifest = read_manifest(tmp_path)
    (tmp_path / manifest.pop("index")["path"]).unlink()
    (tmp_path / "vdata.json").write_text(json.dumps(manifest))
    assert read_metadata(tmp_path, ["id", "task"]).equals(expected)


def test_add_table_cuts_the_same_parts_and_row_groups_as_add(tmp_path: Path) -> None:
    rows = [row(i, "test" if i % 3 == 0 else "train") for i in range(9)]
    layouts = []
    for name, add in (("rows", None), ("table", rows_to_table)):
        writer = ShardWriter(tmp_path / name, FINGERPRINT, shard_size_bytes=5000, row_group_bytes=3000)
        if add is None:
            for r in rows:
                writer.add(r)
        else:
            writer.add_table(add(rows[:4]))
            writer.add(rows[4])
            writer.add_table(add(rows[5:]))
        writer.finish(lambda shards: {"format": "vdata"})
        layouts.append({p.name: [g.num_rows for g in _groups(p)] for p in sorted((tmp_path / name / "data").iterdir())})
        assert read_table(tmp_path / name).equals(read_table(tmp_path / "rows"))
    assert layouts[0] == layouts[1] and len(layouts[0]) == 3


def _groups(path: Path) -> list[Any]:
    meta = pq.ParquetFile(path).metadata
    return [meta.row_group(g) for g in range(meta.num_row_groups)]


def test_read_metadata_of_a_schema_v1_index_gives_v2_columns(tmp_path: Path) -> None:
    from vdata.schemas import v1

    writer = ShardWriter(tmp_path, FINGERPRINT, shard_size_bytes=3000)
    for i in range(3):
        writer.add(row(i, "test" if i == 1 else "train"))
    writer.finish(lambda shards: {"format": "vdata"})
    index = tmp_path / INDEX_NAME
    old = pq.read_table(index).select([c for c in v1.METADATA_COLUMNS])
    pq.write_table(pa.Table.from_arrays(old.columns, schema=pa.schema(
        [v1.SCHEMA.field(c) for c in v1.METADATA_COLUMNS], metadata=v1.SCHEMA.metadata)), index)
    got = read_metadata(tmp_path, ["id", "media", "task"], split="train")
    assert got.to_pylist() == [{"id": f"id00{i}", "media": "video", "task": "caption"} for i in (0, 2)]
