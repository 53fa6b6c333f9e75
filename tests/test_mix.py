"""`vdata.mix.mix`: weighted row copies from built datasets, in the build's layout."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.videos import write_video
from vdata.build import build
from vdata.errors import ConfigError, VdataError
from vdata.mix import mix, shares
from vdata.options import BuildOptions
from vdata.shards import ShardWriter, read_manifest, read_table
from vdata.shards.manifest import file_sha256
from vdata.validate import validate

OPTIONS = BuildOptions(frames="uniform:2", max_pixels=160 * 120, size_factor=1, workers=0)


def _dataset(root: Path, name: str, task: str, n: int, splits: tuple[str, ...] = ("train",)) -> Path:
    corpus = root / f"{name}-corpus"
    corpus.mkdir(parents=True)
    write_video(corpus / "v.mp4", fps=10.0, num_frames=20, width=160, height=120)
    lines = [
        {"id": f"{name}{i}", "video": "v.mp4", "task": task, "question": f"q{i}", "options": ["x", "y"], "answer": "A",
         "split": splits[i % len(splits)]}
        for i in range(n)
    ]
    (corpus / "samples.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    build([f"jsonl:{corpus}"], root / name, OPTIONS)
    return root / name


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("mix")
    return _dataset(root, "a", "multiple_choice", 4), _dataset(root, "b", "free_form", 2)


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three sources, two of them with a test split, to mix into several shards."""
    root = tmp_path_factory.mktemp("mix3")
    return [_dataset(root, "c", "multiple_choice", 7, ("train", "test")), _dataset(root, "d", "free_form", 3),
            _dataset(root, "e", "caption", 5, ("train", "train", "test"))]


def _row_by_row_mix(out: Path, roots: list[Path], weights: list[float], total: int, seed: int, shard_size: int) -> None:
    """The implementation `mix` had before it copied in Arrow (one `rng.choice` and one `ShardWriter.add` per
    row), kept as the reference its output must equal."""
    sizes = [read_table(r, columns=["id"]).num_rows for r in roots]
    counts = shares(weights, total)
    rng = np.random.default_rng(seed)
    picks = []
    for size, count in zip(sizes, counts, strict=True):
        times = np.zeros(size, dtype=np.int64)
        full, rest = divmod(count, size)
        times += full
        times[rng.permutation(size)[:rest]] += 1
        picks.append(times)

    def rows(root: Path, times: np.ndarray):  # type: ignore[no-untyped-def]
        for index, row in enumerate(read_table(root).to_pylist()):
            for k in range(int(times[index])):
                yield row if k == 0 else {**row, "id": f"{row['id']}#r{k}"}

    streams = [rows(r, t) for r, t in zip(roots, picks, strict=True)]
    writer = ShardWriter(out, {"reference": True}, shard_size)
    remaining = np.array(counts, dtype=float)
    while remaining.sum() > 0:
        i = int(rng.choice(len(streams), p=remaining / remaining.sum()))
        remaining[i] -= 1
        writer.add(next(streams[i]))
    writer.finish(lambda shards: {})


@pytest.mark.parametrize(("weights", "total", "seed"), [((1.0, 2.0, 1.0), 40, 0), ((5.0, 1.0, 0.5), 9, 3)])
def test_mix_writes_what_the_row_by_row_implementation_wrote(three, tmp_path: Path, weights, total, seed) -> None:
    shard_size = 8_000  # several shards per split
    mix(tmp_path / "m", list(zip(three, weights, strict=True)), total=total, seed=seed, shard_size=str(shard_size))
    _row_by_row_mix(tmp_path / "ref", three, list(weights), total, seed, shard_size)
    names = sorted(p.name for p in (tmp_path / "ref" / "data").iterdir())
    assert sorted(p.name for p in (tmp_path / "m" / "data").iterdir()) == names and len(names) > 2
    for name in names:
        got, want = (pq.read_table(tmp_path / d / "data" / name) for d in ("m", "ref"))
        assert got.equals(want), name


def test_shares_add_up_to_total_by_largest_remainder() -> None:
    assert shares([0.5, 0.3, 0.2], 7) == [4, 2, 1]
    assert shares([1, 1, 1], 10) == [4, 3, 3]


