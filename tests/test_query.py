"""DuckDB over a built dataset: `samples` and `errors` views, table/CSV/JSON output, no frame bytes for metadata,
the metadata index read when a query names no frames (same answers as the shards)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from vdata.cli import app
from vdata.errors import VdataError
from vdata.query import NO_FRAMES, connect, query
from vdata.shards import index_path, shard_paths

runner = CliRunner()
SQL = "SELECT task, count(*) AS n FROM samples GROUP BY task ORDER BY task"
EXPECTED = [("caption", 2), ("multiple_choice", 1), ("spatial_grounding", 1), ("temporal_grounding", 1)]


def test_query_returns_column_names_and_rows(built: Path) -> None:
    assert query(built, SQL) == (["task", "n"], EXPECTED)


def test_query_reads_list_and_struct_columns(built: Path) -> None:
    _, rows = query(built, "SELECT spans[1].start_s, len(frame_indices), options FROM samples "
                           "WHERE task IN ('temporal_grounding', 'multiple_choice') ORDER BY task")
    assert rows == [(None, 4, ["green", "blue"]), (1.0, 4, None)]


def test_the_errors_view_exists_even_without_errors(built: Path) -> None:
    assert query(built, "SELECT count(*) FROM errors") == (["count_star()"], [(0,)])


def test_a_metadata_query_does_not_read_the_frames_column(built: Path) -> None:
    con = connect(built)
    plan = "\n".join(row[1] for row in con.execute(
        "EXPLAIN SELECT id, task, clip_end_s - clip_start_s FROM samples WHERE task = 'caption'").fetchall())
    assert "READ_PARQUET" in plan.upper() and "frames" not in plan
    frames_plan = "\n".join(row[1] for row in con.execute("EXPLAIN SELECT len(frames) FROM samples").fetchall())
    assert "frames" in frames_plan  # the check above can see the column when it is read


def test_a_small_shard_is_one_row_group(built: Path) -> None:
    assert [pq.ParquetFile(path).metadata.num_row_groups for path in shard_paths(built)] == [1, 1]


def test_cli_query_prints_a_table(built: Path) -> None:
    result = runner.invoke(app, ["query", str(built), SQL])
    assert result.exit_code == 0, result.output
    assert "4 rows" in result.stdout and "spatial_grounding" in result.stdout


def test_cli_query_csv(built: Path) -> None:
    result = runner.invoke(app, ["query", str(built), SQL, "--csv"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.stdout))) == [["task", "n"], *([t, str(n)] for t, n in EXPECTED)]


def test_cli_query_json_lines(built: Path) -> None:
    result = runner.invoke(app, ["query", str(built), SQL, "--json"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == [{"task": t, "n": n} for t, n in EXPECTED]


def test_cli_query_with_bad_sql_is_one_error_line(built: Path) -> None:
    result = runner.invoke(app, ["query", str(built), "SELECT nope FROM samples"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: query failed:") and "nope" in result.stderr
    assert "Traceback" not in result.output


def _without_index(built: Path, tmp_path: Path) -> Path:
    """A copy of the dataset as an older vdata wrote it: no index file, no `index` in the manifest."""
    copy = Path(shutil.copytree(built, tmp_path / "old"))
    manifest = json.loads((copy / "vdata.json").read_text())
    (copy / manifest.pop("index")["path"]).unlink()
    (copy / "vdata.json").write_text(json.dumps(manifest))
    return copy


METADATA_SQL = [
    SQL,
    "SELECT id, spans, clip_end_s - clip_start_s, len(frame_indices) FROM samples ORDER BY id",
    "SELECT split, count(*) FROM samples WHERE list_max([s.end_s - s.start_s FOR s IN spans]) > 0.5 GROUP BY 1",
]


@pytest.mark.parametrize("sql", [*METADATA_SQL, "SELECT id, len(frames), frames[1].bytes[1:4] FROM samples ORDER BY id",
                                 "SELECT * FROM samples ORDER BY id"])
def test_query_answers_the_same_from_the_index_and_from_the_shards(built: Path, tmp_path: Path, sql: str) -> None:
    assert index_path(built) is not None
    assert query(built, sql) == query(_without_index(built, tmp_path), sql)


def test_a_metadata_query_opens_no_shard(built: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(built, tmp_path / "copy"))
    for shard in shard_paths(copy):
        shard.write_bytes(b"not parquet")  # any read of a shard would fail
    for sql in METADATA_SQL:
        assert query(copy, sql) == query(built, sql)
    with pytest.raises(VdataError, match="query failed"):
        query(copy, "SELECT len(frames) FROM samples")  # frames: read from the shards


def test_a_query_that_reads_frames_from_the_index_view_says_so(built: Path) -> None:
    with pytest.raises(duckdb.Error, match=NO_FRAMES):
        connect(built, use_index=True).execute("SELECT len(frames) FROM samples").fetchall()
