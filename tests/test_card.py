"""Dataset cards: the Hub's YAML, sections from the manifest, and `datasets` / DuckDB reading what the card names."""

from __future__ import annotations

import doctest
import importlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from vdata.builders.jsonl import Jsonl
from vdata.errors import ConfigError
from vdata.hub import card_context, is_generated, render_card, write_card
from vdata.hub.card import COLUMN_DOCS
from vdata.hub.push import card_for_push
from vdata.schemas import COLUMNS
from vdata.shards import read_table


def _front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def _edit_manifest(root: Path, **sections: object) -> None:
    path = root / "vdata.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | sections))


@pytest.fixture
def dataset(built: Path, tmp_path: Path) -> Path:
    """A private copy of the session's `built` dataset (train and test splits), free to write a card into."""
    return Path(shutil.copytree(built, tmp_path / "dataset"))


@pytest.fixture(scope="module")
def carded(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of `built` with its card written by `vdata card` (read-only for the tests below)."""
    from typer.testing import CliRunner

    from vdata.cli import app

    root = Path(shutil.copytree(built, tmp_path_factory.mktemp("carded") / "dataset"))
    result = CliRunner().invoke(app, ["card", str(root), "--repo", "alice/tiny-videos"])
    assert result.exit_code == 0, result.output
    return root


def test_column_docs_name_exactly_the_schema_columns() -> None:
    assert set(COLUMN_DOCS) == set(COLUMNS)
    assert all(doc.strip() for doc in COLUMN_DOCS.values())


def test_card_yaml_has_configs_per_split_and_the_hubs_fields(carded: Path) -> None:
    meta = _front_matter((carded / "README.md").read_text())
    default, = meta["configs"]  # no `errors` config: no item failed
    assert default == {"config_name": "default", "default": True, "data_files": [
        {"split": "train", "path": "data/train-*.parquet"}, {"split": "test", "path": "data/test-*.parquet"}]}
    assert meta["license"] == "unknown"  # the jsonl builder declares none
    assert meta["task_categories"] == ["video-text-to-text", "visual-question-answering"]
    assert meta["size_categories"] == ["n<1K"]
    assert {"vdata", "video", "temporal-grounding", "multiple-choice"} <= set(meta["tags"])
    features = {f["name"]: f for f in meta["dataset_info"]["features"]}
    assert list(features) == list(COLUMNS)
    assert features["frames"] == {"name": "frames", "list": "image"}
    assert features["spans"]["list"] == [{"name": "start_s", "dtype": "float64"}, {"name": "end_s", "dtype": "float64"}]


def test_the_hub_library_parses_the_card(carded: Path) -> None:
    from huggingface_hub import DatasetCard

    data = DatasetCard.load(carded / "README.md").data.to_dict()
    assert data["configs"][0]["config_name"] == "default" and data["license"] == "unknown"


def test_card_sections_come_from_the_manifest(carded: Path, corpus: Path) -> None:
    text = (carded / "README.md").read_text()
    assert 'load_dataset("alice/tiny-videos")' in text
    assert "hf://datasets/alice/tiny-videos/data/*.parquet" in text
    assert 'vdata query tiny-videos "SELECT' in text
    assert "| train | 4 |" in text and "| test | 1 |" in text  # rows by split
    assert "| temporal_grounding | 1 |" in text and "| jsonl | 5 |" in text  # by task, by source
    assert "| uniform:4,boxes | 200704 | 28 | 90 | content | auto |" in text  # frame sampling
    assert "| `jsonl` | samples.jsonl | not declared |" in text
    assert str(corpus.parent) not in text  # the builder's file system stays private
    assert "| `frame_timestamps_s` | list[float64] | Time of each keyframe, seconds from video start" in text
    assert "No item failed to build." in text
    assert "## Distillation" not in text and "## Mixture" not in text


def test_build_errors_are_counted_with_their_meaning(tmp_path: Path) -> None:
    from tests.videos import write_video
    from vdata.build import build
    from vdata.options import BuildOptions

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_video(corpus / "v.mp4", fps=10.0, num_frames=10, width=64, height=48)
    (corpus / "broken.mp4").write_bytes(b"not a video")
    lines = [{"id": "ok", "video": "v.mp4", "task": "caption"}, {"id": "bad", "video": "broken.mp4", "task": "caption"},
             {"id": "gone", "video": "missing.mp4", "task": "caption"}]
    (corpus / "samples.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    build([f"jsonl:{corpus}"], tmp_path / "ds", BuildOptions(frames="uniform:2", size_factor=1, workers=0))
    write_card(tmp_path / "ds")
    text = (tmp_path / "ds" / "README.md").read_text()
    assert _front_matter(text)["configs"][1] == {
        "config_name": "errors", "data_files": [{"split": "train", "path": "errors.parquet"}]}
    assert "| `video_missing` | 1 | the annotation names a video file that does not exist |" in text
    assert "| `video_unreadable` | 1 |" in text
    datasets = pytest.importorskip("datasets")
    errors = datasets.load_dataset(str(tmp_path / "ds"), "errors", cache_dir=str(tmp_path / "cache"))["train"]
    assert sorted(errors["code"]) == ["video_missing", "video_unreadable"]


def test_builder_citation_and_license_reach_the_card(dataset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bibtex = "@inproceedings{tiny2025,\n  title = {Tiny Videos},\n  year = {2025}\n}"
    monkeypatch.setattr(Jsonl, "citation", bibtex)
    monkeypatch.setattr(Jsonl, "license", "CC-BY-4.0")
    text = render_card(dataset)
    assert _front_matter(text)["license"] == "cc-by-4.0"
    assert f"```bibtex\n{bibtex}\n```" in text
    assert "- `jsonl` (samples.jsonl): CC-BY-4.0" in text


def test_sources_with_different_or_url_licenses_make_the_license_other(dataset: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Jsonl, "license", "see https://example.org/terms")
    meta = _front_matter(render_card(dataset))
    assert (meta["license"], meta["license_name"]) == ("other", "per-source")


def test_license_option_overrides_and_is_checked(dataset: Path) -> None:
    assert _front_matter(render_card(dataset, license="Apache-2.0"))["license"] == "apache-2.0"
    with pytest.raises(ConfigError, match="SPDX-like"):
        render_card(dataset, license="my license!")


def test_distill_and_mix_sections_render_when_the_manifest_has_them(dataset: Path, built: Path) -> None:
    _edit_manifest(dataset, distill={"fingerprint": {"secret": "x"}, "teacher": "Qwen/Qwen2.5-VL-7B-Instruct",
                                     "verify": [["format", 1.0], ["accuracy", 4.0]], "threshold": 0.8},
                   mix={"sources": [{"path": str(built), "weight": 1.0, "rows_available": 5, "rows_taken": 5,
                                     "repeated": 0}]})
    text = render_card(dataset)
    assert "## Distillation" in text and "| teacher | Qwen/Qwen2.5-VL-7B-Instruct |" in text
    assert '| verify | [["format", 1.0], ["accuracy", 4.0]] |' in text and "secret" not in text
    assert "## Mixture" in text and "| dataset | 1.0 | 5 | 5 | 0 |" in text
    assert "| `jsonl` | samples.jsonl |" in text  # a part's sources, read from its own manifest


def test_a_manifest_without_build_settings_still_renders(dataset: Path) -> None:
    manifest = json.loads((dataset / "vdata.json").read_text())
    del manifest["build"]
    (dataset / "vdata.json").write_text(json.dumps(manifest))
    context = card_context(dataset)
    assert context["sources"] == [] and context["sampling"] == []
    assert "The manifest records no build settings." in render_card(dataset)


def test_a_generated_card_is_recognised_and_an_edited_one_kept(dataset: Path) -> None:
    path = write_card(dataset, "alice/a")
    assert is_generated(path)
    assert "alice/b" in card_for_push(dataset, "alice/b", write=False)[0]  # unedited: regenerated for the repo
    path.write_text(path.read_text().replace("## Use it", "## Use it (hand-written note)"))
    assert not is_generated(path)
    text, generated = card_for_push(dataset, "alice/b")
    assert not generated and "hand-written note" in text and "alice/b" not in text


def test_load_dataset_reads_the_cards_configs_with_pil_frames_and_typed_labels(carded: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    from PIL import Image

    ds = datasets.load_dataset(str(carded), cache_dir=str(tmp_path / "cache"))
    assert set(ds) == {"train", "test"} and (ds["train"].num_rows, ds["test"].num_rows) == (4, 1)
    features = ds["train"].features
    assert features["frames"] == datasets.List(datasets.Image())
    assert features["duration_s"] == datasets.Value("float64") and features["width"] == datasets.Value("int32")
    assert features["spans"] == datasets.List({"start_s": datasets.Value("float64"), "end_s": datasets.Value("float64")})
    assert features["boxes"].feature["frame_index"] == datasets.Value("int64")
    assert features["options"] == datasets.List(datasets.Value("string"))
    row = ds["train"][0]
    assert row["frames"] and all(isinstance(im, Image.Image) for im in row["frames"])
    assert len(row["frames"]) == len(row["frame_timestamps_s"]) == len(row["frame_indices"])


def test_every_column_round_trips_through_datasets(carded: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    ds = datasets.load_dataset(str(carded), cache_dir=str(tmp_path / "cache"))
    expected = {r["id"]: r for r in read_table(carded).to_pylist()}
    seen = 0
    for split in ds:
        raw = ds[split].cast_column("frames", datasets.List(datasets.Image(decode=False)))
        for row in raw:
            want = expected[row["id"]]
            for column in COLUMNS:
                got = row[column]
                if column == "frames":
                    assert [f["bytes"] for f in got] == [f["bytes"] for f in want["frames"]]
                else:
                    assert got == want[column], column
            seen += 1
    assert seen == len(expected) == 5


def test_duckdb_reads_the_files_the_card_points_at(carded: Path) -> None:
    import duckdb

    meta = _front_matter((carded / "README.md").read_text())
    for entry in meta["configs"][0]["data_files"]:
        (n, split), = duckdb.sql(
            f"SELECT count(*), any_value(split) FROM read_parquet('{carded / entry['path']}')").fetchall()
        assert split == entry["split"] and n == {"train": 4, "test": 1}[split]


@pytest.mark.parametrize("name", ["vdata.hub.card", "vdata.hub.push"])
def test_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
