"""`didemo:PATH` — DiDeMo moment localization (Hendricks et al., Localizing Moments in Video with Natural
Language, ICCV 2017)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, read_records, require, split_of
from vdata.builders.base import BadRow, Builder, Item, Span, register

SPLITS = ("train", "val", "test")
#: Seconds per DiDeMo segment; a video (at most 30 s) is segments 0-5.
SEGMENT_S = 5.0
NUM_SEGMENTS = 6


def segment_iou(a: Sequence[int], b: Sequence[int]) -> float:
    """IoU of two inclusive segment ranges `[first, last]` (indices 0-5), as the official `eval.py` counts them.

    >>> segment_iou([0, 0], [0, 1]), segment_iou([1, 2], [4, 5])
    (0.5, 0.0)
    """
    inter = max(0, min(a[1], b[1]) + 1 - max(a[0], b[0]))
    union = max(a[1], b[1]) + 1 - min(a[0], b[0])
    return inter / union


def official_score(pred: Sequence[int], times: Sequence[Sequence[int]]) -> float:
    """The official metric of one prediction: the mean of its 3 best IoUs with the annotators' `times` (all of
    them when fewer than 3).

    >>> official_score([0, 0], [[0, 0], [0, 0], [0, 1], [4, 4]])
    0.8333333333333334
    """
    ious = sorted(segment_iou(pred, t) for t in times)[-3:]
    return sum(ious) / len(ious)


def consensus(times: Sequence[Sequence[int]]) -> list[int]:
    """The gold segment range of several annotators: the annotator's range the official metric scores highest
    (`official_score` against all annotators), the earliest listed on a tie.

    >>> consensus([[2, 3], [0, 0], [0, 0], [0, 1]])
    [0, 0]
    """
    best = max(range(len(times)), key=lambda i: (official_score(times[i], times), -i))
    return list(times[best])


@register("didemo")
class DiDeMo(Builder):
    """DiDeMo: one `temporal_grounding` sample per description.

    Layout (PATH is the folder, or one annotation file in it):
    - `train_data.json`, `val_data.json`, `test_data.json` (the LocalizingMoments release's `data/`; also under
      `annotations/`; split from the file name, other files take `--split`): a list of `{"annotation_id",
      "description", "video": "<flickr file name>", "times": [[first, last], ...], "download_link", ...}`;
      each `[first, last]` is one annotator's moment as inclusive indices of 5-second segments (0-5: a video
      is cut at 30 s), usually four annotators.
    - videos `videos/<video>` (the file the annotation names; the same stem with any video extension, PATH
      itself, or anywhere under PATH are found too).

    Conversions: the gold span is ONE consensus moment: the annotator's `[first, last]` that DiDeMo's official
    `eval.py` would score highest against all annotators (mean of its 3 best segment IoUs; the earliest
    annotator on a tie), in seconds `[5 * first, 5 * (last + 1)]` from the video start (the last segment of a
    video shorter than 30 s is clipped to its end by the build). `question` is the description, stripped. Key
    `<video>#<annotation_id>`; `meta` keeps every annotator's `times` and the consensus `segments`. An
    annotator range outside 0-5 or with last < first, or no `times`, is a `bad_span` row.
    """

    citation = """\
@inproceedings{hendricks2017localizing,
  title={Localizing Moments in Video with Natural Language},
  author={Hendricks, Lisa Anne and Wang, Oliver and Shechtman, Eli and Sivic, Josef and Darrell, Trevor
          and Russell, Bryan},
  booktitle={ICCV}, year={2017}
}
"""
    license = "see https://github.com/LisaAnne/LocalizingMoments (videos: their YFCC100M Creative Commons licenses)"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("videos", "DiDeMo/videos", ""))
        for path in annotation_files(self.path, [f"{s}_data.json" for s in SPLITS]):
            split = split_of(path.name, SPLITS, self.split)
            try:
                rows = read_records(path)
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for n, row in enumerate(rows):
                yield self._item(path, n, row, split, videos)

    def _item(self, path: Path, n: int, row: Any, split: str, videos: VideoIndex) -> Item | BadRow:
        video_name = str(row.get("video", "")) if isinstance(row, dict) else ""
        key = f"{video_name}#{row.get('annotation_id') if isinstance(row, dict) else n}"
        try:
            require(row, "video", "description", "times")
            times = _times(row["times"])
        except RowError as e:
            return BadRow(self.name, key, f"{path}#{n}", e.code, f"{key}: {e}")
        first, last = consensus(times)
        video_id = video_name.rsplit(".", 1)[0]
        video = videos.lookup(video_name) or videos.lookup(video_id) or videos.find_file(video_name)
        return Item(
            source=self.name,
            key=key,
            video=video,
            video_rel=videos.rel(video),
            video_id=video_id,
            task="temporal_grounding",
            split=split,
            question=str(row["description"]).strip(),
            spans=(Span(first * SEGMENT_S, (last + 1) * SEGMENT_S),),
            meta={"annotation_id": row.get("annotation_id"), "times": times, "segments": [first, last]},
            origin=f"{path}#{n}",
        )


def _times(raw: Any) -> list[list[int]]:
    """The annotators' `[first, last]` segment ranges; `RowError(bad_span)` for anything else."""
    if not isinstance(raw, list) or not raw:
        raise RowError(f"times {raw!r} lists no annotator", "bad_span")
    out = []
    for t in raw:
        if (not isinstance(t, (list, tuple)) or len(t) != 2 or not all(isinstance(v, int) for v in t)
                or not 0 <= t[0] <= t[1] < NUM_SEGMENTS):
            raise RowError(f"annotator moment {t!r} is not [first, last] segments within 0-5", "bad_span")
        out.append([int(t[0]), int(t[1])])
    return out
