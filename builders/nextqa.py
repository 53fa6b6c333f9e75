"""`nextqa:PATH` — NExT-QA multiple-choice video QA (Xiao et al., CVPR 2021)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, letter, load_json
from vdata.builders.base import BadRow, Builder, Item, register

SPLITS = ("train", "val", "test")
OPTION_COLUMNS = ("a0", "a1", "a2", "a3", "a4")


@register("nextqa")
class NExTQA(Builder):
    """NExT-QA: one `multiple_choice` sample per CSV row, or one `free_form` sample per row of NExT-OE.

    Layout (PATH is the folder, or one CSV file in it):
    - `train.csv`, `val.csv`, `test.csv` (also under `annotations/`; split = file stem, other files take
      `--split`) with columns `video,frame_count,width,height,question,answer,qid,type,a0,a1,a2,a3,a4`;
      `answer` is the 0-based index of the correct option; `qid` numbers the questions within a video.
    - NExT-OE (open-ended; the `doc-doc/NExT-OE` release's `dataset/nextqa/`): the same file names with
      columns `video,frame_count,width,height,question,answer,qid,type` and no options: `answer` is the answer
      text. A file is read as NExT-OE when its header has no `a0` column. Optional
      `add_reference_answer_<split>.json` (`{"<video>": {"<qid>": "answer"}}`) gives a second reference.
    - `map_vid_vidorID.json`: `{"<video>": "<folder>/<vidor id>"}`; the video file is
      `NExTVideo/<folder>/<vidor id>.mp4` (or `videos/...`, or under PATH itself). Videos missing from the map
      are looked up by `<video>` file name anywhere under PATH.

    Conversions: `options` are `a0`..`a4` (stripped), `answer` the letter of the `answer` index (0 -> "A");
    `key` is `<video>_<qid>` (NExT-QA's own question uid); `meta` keeps `type` (question type code: CW, CH,
    TN, TC, TP, DC, DL, DO), `qid`, `frame_count`, `width`, `height`. An answer index outside 0-4, or a row
    without `video`/`question`/`answer`/`qid`/options, is a bad row. The NExT-GQA CSV (`video_id` column) reads too.
    NExT-OE rows: `answer` the stripped answer text (NExT-OE's eval compares texts after lemmatising and
    dropping stop words; vdata keeps the text as released), `meta["additional_reference"]` the second
    reference answer where the JSON gives one (None otherwise); a row with an empty answer is a bad row.
    """

    citation = """\
@inproceedings{xiao2021nextqa,
  title={NExT-QA: Next Phase of Question-Answering to Explaining Temporal Actions},
  author={Xiao, Junbin and Shang, Xindi and Yao, Angela and Chua, Tat-Seng},
  booktitle={CVPR}, year={2021}
}
"""
    license = "see https://github.com/doc-doc/NExT-QA"

    def items(self) -> Iterator[Item | BadRow]:
        locate = VideoLocator(self.root)
        for path in annotation_files(self.path, [f"{s}.csv" for s in SPLITS]):
            split = path.stem if path.stem in SPLITS else self.split
            if not _has_options(path):
                yield from self._open_ended(path, split, locate)
                continue
            for lineno, row in read_rows(path):
                yield self._item(path, lineno, row, split, locate)

    def _open_ended(self, path: Path, split: str, locate: VideoLocator) -> Iterator[Item | BadRow]:
        """NExT-OE rows: the answer is text; a second reference from `add_reference_answer_<split>.json`."""
        extra_files = annotation_files(path.parent, [f"add_reference_answer_{split}.json"])
        try:
            extra = load_json(extra_files[0]) if extra_files else {}
        except RowError as e:
            yield BadRow(self.name, extra_files[0].name, str(extra_files[0]), e.code, str(e))
            extra = {}
        for lineno, row in read_rows(path):
            video_id = (row.get("video") or "").strip()
            try:
                for name in ("video", "question", "qid"):
                    if not (row.get(name) or "").strip():
                        raise RowError(f"row {lineno}: missing field {name!r}")
                if not (row.get("answer") or "").strip():
                    raise RowError(f"row {lineno}: empty answer")
            except RowError as e:
                yield BadRow(self.name, row_key(row, lineno), f"{path}:{lineno}", e.code, str(e))
                continue
            video = locate(video_id)
            reference = extra.get(video_id, {}) if isinstance(extra, dict) else {}
            second = reference.get(row["qid"].strip()) if isinstance(reference, dict) else None
            yield Item(
                source=self.name,
                key=row_key(row, 0),
                video=video,
                video_rel=locate.videos.rel(video),
                video_id=video_id,
                task="free_form",
                split=split,
                question=row["question"].strip(),
                answer=row["answer"].strip(),
                meta={**row_meta(row), "additional_reference": second},
                origin=f"{path}:{lineno}",
            )

    def _item(self, path: Path, lineno: int, row: dict[str, str], split: str, locate: VideoLocator) -> Item | BadRow:
        try:
            video_id, options = row_basics(row, lineno)
            try:
                index = int(str(row["answer"]).strip())
            except ValueError:
                raise RowError(f"row {lineno}: answer {row['answer']!r} is not an option index") from None
            return self._convert(row, video_id, options, letter(index, len(options)), split, locate)
        except RowError as e:
            return BadRow(self.name, row_key(row, lineno), f"{path}:{lineno}", e.code, f"row {lineno}: {e}")

    def _convert(
        self, row: dict[str, str], video_id: str, options: tuple[str, ...], answer: str, split: str, locate: VideoLocator
    ) -> Item:
        video = locate(video_id)
        return Item(
            source=self.name,
            key=row_key(row, 0),
            video=video,
            video_rel=locate.videos.rel(video),
            video_id=video_id,
            task="multiple_choice",
            split=split,
            question=row["question"].strip(),
            options=options,
            answer=answer,
            meta=row_meta(row),
        )


class VideoLocator:
    """Maps a NExT-QA video id to its file through `map_vid_vidorID.json` (when present under the root)."""

    def __init__(self, root: Path) -> None:
        self.videos = VideoIndex(root, ("NExTVideo", "videos", ""))
        maps = annotation_files(root, ["map_vid_vidorID.json"])
        self.mapping: dict[str, Any] = {}
        if maps:
            data = load_json(maps[0])
            self.mapping = data if isinstance(data, dict) else {}

    def __call__(self, video_id: str) -> Path:
        mapped = self.mapping.get(video_id)
        if mapped is not None:
            return self.videos.find(str(mapped))
        return self.videos.find(video_id)


def _has_options(path: Path) -> bool:
    """Whether the CSV's header names the option columns (multiple choice) rather than NExT-OE's text answers."""
    with path.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f), [])
    return OPTION_COLUMNS[0] in [h.strip() for h in header]


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """`(line number, row)` for each data row of a CSV file (line 1 is the header)."""
    with path.open(encoding="utf-8", newline="") as f:
        yield from enumerate(csv.DictReader(f), 2)


def row_basics(row: dict[str, str], lineno: int) -> tuple[str, tuple[str, ...]]:
    """The video id (`video` or `video_id` column) and the stripped options `a0`..`a4`; `RowError` when absent."""
    video_id = (row.get("video") or row.get("video_id") or "").strip()
    if not video_id:
        raise RowError(f"row {lineno}: missing field 'video'")
    for name in ("question", "answer", "qid", *OPTION_COLUMNS):
        if row.get(name) is None:
            raise RowError(f"row {lineno}: missing field {name!r}")
    return video_id, tuple(row[c].strip() for c in OPTION_COLUMNS)


def row_key(row: dict[str, str], lineno: int) -> str:
    """`<video>_<qid>`, NExT-QA's question uid (`row<N>` when the row lacks them)."""
    video_id = (row.get("video") or row.get("video_id") or "").strip()
    qid = (row.get("qid") or "").strip()
    return f"{video_id}_{qid}" if video_id and qid else f"row{lineno}"


def row_meta(row: dict[str, str]) -> dict[str, Any]:
    """The original fields kept as provenance: question `type` code, `qid`, `frame_count`, `width`, `height`."""
    meta: dict[str, Any] = {"type": row.get("type"), "qid": row.get("qid")}
    for name in ("frame_count", "width", "height"):
        try:
            meta[name] = int(row[name])
        except (KeyError, TypeError, ValueError):
            meta[name] = row.get(name)
    return meta
