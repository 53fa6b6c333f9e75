"""got10k: JPEG sequence folders + per-frame xywh ground truth, absence.label, meta_info.ini's anno_fps -> tracking.

The frames are the test video's frames stored as JPEG files, so the end-to-end build can check the keyframes'
times (i / fps), their barcoded frame index and the boxes on their pixels.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.builders.conftest import HEIGHT, WIDTH, write_frames
from tests.builders.test_build_formats import _check_boxes_on_pixels
from tests.helpers import rgb
from tests.videos import box_at, read_index
from vdata.build import build
from vdata.builders import BadRow, Box, Item
from vdata.builders.got10k import GOT10k
from vdata.options import BuildOptions
from vdata.shards import read_table

META_INFO = """[METAINFO]
url: https://youtu.be/XXXXXXXXXXX
begin time: 1125.0
end time: 1128.0
anno_fps: 10Hz
object_class: ichneumon
motion_class: walking
major_class: mammal
root_class: animal
motion_adverb: slowly
resolution: (160, 120)
"""


def _xywh(i: int) -> str:
    x1, y1, x2, y2 = box_at(i, WIDTH, HEIGHT)
    return f"{x1:.4f},{y1:.4f},{x2 - x1:.4f},{y2 - y1:.4f}"


def _corpus(root: Path, put=None) -> Path:
    train = write_frames(root / "train" / "GOT-10k_Train_000001")
    (train / "groundtruth.txt").write_text("\n".join(_xywh(i) for i in range(30)) + "\n")
    (train / "absence.label").write_text("\n".join("1" if i == 5 else "0" for i in range(30)) + "\n")
    (train / "cover.label").write_text("\n".join("0" if i in (5, 9) else "8" for i in range(30)) + "\n")
    (train / "cut_by_image.label").write_text("0\n" * 30)
    (train / "meta_info.ini").write_text(META_INFO)
    test = write_frames(root / "test" / "GOT-10k_Test_000001", 10)
    (test / "groundtruth.txt").write_text(_xywh(0) + "\n")
    broken = write_frames(root / "val" / "GOT-10k_Val_000001", 2)
    (broken / "groundtruth.txt").write_text(_xywh(0) + "\n1,2,3\n")
    return root


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return _corpus(tmp_path / "GOT-10k")


def test_each_sequence_is_a_tracking_sample_on_its_frame_folder(corpus: Path) -> None:
    items = [i for i in GOT10k(corpus).items() if isinstance(i, Item)]
    assert [(i.key, i.split, i.task, i.question, len(i.boxes)) for i in items] == [
        ("GOT-10k_Test_000001", "test", "tracking", "GOT-10k_Test_000001", 1),
        ("GOT-10k_Train_000001", "train", "tracking", "ichneumon", 28),
    ]
    train = items[1]
    assert train.video == corpus / "train" / "GOT-10k_Train_000001" and train.video_rel == "train/GOT-10k_Train_000001"
    assert train.boxes[0] == Box(*map(float, box_at(0, WIDTH, HEIGHT)), frame_index=0, label="ichneumon")
    assert {5, 9}.isdisjoint(b.frame_index for b in train.boxes)  # absent; nothing visible
    assert (train.meta["frames_fps"], train.meta["frames_hidden"], train.meta["cover"][9]) == (10.0, 2, 0)


def test_a_ground_truth_line_that_is_not_four_numbers_is_a_bad_box_row(corpus: Path) -> None:
    [bad] = [b for b in GOT10k(corpus).items() if isinstance(b, BadRow)]
    assert (bad.key, bad.code) == ("GOT-10k_Val_000001", "bad_box") and "line 2" in bad.message


def test_the_fps_option_overrides_meta_info(corpus: Path) -> None:
    items = [i for i in GOT10k(corpus, fps=5.0).items() if isinstance(i, Item)]
    assert {i.meta["frames_fps"] for i in items} == {5.0}


def test_build_reads_the_jpeg_folder_as_a_video_at_the_formats_fps(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([f"got10k:{corpus / 'train'}"], out, BuildOptions(frames="uniform:4", max_pixels=WIDTH * HEIGHT,
                                                             size_factor=1, workers=0))
    [row] = read_table(out).to_pylist()
    assert (row["video"], row["fps"], row["num_frames"], row["duration_s"]) == ("GOT-10k_Train_000001", 10.0, 30,
                                                                               pytest.approx(3.0))
    assert (row["width"], row["height"]) == (WIDTH, HEIGHT)
    for index, time_s, frame in zip(row["frame_indices"], row["frame_timestamps_s"], row["frames"], strict=True):
        assert time_s == pytest.approx(index / 10.0)
        assert read_index(rgb(frame["bytes"])) == index
    assert _check_boxes_on_pixels(row) == len(row["frame_indices"])
    box = {b["frame_index"]: b for b in row["boxes"]}[12]
    assert box["timestamp_s"] == pytest.approx(1.2)
    assert not (out / "errors.parquet").exists() or not pq.read_table(out / "errors.parquet").num_rows
