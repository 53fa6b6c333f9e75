"""Image samples (schema v2 `media` "image"): read without a decoder, resized like keyframes, bad images are error
rows, mixed with video rows in one dataset that v1 readers' successors, `validate` and `datasets` read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from tests.builders.test_video_r1 import _corpus as video_r1_corpus
from vdata.errors import ItemError
from vdata.video.resize import fit_pixels
from vdata.video.still import read_image


def _png(path: Path, size: tuple[int, int], colour: tuple[int, int, int] = (200, 30, 30)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)
    return path


def test_an_image_is_resized_by_the_keyframe_rule_and_keeps_its_original_size(tmp_path: Path) -> None:
    path = _png(tmp_path / "a.png", (300, 200))
    data, size = read_image(path, 100 * 100, 28, lambda rgb: rgb.tobytes() + bytes(rgb.shape[:2]))
    assert size == (300, 200)
    w, h = fit_pixels(300, 200, 100 * 100, 28)
    assert data[-2:] == bytes([h, w])  # the encoder got an [h, w, 3] array of the keyframe size


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    Image.new("RGB", (60, 40), (0, 0, 255)).save(path, exif=exif)
    _, size = read_image(path, 10**6, 1, lambda rgb: b"")
    assert size == (40, 60)


@pytest.mark.parametrize(("content", "code"), [(None, "video_missing"), (b"not an image", "video_unreadable")])
def test_missing_and_corrupt_images_are_item_errors(tmp_path: Path, content: bytes | None, code: str) -> None:
    path = tmp_path / "bad.png"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ItemError) as e:
        read_image(path, 10**6, 1, lambda rgb: b"")
    assert e.value.code == code and str(path) in str(e.value)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, clip: Path) -> Path:
    """A Video-R1 corpus built: video rows, one image row, one corrupt image row."""
    import shutil

    from vdata.build import build
    from vdata.options import BuildOptions

    root = tmp_path_factory.mktemp("mixed")

    def put(dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(clip, dest)
        return dest

    corpus = video_r1_corpus(root / "c", put)
    rows = json.loads((corpus / "Video-R1-COT-165k.json").read_text())
    (corpus / "Chart" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    rows.append({**rows[2], "problem_id": 6, "path": "./Chart/broken.png"})
    (corpus / "Video-R1-COT-165k.json").write_text(json.dumps(rows))
    out = root / "out"
    build([f"video-r1:{corpus}"], out, BuildOptions(frames="uniform:4", max_pixels=56 * 56, workers=0))
    return out


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.videos import write_video

    return write_video(tmp_path_factory.mktemp("clip") / "clip.mp4", fps=10.0, num_frames=20, width=160, height=120)


def test_video_r1_image_problems_are_image_rows_beside_video_rows(mixed: Path) -> None:
    from vdata.builders import sample_id
    from vdata.shards import read_table

    rows = {r["id"]: r for r in read_table(mixed).to_pylist()}
    image = rows[sample_id("video-r1", "train", "4")]
    assert (image["media"], image["video"], image["width"], image["height"], image["num_frames"]) == (
        "image", "Chart/a.png", 90, 60, 1)
    assert (image["fps"], image["frame_timestamps_s"], image["frame_indices"], image["duration_s"]) == (
        None, None, None, 0.0)
    stored = Image.open(__import__("io").BytesIO(image["frames"][0]["bytes"]))
    assert (stored.format, stored.size) == ("JPEG", fit_pixels(90, 60, 56 * 56, 28))
    assert np.allclose(np.asarray(stored.convert("RGB")).reshape(-1, 3).mean(0), (200, 30, 30), atol=4)
    video = rows[sample_id("video-r1", "train", "2")]
    assert video["media"] == "video" and len(video["frame_timestamps_s"]) == 4
    errors = pq.read_table(mixed / "errors.parquet").to_pylist()
    assert [(e["code"], e["video"]) for e in errors if "broken" in e["video"]] == [
        ("video_unreadable", "Chart/broken.png")]


def test_the_mixed_dataset_validates_and_says_its_version(mixed: Path) -> None:
    from typer.testing import CliRunner

    from vdata.cli import app
    from vdata.query import query

    result = CliRunner().invoke(app, ["validate", str(mixed)])
    assert result.exit_code == 0 and result.stdout.strip().endswith("valid (schema v2)"), result.output
    _, counts = query(mixed, "SELECT media, count(*) FROM samples GROUP BY 1 ORDER BY 1")
    assert counts == [("image", 1), ("video", 2)]


def test_the_mixed_dataset_loads_in_datasets_with_frames_as_images(mixed: Path, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    from vdata.schemas import HF_FEATURES

    loaded = datasets.load_dataset("parquet", data_dir=str(mixed), cache_dir=str(tmp_path / "cache"))["train"]
    assert loaded.features == datasets.Features.from_dict(HF_FEATURES)
    by_media = {row["media"]: row for row in loaded}
    assert isinstance(by_media["image"]["frames"][0], Image.Image)
    assert by_media["image"]["frame_timestamps_s"] is None and by_media["video"]["frame_timestamps_s"]


def test_a_v1_dataset_still_reads_as_video_rows(mixed: Path, tmp_path: Path) -> None:
    """A shard written with schema v1 (no media, subtitles, audio) reads as v2 video rows."""
    from vdata.schemas import v1
    from vdata.shards import iter_rows, read_table
    from vdata.validate import schema_versions

    rows = [r for r in read_table(mixed).to_pylist() if r["media"] == "video"]
    old = tmp_path / "old"
    (old / "data").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([{c: r[c] for c in v1.COLUMNS} for r in rows], schema=v1.SCHEMA),
                   old / "data" / "train-00000-of-00001.parquet")
    table = read_table(old)
    assert table.column("media").to_pylist() == ["video"] * len(rows)
    assert [r["subtitles"] for r in iter_rows(old, columns=["id", "subtitles"])] == [None] * len(rows)
    assert schema_versions(old) == ["1"]


def test_llava_video_image_conversations_with_one_or_several_images_are_image_rows(tmp_path: Path) -> None:
    from vdata.build import build
    from vdata.options import BuildOptions
    from vdata.shards import read_table

    subset = tmp_path / "llava" / "0_30_s_academic_v0_1"
    _png(subset / "imgs" / "one.png", (90, 60), (200, 30, 30))
    _png(subset / "imgs" / "two.png", (60, 90), (30, 200, 30))
    rows = [
        {"id": "i1", "image": "imgs/one.png", "conversations": [
            {"from": "human", "value": "<image>\nWhat colour?"}, {"from": "gpt", "value": "Red."}]},
        {"id": "i2", "image": ["imgs/one.png", "imgs/two.png"], "conversations": [
            {"from": "human", "value": "<image>\n<image>\nWhich is taller?"}, {"from": "gpt", "value": "The second."}]},
    ]
    (subset / "0_30_s_academic_oe_v0_1_qa_processed.json").write_text(json.dumps(rows))
    build([f"llava-video:{tmp_path / 'llava'}"], tmp_path / "out", BuildOptions(max_pixels=56 * 56, workers=0))
    built = sorted(read_table(tmp_path / "out").to_pylist(), key=lambda r: len(r["frames"]))
    assert [(r["media"], r["question"], r["answer"], len(r["frames"])) for r in built] == [
        ("image", "What colour?", "Red.", 1), ("image", "Which is taller?", "The second.", 2)]
    sizes = [Image.open(__import__("io").BytesIO(f["bytes"])).size for f in built[1]["frames"]]
    assert sizes == [fit_pixels(90, 60, 56 * 56, 28), fit_pixels(60, 90, 56 * 56, 28)]  # each image its own size
    assert built[1]["frame_timestamps_s"] is None and built[1]["video"] == "0_30_s_academic_v0_1/imgs/one.png"
