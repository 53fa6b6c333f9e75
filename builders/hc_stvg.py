"""`hc-stvg:PATH` — HC-STVG human-centric spatio-temporal video grounding (Tang et al., TCSVT 2021)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, load_json, require, span
from vdata.builders.base import BadRow, Box, Builder, Item, Span, register

#: Annotation file names and their splits: v1 (`annos/hcstvg_v1/train.json`), v2 (`annos/hcstvg_v2/train_v2.json`)
#: and the spellings other tools use (`anno/trainv2.json`, `valv2.json`, `train_v1.json`, ...).
FILES = {f"{split}{tag}.json": split for split in ("train", "val", "test") for tag in ("", "_v2", "v2", "_v1", "v1")}


@register("hc-stvg")
class HCSTVG(Builder):
    """HC-STVG (v1 and v2): one `spatiotemporal_grounding` sample per video (one caption, one person tube).

    Layout (PATH is the folder holding the annotation files, or one of them):
    - `train.json`/`test.json` (v1) or `train_v2.json`/`val_v2.json`/`test_v2.json` (v2), also spelt
      `trainv2.json`, `valv2.json`, `train_v1.json`, ... (see `FILES`), in PATH or under `annotations/`,
      `annos/` or `anno/`; split from the file name (other files take `--split`). Each is
      `{"<video file name>": {"bbox": [[x, y, w, h], ...], "st_frame": n, "st_time": s, "ed_time": s,
      "img_num": n, "caption": "...", "width": w, "height": h}}`: `bbox[i]` is the person's box in pixels of a
      `width` x `height` frame on frame `st_frame + i`, frames numbered from 1 (ffmpeg's image numbering;
      `img_num` = fps x 20). v1 files spell the caption `English` and the size `img_size: [height, width]`;
      both spellings read.
    - videos: the file named by the key (e.g. `55_vfjywN5CN0Y.mp4`) in `v1_video/`, `v2_video/`, `video/`,
      `videos/`, PATH itself, or anywhere under PATH.

    Conversions: `key` is the video file name; `question` the caption; `spans` `[[st_time, ed_time]]` (seconds);
    `boxes` one per annotated frame, `[x, y, w, h]` -> `x1 = x, y1 = y, x2 = x + w, y2 = y + h`, on 0-based frame
    `st_frame - 1 + i` (the build fills each box's time from the video's frame table and rescales from the
    annotated `width` x `height` when the video's size differs). Boxes with w <= 0 or h <= 0 are dropped and
    counted in `meta["dropped_boxes"]`; a test file without boxes gives samples with `boxes` None. `meta` keeps
    `st_frame`, `img_num`, `width`, `height`. A missing caption or st_time > ed_time is a bad row.
    """

    citation = """\
@article{tang2021hcstvg,
  title={Human-centric Spatio-Temporal Video Grounding With Visual Transformers},
  author={Tang, Zongheng and Liao, Yue and Liu, Si and Li, Guanbin and Jin, Xiaojie and Jiang, Hongxu and Yu, Qian and Xu, Dong},
  journal={IEEE Transactions on Circuits and Systems for Video Technology}, year={2021}
}
"""
    license = "see https://github.com/tzhhhh123/HC-STVG"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("v1_video", "v2_video", "video", "videos", ""))
        for path in annotation_files(self.path, list(FILES)):
            split = FILES.get(path.name, self.split)
            try:
                data = load_json(path)
                if not isinstance(data, dict):
                    raise RowError(f"{path.name}: expected an object keyed by video file name")
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for name in sorted(data):
                try:
                    yield self._convert(name, data[name], split, videos)
                except (RowError, TypeError, ValueError) as e:
                    code = getattr(e, "code", "bad_annotation")
                    yield BadRow(self.name, name, f"{path}:{name}", code, f"{name}: {e}")

    def _convert(self, name: str, entry: Any, split: str, videos: VideoIndex) -> Item:
        require(entry, "st_time", "ed_time")
        caption = entry.get("caption", entry.get("English"))
        if not caption:
            raise RowError("missing field 'caption'")
        width, height = _size(entry)
        start_s, end_s = span(entry["st_time"], entry["ed_time"], "st_time/ed_time")
        boxes: list[Box] | None = None
        dropped = 0
        if entry.get("bbox"):
            require(entry, "st_frame")
            first = int(entry["st_frame"]) - 1
            boxes = []
            for i, xywh in enumerate(entry["bbox"]):
                x, y, w, h = (float(v) for v in xywh)
                if w <= 0 or h <= 0:
                    dropped += 1
                    continue
                boxes.append(Box(x, y, x + w, y + h, frame_index=first + i))
        video = videos.find_file(name)
        return Item(
            source=self.name,
            key=name,
            video=video,
            video_rel=videos.rel(video),
            video_id=Path(name).stem,
            task="spatiotemporal_grounding",
            split=split,
            question=str(caption).strip(),
            spans=(Span(start_s, end_s),),
            boxes=None if boxes is None else tuple(boxes),
            box_space=(float(width), float(height)) if width and height else None,
            meta={
                "st_frame": entry.get("st_frame"),
                "img_num": entry.get("img_num"),
                "width": width,
                "height": height,
                "dropped_boxes": dropped,
            },
        )


def _size(entry: dict[str, Any]) -> tuple[int | None, int | None]:
    """The annotation frame size `(width, height)` from `width`/`height` (v2) or `img_size: [h, w]` (v1)."""
    if entry.get("width") and entry.get("height"):
        return int(entry["width"]), int(entry["height"])
    if entry.get("img_size"):
        height, width = entry["img_size"]
        return int(width), int(height)
    return None, None
