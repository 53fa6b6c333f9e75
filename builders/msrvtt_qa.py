"""`msrvtt-qa:PATH` — MSRVTT-QA open-ended video QA (Xu et al., ACM MM 2017), and the reader MSVD-QA shares."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, read_records, require, split_of
from vdata.builders.base import BadRow, Builder, Item, register

SPLITS = ("train", "val", "test")


class OpenEndedQA(Builder):
    """The `<split>_qa.json` reader MSRVTT-QA and MSVD-QA share (Xu et al. released both in one format):
    a list of `{"question", "answer", "video_id": n, "id": n, ...}`; subclasses say where video `n` is."""

    #: Folders (relative to the root) searched for the videos.
    video_folders: tuple[str, ...] = ("",)

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, self.video_folders)
        locate = self.locator(videos)
        for path in annotation_files(self.path, [f"{s}_qa.json" for s in SPLITS]):
            split = split_of(path.name, SPLITS, self.split)
            try:
                rows = read_records(path)
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for n, row in enumerate(rows):
                key = str(row.get("id", f"row{n}")) if isinstance(row, dict) else f"row{n}"
                try:
                    require(row, "question", "answer", "video_id")
                    video_id, video = locate(row["video_id"])
                except RowError as e:
                    yield BadRow(self.name, key, f"{path}#{n}", e.code, f"{key}: {e}")
                    continue
                yield Item(
                    source=self.name,
                    key=key,
                    video=video,
                    video_rel=videos.rel(video),
                    video_id=video_id,
                    task="free_form",
                    split=split,
                    question=str(row["question"]).strip(),
                    answer=str(row["answer"]).strip(),
                    meta={k: row[k] for k in ("id", "video_id", "category_id") if k in row},
                    origin=f"{path}#{n}",
                )

    def locator(self, videos: VideoIndex) -> Any:
        """A function `video_id -> (video id to store, video path)`; `RowError` for an id it cannot place."""
        raise NotImplementedError


@register("msrvtt-qa")
class MSRVTTQA(OpenEndedQA):
    """MSRVTT-QA: one `free_form` sample per question.

    Layout (PATH is the folder, or one annotation file in it):
    - `train_qa.json`, `val_qa.json`, `test_qa.json` (also under `annotations/`; split from the file name):
      a list of `{"question", "answer", "video_id": n, "id": n, "category_id": c}`.
    - videos `video<n>.mp4` (MSR-VTT's names) in `video/`, `videos/`, `videos/all/`, `TrainValVideo/`,
      `TestVideo/`, PATH itself, or anywhere under PATH.

    Conversions: `question`/`answer` stripped as written (one-word answers, lower case); key `id`; `video_id`
    `video<n>` (`video_id` may also be written `"video<n>"`). `meta` keeps `id`, `video_id`, `category_id`.
    A row missing `question`, `answer` or `video_id`, or whose `video_id` is neither `n` nor `video<n>`, is a
    bad row.
    """

    citation = """\
@inproceedings{xu2017video,
  title={Video Question Answering via Gradually Refined Attention over Appearance and Motion},
  author={Xu, Dejing and Zhao, Zhou and Xiao, Jun and Wu, Fei and Zhang, Hanwang and He, Xiangnan and
          Zhuang, Yueting},
  booktitle={ACM Multimedia}, pages={1645--1653}, year={2017}
}
"""
    license = "see https://github.com/xudejing/video-question-answering (videos: MSR-VTT terms)"
    video_folders = ("video", "videos", "videos/all", "TrainValVideo", "TestVideo", "")

    def locator(self, videos: VideoIndex) -> Any:
        def locate(raw: Any) -> tuple[str, Path]:
            text = str(raw).strip()
            number = text.removeprefix("video")
            if not number.isdigit():
                raise RowError(f"video_id {raw!r} is not a number or video<n>")
            name = f"video{int(number)}"
            return name, videos.find(name)

        return locate