def test_mix_copies_rows_by_weight_and_repeats_a_small_source_with_new_ids(built, tmp_path: Path) -> None:
    a, b = built
    report = mix(tmp_path / "m", [(a, 1.0), (b, 2.0)], total=9, seed=0)
    assert (report.taken, report.repeated) == ({str(a): 3, str(b): 6}, {str(a): 0, str(b): 4})
    rows = read_table(tmp_path / "m").to_pylist()
    assert len(rows) == 9 and len({r["id"] for r in rows}) == 9
    assert sorted(r["question"] for r in rows if r["task"] == "free_form") == ["q0", "q0", "q0", "q1", "q1", "q1"]
    source = {r["id"]: r for r in read_table(a).to_pylist() + read_table(b).to_pylist()}
    for row in rows:
        original = source[row["id"].split("#r")[0]]
        assert row["frames"] == original["frames"] and row["meta"] == original["meta"]
    assert validate(tmp_path / "m") == []
    assert pq.read_table(tmp_path / "m" / "errors.parquet").num_rows == 0
    assert read_manifest(tmp_path / "m")["mix"]["sources"][1]["repeated"] == 4


def test_same_seed_gives_the_same_rows_in_the_same_order(built, tmp_path: Path) -> None:
    a, b = built
    mix(tmp_path / "m1", [(a, 0.5), (b, 0.5)], total=4, seed=7)
    mix(tmp_path / "m2", [(a, 0.5), (b, 0.5)], total=4, seed=7)
    ids = [read_table(p, columns=["id"]).column("id").to_pylist() for p in (tmp_path / "m1", tmp_path / "m2")]
    assert ids[0] == ids[1]
    assert mix(tmp_path / "m1", [(a, 0.5), (b, 0.5)], total=4, seed=7).already_built


def test_bad_weight_and_non_dataset_source_are_config_errors(built, tmp_path: Path) -> None:
    a, _ = built
    with pytest.raises(ConfigError, match="weight must be > 0"):
        mix(tmp_path / "m", [(a, 0.0)], total=2, seed=0)
    with pytest.raises(VdataError, match=r"no vdata\.json"):
        mix(tmp_path / "m", [(tmp_path, 1.0)], total=2, seed=0)


def test_cli_mix_parses_dir_weight_pairs(built, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vdata.cli import app

    a, b = built
    result = CliRunner().invoke(app, ["mix", str(tmp_path / "m"), "--from", f"{a}:1", "--from", f"{b}:3", "--total", "4", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sources"] == [[str(a), 1, 0], [str(b), 3, 1]]


def _as_schema_v1(root: Path, out: Path) -> Path:
    """A copy of a built dataset as vdata wrote it with schema v1: v1 shards (no media, subtitles or audio
    columns), no metadata index."""
    from vdata.schemas import v1

    copy = Path(shutil.copytree(root, out))
    manifest = json.loads((copy / "vdata.json").read_text())
    (copy / manifest.pop("index")["path"]).unlink()
    for shard in manifest["shards"]:
        path = copy / shard["path"]
        table = pq.read_table(path).select(list(v1.COLUMNS))
        pq.write_table(pa.Table.from_arrays(table.columns, schema=v1.SCHEMA), path)
        shard.update(bytes=path.stat().st_size, sha256=file_sha256(path))
    (copy / "vdata.json").write_text(json.dumps(manifest))
    return copy


def test_a_schema_v1_source_mixes_as_its_v2_rows(built, tmp_path: Path) -> None:
    a, b = built
    old = _as_schema_v1(b, tmp_path / "b-v1")
    from typer.testing import CliRunner

    from vdata.cli import app

    result = CliRunner().invoke(app, ["validate", str(old)])  # a v1 dataset validates and says so
    assert result.exit_code == 0 and result.stdout.strip().endswith("valid (schema v1)"), result.output
    mix(tmp_path / "new", [(a, 1.0), (b, 2.0)], total=9, seed=1)
    mix(tmp_path / "old", [(a, 1.0), (old, 2.0)], total=9, seed=1)
    assert read_table(tmp_path / "old").equals(read_table(tmp_path / "new"))
    assert validate(tmp_path / "old") == []
