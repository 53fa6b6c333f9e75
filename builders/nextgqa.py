"""`nextgqa:PATH` — NExT-GQA visually grounded video QA (Xiao et al., CVPR 2024)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, annotation_files, letter, load_json, span
from vdata.builders.base import BadRow, Builder, Item, Span, register
from vdata.builders.nextqa import VideoLocator, read_rows, row_basics, row_key, row_meta

SPLITS = ("train", "val", "test")


@register("nextgqa")
class NExTGQA(Builder):
    """NExT-GQA: one `grounded_qa` sample (multiple choice + evidence spans) per CSV row.

    Layout (PATH is the folder, or one CSV file in it; the release's `datasets/nextgqa/`):
    - `train.csv`, `val.csv`, `test.csv` (also under `annotations/`; split = file stem, other files take
      `--split`) with columns `video_id,frame_count,width,height,question,answer,qid,type,a0,...,a4` (a `video`
      column reads too); unlike NExT-QA, `answer` is the text of the correct option.
    - `gsub_val.json`, `gsub_test.json`: `{"<video_id>": {"duration": s, "fps": f,
      "location": {"<qid>": [[start_s, end_s], ...]}}}`, seconds from the video start.
    - `map_vid_vidorID.json` and the NExT-QA videos `NExTVideo/<folder>/<vidor id>.mp4` (see `nextqa`).

    Conversions: `options` are `a0`..`a4`, `answer` the letter of the option equal to the `answer` text (after
    stripping); `spans` are the question's `location` windows, in order; `key` is `<video_id>_<qid>`; `meta`
    keeps `type`, `qid`, `frame_count`, `width`, `height` and the `gsub` `duration`/`fps`. The train split has no
    spans in the release: those rows (and any row whose question has no `location`) become `multiple_choice`
    samples, `meta["grounded"] = False`. An answer text that is none of the options, or a span with end < start,
    is a bad row.
    """

    citation = """\
@inproceedings{xiao2024nextgqa,
  title={Can I Trust Your Answer? Visually Grounded Video Question Answering},
  author={Xiao, Junbin and Yao, Angela and Li, Yicong and Chua, Tat-Seng},
  booktitle={CVPR}, year={2024}
}
"""
    license = "see https://github.com/doc-doc/NExT-GQA"

    def items(self) -> Iterator[Item | BadRow]:
        locate = VideoLocator(self.root)
        folder = self.path if self.path.is_dir() else self.path.parent
        for path in annotation_files(self.path, [f"{s}.csv" for s in SPLITS]):
            split = path.stem if path.stem in SPLITS else self.split
            gsub: dict[str, Any] = {}
            for gsub_path in annotation_files(folder, [f"gsub_{split}.json"]):
                try:
                    data = load_json(gsub_path)
                    gsub = data if isinstance(data, dict) else {}
                except RowError as e:
                    yield BadRow(self.name, gsub_path.name, str(gsub_path), e.code, str(e))
            for lineno, row in read_rows(path):
                yield self._item(path, lineno, row, split, gsub, locate)

    def _item(
        self,
        path: Path,
        lineno: int,
        row: dict[str, str],
        split: str,
        gsub: dict[str, Any],
        locate: VideoLocator,
    ) -> Item | BadRow:
        try:
            video_id, options = row_basics(row, lineno)
            answer_text = row["answer"].strip()
            if answer_text not in options:
                raise RowError(f"answer {answer_text!r} is none of the options {list(options)}")
            answer = letter(options.index(answer_text), len(options))
            meta = row_meta(row)
            spans = _spans(gsub.get(video_id), row["qid"].strip(), meta)
        except RowError as e:
            return BadRow(self.name, row_key(row, lineno), f"{path}:{lineno}", e.code, f"row {lineno}: {e}")
        meta["grounded"] = spans is not None
        video = locate(video_id)
        return Item(
            source=self.name,
            key=row_key(row, lineno),
            video=video,
            video_rel=locate.videos.rel(video),
            video_id=video_id,
            task="grounded_qa" if spans is not None else "multiple_choice",
            split=split,
            question=row["question"].strip(),
            options=options,
            answer=answer,
            spans=spans,
            meta=meta,
        )


def _spans(entry: Any, qid: str, meta: dict[str, Any]) -> tuple[Span, ...] | None:
    """The question's evidence spans from its video's `gsub` entry (None when it has none); fills `meta`."""
    if not isinstance(entry, dict):
        return None
    meta["gsub_duration_s"] = entry.get("duration")
    meta["gsub_fps"] = entry.get("fps")
    windows = (entry.get("location") or {}).get(qid)
    if not windows:
        return None
    spans = []
    for w in windows:
        if not isinstance(w, (list, tuple)) or len(w) != 2:
            raise RowError(f"location {w!r} is not [start, end]", "bad_span")
        spans.append(Span(*span(w[0], w[1], f"location of qid {qid}")))
    return tuple(spans)
