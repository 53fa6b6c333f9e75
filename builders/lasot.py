"""`lasot:PATH` — LaSOT long-term single-object tracking (Fan et al., CVPR 2019), frames stored as JPEG folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from vdata.builders._shared import RowError, VideoIndex, read_flags, read_xywh, track_boxes
from vdata.builders.base import BadRow, Builder, Item, register
from vdata.video.frames_folder import FPS_KEY

#: LaSOT's frame rate (the paper: 2,512 frames on average, 84 s at 30 fps); the release has no per-video rate.
DEFAULT_FPS = 30.0
#: The toolkit's split lists (one sequence name a line), looked for in PATH.
SPLIT_LISTS = {"testing_set.txt": "test", "training_set.txt": "train"}


@register("lasot")
class LaSOT(Builder):
    """LaSOT: one `tracking` sample per sequence, the sequence's `img/` JPEG frames read as its video.

    Layout (PATH is the LaSOT root, one category folder, or one sequence folder):
    - `<category>/<category>-<n>/` sequence folders (e.g. `airplane/airplane-1/`), each with `img/00000001.jpg`,
      ... (frame i = the i-th image in name order), `groundtruth.txt` (one `x,y,w,h` box a line in pixels,
      line i on frame i), `full_occlusion.txt` and `out_of_view.txt` (one line of comma-separated 0/1 per
      frame) and `nlp.txt` (one sentence describing the target).
    - optional `testing_set.txt` / `training_set.txt` in PATH (the toolkit's protocol-II lists, one sequence
      name a line): a listed sequence takes that split; others take `--split`.

    Conversions: the video is the `img/` folder (an image folder: no container) at 30 frames per second
    (`--source lasot,fps=N:PATH` overrides it), so frame i is at i / 30 s. `boxes` are the ground-truth boxes as
    pixels `[x, y, x + w, y + h]` on frame i, except on frames fully occluded or out of view and boxes of no
    area (counted in `meta`: `frames_hidden`, `boxes_without_area`), as the benchmark scores visible frames.
    `question` is the `nlp.txt` sentence (the category name when absent). Key and `video_id` are the sequence
    name. `meta` keeps `category`, `frames_fps`. A ground-truth line that is not four numbers, or a flag file
    that is not integers, is a bad row.
    """

    citation = """\
@inproceedings{fan2019lasot,
  title={LaSOT: A High-quality Benchmark for Large-scale Single Object Tracking},
  author={Fan, Heng and Lin, Liting and Yang, Fan and Chu, Peng and Deng, Ge and Yu, Sijia and Bai, Hexin
          and Xu, Yong and Liao, Chunyuan and Ling, Haibin},
  booktitle={CVPR}, pages={5374--5383}, year={2019}
}
"""
    license = "see http://vision.cs.stonybrook.edu/~lasot/ (research use)"

    def __init__(self, path: str | Path, split: str = "train", fps: float | None = None) -> None:
        super().__init__(path, split)
        #: Frames per second of every sequence (None = LaSOT's 30).
        self.fps = fps

    def items(self) -> Iterator[Item | BadRow]:
        splits = _split_lists(self.root)
        for truth in sorted(self.path.rglob("groundtruth.txt")) if self.path.is_dir() else []:
            folder = truth.parent
            try:
                yield self._sequence(folder, truth, splits.get(folder.name, self.split))
            except RowError as e:
                yield BadRow(self.name, folder.name, str(truth), e.code, f"{folder.name}: {e}")

    def _sequence(self, folder: Path, truth: Path, split: str) -> Item:
        occluded = read_flags(folder / "full_occlusion.txt")
        out_of_view = read_flags(folder / "out_of_view.txt")
        xywh = read_xywh(truth)
        hidden = [(i < len(occluded) and occluded[i] == 1) or (i < len(out_of_view) and out_of_view[i] == 1)
                  for i in range(len(xywh))]
        nlp = folder / "nlp.txt"
        category = folder.parent.name if folder.name.startswith(f"{folder.parent.name}-") else folder.name
        text = nlp.read_text(encoding="utf-8").strip() if nlp.is_file() else ""
        boxes, left_out = track_boxes(xywh, hidden, category)
        frames = folder / "img"
        return Item(
            source=self.name,
            key=folder.name,
            video=frames,
            video_rel=VideoIndex(self.root).rel(frames),
            video_id=folder.name,
            task="tracking",
            split=split,
            question=text or category,
            boxes=tuple(boxes),
            meta={FPS_KEY: self.fps or DEFAULT_FPS, "category": category, **left_out},
            origin=str(truth),
        )


def _split_lists(root: Path) -> dict[str, str]:
    """Sequence name -> split from the toolkit's lists found in `root`."""
    splits: dict[str, str] = {}
    for name, split in SPLIT_LISTS.items():
        if (root / name).is_file():
            for line in (root / name).read_text(encoding="utf-8").splitlines():
                if line.strip():
                    splits[line.strip()] = split
    return splits

