"""hc-stvg: per-video JSON with 1-based `st_frame` and `[x, y, w, h]` boxes -> spatiotemporal_grounding items."""

from __future__ import annotations

import json
from pathlib import Path

from tests.videos import box_at
from vdata.builders import BadRow, Box, Item, Span
from vdata.builders.hc_stvg import HCSTVG


def _xywh(index: int) -> list[int]:
    x1, y1, x2, y2 = box_at(index, 160, 120)
    return [x1, y1, x2 - x1, y2 - y1]


def _corpus(root: Path, put) -> Path:
    put(root / "v2_video" / "55_vfjywN5CN0Y.mp4")
    annotations = {
        "55_vfjywN5CN0Y.mp4": {
            "bbox": [_xywh(5), _xywh(6), [10, 10, 0, 5], _xywh(8)],
            "st_time": 0.5,
            "ed_time": 0.9,
            "img_num": 30,
            "caption": "The woman in red clothes turns in a circle. ",
            "width": 160,
            "height": 120,
            "st_frame": 6,
        },
        "bad.mp4": {"bbox": [], "st_time": 2.0, "ed_time": 1.0, "caption": "x", "width": 1, "height": 1},
    }
    (root / "annos").mkdir()
    (root / "annos" / "train_v2.json").write_text(json.dumps(annotations))
    (root / "annos" / "test.json").write_text(
        json.dumps({"55_vfjywN5CN0Y.mp4": {"st_time": 0.1, "ed_time": 0.2, "English": "A man.", "img_size": [240, 320]}})
    )
    return root


def test_one_based_xywh_boxes_become_zero_based_x1y1x2y2(tmp_path: Path, put) -> None:
    item = next(i for i in HCSTVG(_corpus(tmp_path, put)).items() if isinstance(i, Item) and i.split == "train")
    assert (item.key, item.video_rel, item.task) == ("55_vfjywN5CN0Y.mp4", "v2_video/55_vfjywN5CN0Y.mp4", "spatiotemporal_grounding")
    assert item.question == "The woman in red clothes turns in a circle."
    assert item.spans == (Span(0.5, 0.9),)
    assert item.box_space == (160.0, 120.0)
    assert item.boxes == tuple(Box(*map(float, box_at(i, 160, 120)), frame_index=i) for i in (5, 6, 8))
    assert item.meta["dropped_boxes"] == 1


def test_v1_spelling_reads_caption_and_img_size(tmp_path: Path, put) -> None:
    item = next(i for i in HCSTVG(_corpus(tmp_path, put)).items() if isinstance(i, Item) and i.split == "test")
    assert (item.question, item.box_space, item.boxes) == ("A man.", (320.0, 240.0), None)


def test_end_time_before_start_time_is_a_bad_span(tmp_path: Path, put) -> None:
    bad = [b for b in HCSTVG(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("bad.mp4", "bad_span")]


def test_annotation_file_names_other_tools_use_are_found(tmp_path: Path, put) -> None:
    put(tmp_path / "v2_video" / "55_vfjywN5CN0Y.mp4")
    entry = {"55_vfjywN5CN0Y.mp4": {"st_time": 0.1, "ed_time": 0.2, "caption": "A man.", "width": 160, "height": 120}}
    (tmp_path / "anno").mkdir()
    for name in ("trainv2.json", "valv2.json", "testv2.json"):
        (tmp_path / "anno" / name).write_text(json.dumps(entry))
    items = [i for i in HCSTVG(tmp_path).items() if isinstance(i, Item)]
    assert sorted(i.split for i in items) == ["test", "train", "val"]
