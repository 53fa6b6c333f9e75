"""Rows streamed from the shards: a torch `IterableDataset` read by a `DataLoader` whose workers decode the JPEG
keyframes off the training loop. Memory holds one shuffle window per worker, whatever the dataset's size.

The order is a pure function of (seed, processes, workers): the shards' row groups ("units"; a row group is cut
into strided parts when there are fewer row groups than readers) are permuted per epoch with the seed and dealt
round-robin to the readers (`rank x workers + worker`); each reader reads its units a window at a time (at least
`shuffle_buffer` rows) and yields the window's rows in a seeded permutation; epochs follow each other forever. The
`DataLoader` takes one item from each worker in turn, so after `consumed` items each worker's share is known:
`StreamState` is saved in the checkpoint and a resumed run continues at the exact next sample, skipping whole
windows by their row counts (read from the Parquet footers, no data read).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vdata.errors import ConfigError

try:  # torch is only needed once a DataLoader is built; importing this module stays light without it
    from torch.utils.data import IterableDataset as _Base
except ImportError:  # pragma: no cover - the train extra is not installed
    _Base = object  # type: ignore[assignment,misc]


@dataclass(frozen=True)
class Unit:
    """Rows `part`, `part + parts`, ... of row group `row_group` of the shard at `path`; `rows` of them; the
    shard's schema `version` (an older one is upgraded as read, `vdata.schemas.upgrade`)."""

    path: str
    row_group: int
    part: int
    parts: int
    rows: int
    version: str = ""


@dataclass(frozen=True)
class StreamState:
    """Where a rank's stream stands: `consumed` items taken from its `DataLoader`, with the layout that produced
    them (`world` processes, `workers` per process, `seed`, `shuffle_buffer`); a different layout cannot resume."""

    consumed: int = 0
    world: int = 1
    workers: int = 0
    seed: int = 0
    shuffle_buffer: int = 256


