"""DuckDB over a built dataset: `samples` and `errors` views, table/CSV/JSON output, no frame bytes for metadata."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from vdata.cli import app
from vdata.query import connect, query
from vdata.shards import shard_paths

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
