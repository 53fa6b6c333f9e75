"""Streaming rows from the shards: every row once per epoch across processes and workers, a seeded order, and a
resumed stream that continues at the exact next sample."""

from __future__ import annotations

import operator
from pathlib import Path

import pytest

from tests.distill.helpers import make_row
from vdata.shards import ShardWriter
from vdata.train.stream import Position, RowStream, StreamState, list_units, reader_rows, reader_units

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def many_groups(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """23 rows in small row groups spread over several shards."""
    root = tmp_path_factory.mktemp("stream")
    writer = ShardWriter(root, {"fixture": True}, shard_size_bytes=40_000, row_group_bytes=8_000)
    for i in range(23):
        writer.add(make_row(f"r{i:02d}", "numeric", question="How many?", answer=str(i)))
    writer.finish(lambda shards: {"format": "vdata", "build": {"fingerprint": {"fixture": True}}})
    return root


def first_epoch(data: Path, seed: int, readers: int, buffer: int) -> list[list[str]]:
    units = list_units(data, "train", readers)
    out = []
    for reader in range(readers):
        size = sum(u.rows for u in reader_units(units, seed, 0, reader, readers))
        rows = reader_rows(units, seed, reader, readers, buffer)
        out.append([next(rows)["id"] for _ in range(size)])
    return out


def test_every_row_is_read_once_per_epoch_by_exactly_one_reader(many_groups: Path):
    units = list_units(many_groups, "train", 4)
    assert len({u.path for u in units}) > 1 and len(units) >= 4
    epoch = first_epoch(many_groups, seed=1, readers=4, buffer=5)  # 2 processes x 2 workers
    ids = [i for reader in epoch for i in reader]
    assert sorted(ids) == [f"r{i:02d}" for i in range(23)]
    assert all(epoch)
    # fewer row groups than readers: row groups are cut into strided parts, still each row once
    few = first_epoch(many_groups, seed=1, readers=len(units) + 3, buffer=5)
    assert sorted(i for reader in few for i in reader) == sorted(ids)


def test_the_order_is_shuffled_and_a_function_of_the_seed(many_groups: Path):
    a, b, c = (first_epoch(many_groups, seed, 1, 8)[0] for seed in (0, 0, 1))
    assert a == b and a != c
    assert a != sorted(a)


def test_a_resumed_stream_continues_at_the_exact_next_sample(many_groups: Path):
    state = StreamState(consumed=0, world=1, workers=2, seed=3, shuffle_buffer=4)
    ids = operator.itemgetter("id")
    straight = Position(RowStream(many_groups, "train", state, transform=ids))
    expected = [straight.next() for _ in range(30)]  # past the end of the first epoch
    straight.close()
    first = Position(RowStream(many_groups, "train", state, transform=ids))
    seen = [first.next() for _ in range(13)]
    saved = first.state()
    first.close()
    assert saved["consumed"] == 13
    resumed = Position(RowStream(many_groups, "train", StreamState(**saved), transform=ids))
    seen += [resumed.next() for _ in range(17)]
    resumed.close()
    assert seen == expected
    # each rank of two reads its own rows
    ranks = [Position(RowStream(many_groups, "train", StreamState(0, 2, 0, 3, 4), rank=r, transform=ids)) for r in (0, 1)]
    assert not {ranks[0].next() for _ in range(5)} & {ranks[1].next() for _ in range(5)}


def test_a_schema_v1_shard_streams_as_v2_video_rows(many_groups: Path, tmp_path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vdata.schemas import v1
    from vdata.shards import iter_rows

    rows = list(iter_rows(many_groups))[:5]
    (tmp_path / "data").mkdir()
    pq.write_table(pa.Table.from_pylist([{c: r[c] for c in v1.COLUMNS} for r in rows], schema=v1.SCHEMA),
                   tmp_path / "data" / "train-00000-of-00001.parquet")
    streamed = first_epoch(tmp_path, seed=0, readers=1, buffer=8)[0]
    assert sorted(streamed) == sorted(r["id"] for r in rows)
    row = next(reader_rows(list_units(tmp_path, "train", 1), 0, 0, 1, 8))
    assert row["media"] == "video" and row["subtitles"] is None