def list_units(data: Path, split: str, readers: int) -> list[Unit]:
    """The row groups of `split` (from the Parquet footers), each cut into `ceil(readers / row groups)` strided
    parts so that every reader gets at least one unit; raises when the split has no rows."""
    import pyarrow.parquet as pq

    from vdata.shards import shard_paths
    from vdata.shards.reader import check_shard_schema

    groups = []
    for path in shard_paths(data, split):
        version = check_shard_schema(path)
        meta = pq.ParquetFile(path).metadata
        groups += [(str(path), i, meta.row_group(i).num_rows, version) for i in range(meta.num_row_groups)]
    groups = [g for g in groups if g[2] > 0]
    if not groups:
        raise ConfigError(f"--data {data}: no rows in split {split!r} (is it a built vdata dataset?)")
    parts = -(-readers // len(groups))
    units = [Unit(p, g, k, parts, len(range(k, n, parts)), v) for p, g, n, v in groups for k in range(parts)]
    units = [u for u in units if u.rows]
    if len(units) < readers:
        raise ConfigError(f"--data {data}: split {split!r} has fewer rows than the {readers} data readers")
    return units


def reader_units(units: list[Unit], seed: int, epoch: int, reader: int, readers: int) -> list[Unit]:
    """The units `reader` reads in `epoch`: a seeded permutation of all units, dealt round-robin.

    >>> units = [Unit("s", g, 0, 1, 4) for g in range(4)]
    >>> sorted(u.row_group for r in range(2) for u in reader_units(units, 0, 0, r, 2))
    [0, 1, 2, 3]
    """
    order = list(units)
    random.Random(f"{seed}-{epoch}").shuffle(order)
    return order[reader::readers]


def windows(units: list[Unit], shuffle_buffer: int) -> list[list[Unit]]:
    """Consecutive units grouped until each group holds at least `shuffle_buffer` rows (the last may hold fewer).

    >>> [len(w) for w in windows([Unit("s", g, 0, 1, 3) for g in range(5)], 5)]
    [2, 2, 1]
    """
    out: list[list[Unit]] = [[]]
    rows = 0
    for unit in units:
        if rows >= shuffle_buffer:
            out.append([])
            rows = 0
        out[-1].append(unit)
        rows += unit.rows
    return [w for w in out if w]


def reader_rows(units: list[Unit], seed: int, reader: int, readers: int, shuffle_buffer: int, skip: int = 0):
    """Rows of one reader forever (epoch after epoch), as dicts, after skipping its first `skip` rows: whole
    windows are skipped by their row counts, only the window holding the next row is read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vdata.schemas import COLUMNS, SCHEMA_VERSION, upgrade

    epoch = 0
    while True:
        for w, window in enumerate(windows(reader_units(units, seed, epoch, reader, readers), shuffle_buffer)):
            size = sum(u.rows for u in window)
            if skip >= size:
                skip -= size
                continue
            tables = []
            for u in window:
                with pq.ParquetFile(u.path) as f:
                    table = f.read_row_group(u.row_group)
                    if u.version != SCHEMA_VERSION:
                        table = upgrade(table.replace_schema_metadata(f.schema_arrow.metadata))
                table = table.select(list(COLUMNS))
                tables.append(table.take(list(range(u.part, table.num_rows, u.parts))) if u.parts > 1 else table)
            table = pa.concat_tables(tables)
            order = list(range(table.num_rows))
            random.Random(f"{seed}-{epoch}-{reader}-{w}").shuffle(order)
            for i in order[skip:]:
                yield table.slice(i, 1).to_pylist()[0]
            skip = 0
        epoch += 1


class RowStream(_Base):
    """The rows of one process (`rank` of `world`) as a torch `IterableDataset`, each passed through `transform`
    in the worker (decode the keyframes, count tokens); starts after `state.consumed` items."""

    def __init__(
        self,
        data: Path,
        split: str,
        state: StreamState,
        rank: int = 0,
        transform: Callable[[dict[str, Any]], Any] | None = None,
    ) -> None:
        self.state, self.rank, self.transform = state, rank, transform
        self.units = list_units(data, split, state.world * max(state.workers, 1))

    def __iter__(self) -> Iterator[Any]:
        from torch.utils.data import get_worker_info

        info = get_worker_info()
        workers = info.num_workers if info else 1
        # a new DataLoader asks its worker 0 first: it plays the worker whose turn came next when the state was saved
        worker = ((info.id if info else 0) + self.state.consumed) % workers
        readers = self.state.world * workers
        reader = self.rank * workers + worker
        skip = len(range(worker, self.state.consumed, workers))  # this worker's items already consumed
        rows = reader_rows(self.units, self.state.seed, reader, readers, self.state.shuffle_buffer, skip)
        for row in rows:
            yield self.transform(row) if self.transform else row


def loader(stream: RowStream) -> Any:
    """A `DataLoader` over `stream`: items one at a time (the loop batches them), `state.workers` processes. Its
    own seeded generator leaves torch's global RNG (the rollouts' sampling) untouched, so resuming is exact."""
    import torch
    from torch.utils.data import DataLoader

    workers = stream.state.workers
    return DataLoader(
        stream,
        batch_size=None,
        num_workers=workers,
        prefetch_factor=4 if workers else None,
        collate_fn=_identity,
        generator=torch.Generator().manual_seed(stream.state.seed),
    )


def _identity(item: Any) -> Any:
    return item


class Position:
    """Items taken from a loader, counted: `next()` one item; `state()` the `StreamState` to checkpoint."""

    def __init__(self, stream: RowStream) -> None:
        self.start = stream.state
        self.consumed = stream.state.consumed
        self._items = iter(loader(stream))

    def next(self) -> Any:
        self.consumed += 1
        return next(self._items)

    def close(self) -> None:
        """Stop the worker processes."""
        shutdown = getattr(self._items, "_shutdown_workers", None)
        if shutdown is not None:
            shutdown()

    def state(self) -> dict[str, Any]:
        from dataclasses import asdict, replace

        return asdict(replace(self.start, consumed=self.consumed))
