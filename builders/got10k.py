"""`got10k:PATH` — GOT-10k single-object tracking (Huang et al., TPAMI 2021), frames stored as JPEG folders."""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterator
from pathlib import Path

from vdata.builders._shared import RowError, VideoIndex, read_flags, read_xywh, track_boxes
from vdata.builders.base import BadRow, Builder, Item, register
from vdata.video.frames_folder import FPS_KEY

SPLITS = ("train", "val", "test")
#: GOT-10k's annotation rate (`meta_info.ini` says `anno_fps: 10Hz`; the released frames are those frames).
DEFAULT_FPS = 10.0


@register("got10k")
class GOT10k(Builder):
    """GOT-10k: one `tracking` sample per sequence, the sequence's JPEG frames read as its video.

    Layout (PATH is the GOT-10k root, a split folder, or one sequence folder):
    - `train/`, `val/`, `test/` holding `GOT-10k_<Split>_<n>/` sequence folders (split from the folder name;
      `--split` for others), each with the frames `00000001.jpg`, `00000002.jpg`, ... (frame i = the i-th
      image in name order), `groundtruth.txt` (one `x,y,w,h` box a line in pixels, line i on frame i; the test
      split gives only the first frame's box), `absence.label` (one 0/1 a line: 1 = the object is absent),
      `cover.label` (visible fraction class 0-8 a line), `cut_by_image.label`, and `meta_info.ini`
      (`[METAINFO]` with `object_class`, `motion_class`, `anno_fps: 10Hz`, ...).

    Conversions: the video is the sequence folder (an image folder: no container), at `anno_fps` frames per
    second from `meta_info.ini` (10 when absent; `--source got10k,fps=N:PATH` overrides it), so frame i is at
    i / fps s.
    `boxes` are the ground-truth boxes as pixels `[x, y, x + w, y + h]` on frame i, except on frames
    `absence.label` marks absent or `cover.label` gives 0 (nothing visible), and boxes of no area (counted in
    `meta`: `frames_hidden`, `boxes_without_area`), as GOT-10k's evaluation scores visible frames only. `question` is `object_class` (the
    sequence name when absent). Key and `video_id` are the sequence name. `meta` keeps `cover` (the per-frame
    classes), `motion_class`, `object_class`, the `frames_fps`. A ground-truth line that is not four numbers,
    or a label file that is not integers, is a `bad_box`/`bad_annotation` row.
    """

    citation = """\
@article{huang2021got10k,
  title={GOT-10k: A Large High-Diversity Benchmark for Generic Object Tracking in the Wild},
  author={Huang, Lianghua and Zhao, Xin and Huang, Kaiqi},
  journal={IEEE TPAMI}, volume={43}, number={5}, pages={1562--1577}, year={2021}
}
"""
    license = "see http://got-10k.aitestunion.com/"

    def __init__(self, path: str | Path, split: str = "train", fps: float | None = None) -> None:
        super().__init__(path, split)
        #: Frames per second of every sequence, overriding `meta_info.ini` (None = the file's, else 10).
        self.fps = fps

    def items(self) -> Iterator[Item | BadRow]:
        for truth in sorted(self.path.rglob("groundtruth.txt")) if self.path.is_dir() else []:
            folder = truth.parent
            try:
                yield self._sequence(folder, truth)
            except RowError as e:
                yield BadRow(self.name, folder.name, str(truth), e.code, f"{folder.name}: {e}")

    def _sequence(self, folder: Path, truth: Path) -> Item:
        info = _meta_info(folder / "meta_info.ini")
        fps = self.fps or _hertz(info.get("anno_fps")) or DEFAULT_FPS
        absent, cover = read_flags(folder / "absence.label"), read_flags(folder / "cover.label")
        label = info.get("object_class") or folder.name
        xywh = read_xywh(truth)
        hidden = [(i < len(absent) and absent[i] == 1) or (i < len(cover) and cover[i] == 0) for i in range(len(xywh))]
        boxes, left_out = track_boxes(xywh, hidden, label)
        split = folder.parent.name.lower() if folder.parent.name.lower() in SPLITS else self.split
        return Item(
            source=self.name,
            key=folder.name,
            video=folder,
            video_rel=VideoIndex(self.root).rel(folder),
            video_id=folder.name,
            task="tracking",
            split=split,
            question=label,
            boxes=tuple(boxes),
            meta={FPS_KEY: fps, "cover": cover, **left_out,
                  **{k: info.get(k) for k in ("object_class", "motion_class")}},
            origin=str(truth),
        )


def _meta_info(path: Path) -> dict[str, str]:
    """The `[METAINFO]` keys of a sequence's `meta_info.ini` (empty when the file is absent or unreadable)."""
    if not path.is_file():
        return {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except configparser.Error:
        return {}
    return {k.replace(" ", "_"): v.strip() for k, v in parser["METAINFO"].items()} if "METAINFO" in parser else {}


def _hertz(text: str | None) -> float | None:
    """`"10Hz"` -> 10.0; None when there is no positive number."""
    match = re.search(r"\d+(\.\d+)?", text or "")
    value = float(match.group()) if match else 0.0
    return value if value > 0 else None

