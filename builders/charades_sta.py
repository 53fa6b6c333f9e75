"""`charades-sta:PATH` — Charades-STA sentence grounding (Gao et al., TALL, ICCV 2017)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from vdata.builders._shared import RowError, VideoIndex, annotation_files, span
from vdata.builders.base import BadRow, Builder, Item, Span, register

SPLITS = ("train", "test")


@register("charades-sta")
class CharadesSTA(Builder):
    """Charades-STA: one `temporal_grounding` sample per annotation line.

    Layout (PATH is the folder, or one annotation file in it):
    - `charades_sta_train.txt`, `charades_sta_test.txt` (also looked for under `annotations/`): one line per
      sentence, `VIDEO_ID START END##SENTENCE`, START and END in seconds from the start of the Charades video.
      The split is read from the file name (`--split` names the split of any other file).
    - videos `Charades_v1_480/<VIDEO_ID>.mp4` (or `Charades_v1/`, `videos/`, PATH itself; any video extension;
      otherwise found anywhere under PATH by file name).
    - optional `Charades_v1_train.csv` / `Charades_v1_test.csv` (the Charades release): their `length` column
      (seconds) is kept as `meta["charades_length_s"]`; the video's probed duration is what the build uses.

    Conversions: the span is `[START, END]` as is (already seconds from video start; spans past the video end
    are clipped by the build). `question` is the sentence, stripped. `key` is `VIDEO_ID#N`, N the 0-based index
    of the sentence among that video's lines in its file. A line without `##`, without three fields before it,
    or with END < START is a bad row.
    """

    citation = """\
@inproceedings{gao2017tall,
  title={TALL: Temporal Activity Localization via Language Query},
  author={Gao, Jiyang and Sun, Chen and Yang, Zhenheng and Nevatia, Ram},
  booktitle={ICCV}, pages={5267--5275}, year={2017}
}
"""
    license = "see https://prior.allenai.org/projects/charades (Charades: non-commercial research use)"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("Charades_v1_480", "Charades_v1", "videos", ""))
        lengths = _charades_lengths(self.root)
        for path in annotation_files(self.path, [f"charades_sta_{s}.txt" for s in SPLITS]):
            split = _split_of(path, self.split)
            seen: dict[str, int] = {}
            with path.open(encoding="utf-8") as lines:
                for lineno, line in enumerate(lines, 1):
                    if line.strip():
                        yield self._item(path, lineno, line, split, seen, videos, lengths)

    def _item(
        self,
        path: Path,
        lineno: int,
        line: str,
        split: str,
        seen: dict[str, int],
        videos: VideoIndex,
        lengths: dict[str, float],
    ) -> Item | BadRow:
        where = f"{path}:{lineno}"
        head, sep, sentence = line.strip().partition("##")
        fields = head.split()
        video_id = fields[0] if fields else ""
        try:
            if not sep or len(fields) != 3:
                raise RowError(f"line {lineno}: expected 'VIDEO_ID START END##SENTENCE', got {line.strip()!r}")
            start_s, end_s = span(fields[1], fields[2], f"line {lineno}: span")
        except RowError as e:
            return BadRow(self.name, f"{video_id or 'line'}@{lineno}", where, e.code, str(e))
        index = seen.get(video_id, 0)
        seen[video_id] = index + 1
        video = videos.find(video_id)
        meta: dict[str, object] = {"line": lineno, "start": fields[1], "end": fields[2]}
        if video_id in lengths:
            meta["charades_length_s"] = lengths[video_id]
        return Item(
            source=self.name,
            key=f"{video_id}#{index}",
            video=video,
            video_rel=videos.rel(video),
            video_id=video_id,
            task="temporal_grounding",
            split=split,
            question=sentence.strip(),
            spans=(Span(start_s, end_s),),
            meta=meta,
        )


def _split_of(path: Path, default: str) -> str:
    for split in SPLITS:
        if path.name == f"charades_sta_{split}.txt":
            return split
    return default


def _charades_lengths(root: Path) -> dict[str, float]:
    """`id -> length` (seconds) from the Charades release CSVs found in `root` (or its `annotations/`)."""
    lengths: dict[str, float] = {}
    for path in annotation_files(root, ["Charades_v1_*.csv"]):
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                try:
                    lengths[row["id"]] = float(row["length"])
                except (KeyError, TypeError, ValueError):
                    continue
    return lengths
