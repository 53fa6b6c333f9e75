"""`vdata show` draws a contact sheet; `vdata validate` passes a good dataset and names what is wrong with a bad
one (shards and the metadata index); `vdata info --json` summarises it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from tests.conftest import CORPUS_SAMPLES
from vdata.builders import sample_id
from vdata.cli import app
from vdata.shards.manifest import file_sha256
from vdata.validate import validate

runner = CliRunner()
BOX_ID = sample_id("jsonl", "train", "b-box")


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Path:
    """A copy of the built dataset that a test may damage."""
    return Path(shutil.copytree(built, tmp_path / "copy"))


def test_show_writes_a_png_contact_sheet(built: Path, tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "sheet.png"
    result = runner.invoke(app, ["show", str(built), BOX_ID, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(out) as sheet:
        assert sheet.width >= 4 * 240 and sheet.height > 200  # four thumbnails across, a timeline below


def test_show_of_an_unknown_id_says_how_to_list_ids(built: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", str(built), "no-such-id", "-o", str(tmp_path / "x.png")])
    assert result.exit_code == 1
    assert "no sample with id 'no-such-id'" in result.stderr and "vdata query" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_validate_passes_a_good_dataset(built: Path) -> None:
    assert validate(built) == []
    result = runner.invoke(app, ["validate", str(built)])
    assert result.exit_code == 0 and result.stdout.strip() == f"{built}: valid (schema v2)"


def test_validate_reports_a_tampered_shard(copy: Path) -> None:
    shard = copy / "data" / "train-00000-of-00001.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    result = runner.invoke(app, ["validate", str(copy)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "problem: data/train-00000-of-00001.parquet: sha256 differs from the manifest (file changed or corrupt)"]


def test_validate_reports_missing_and_unlisted_shards(copy: Path) -> None:
    (copy / "data" / "test-00000-of-00001.parquet").rename(copy / "data" / "test-00000-of-00002.parquet")
    assert validate(copy) == ["data/test-00000-of-00001.parquet: listed in the manifest but missing",
                              "data/test-00000-of-00002.parquet: not listed in the manifest"]


def test_validate_without_a_manifest_says_the_build_did_not_finish(copy: Path) -> None:
    (copy / "vdata.json").unlink()
    (problem,) = validate(copy)
    assert "no vdata.json; not a finished vdata dataset" in problem


def test_info_json_summarises_the_dataset(built: Path) -> None:
    result = runner.invoke(app, ["info", str(built), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["rows"], summary["keyframes"], summary["shards"], summary["schema_version"]) == (5, 21, 2, "2")
    assert summary["by_split"] == {"train": 4, "test": 1}
    assert summary["by_source"] == {"jsonl": len(CORPUS_SAMPLES)} and summary["errors"] == {}
    assert summary["bytes"] == sum(p.stat().st_size for p in (built / "data").iterdir())


def test_validate_reports_a_missing_or_changed_index(copy: Path) -> None:
    index = copy / "index.parquet"
    table = pq.read_table(index)
    index.unlink()
    assert validate(copy) == ["index.parquet: the index named in the manifest is missing"]
    pq.write_table(table.set_column(0, "id", pa.array(["x"] * table.num_rows)), index)
    assert validate(copy) == ["index.parquet: sha256 differs from the manifest (file changed or corrupt)"]
    manifest = json.loads((copy / "vdata.json").read_text())
    manifest["index"]["sha256"] = file_sha256(index)  # a consistent manifest, rows that are not the shards'
    (copy / "vdata.json").write_text(json.dumps(manifest))
    assert validate(copy) == ["index.parquet: rows 0-0 differ from data/test-00000-of-00001.parquet "
                              "(rebuild the index: the shards changed)"]
