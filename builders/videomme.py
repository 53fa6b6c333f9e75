"""`videomme:PATH` — Video-MME, the multiple-choice video analysis benchmark (Fu et al., CVPR 2025)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import (
    LETTERS,
    RowError,
    VideoIndex,
    annotation_files,
    read_records,
    require,
    strip_letter,
)
from vdata.builders.base import BadRow, Builder, Item, register
from vdata.tasks.benchmarks import VIDEOMME

#: Duration classes of Video-MME (< 2 min, 4-15 min, 30-60 min).
DURATIONS = ("short", "medium", "long")


@register("videomme")
class VideoMME(Builder):
    """Video-MME: one `multiple_choice` sample per question (900 videos x 3 questions, split `test`).

    Layout (the Hugging Face release `lmms-lab/Video-MME`; PATH is its folder, or the parquet file):
    - `videomme/test-00000-of-00001.parquet` (any `*.parquet` under PATH or `videomme/`) with columns
      `video_id` ("001"), `duration` (short, medium, long), `domain`, `sub_category`, `url`, `videoID` (the
      YouTube id), `question_id` ("001-1"), `task_type` (12 types: "Counting Problem", ...), `question`,
      `options` (["A. ...", "B. ...", "C. ...", "D. ..."]) and `answer` (a letter).
    - `data/<videoID>.mp4` (the unzipped `videos_chunked_*.zip`; `videos/`, `video/` or anywhere under PATH).
    - `subtitle/<videoID>.srt` (the unzipped `subtitle.zip`), optional.

    Conversions: `options` without their `A.` letters, `answer` the letter; `key` is `question_id`; `video_id`
    is `videoID`; `meta` keeps `duration`, `domain`, `sub_category`, `task_type`, the benchmark's `video_id` and
    `url`, and `subtitle`: the `.srt` path relative to PATH when the file exists; its cues fill the `subtitles`
    column (seconds from video start, within the clip window), what the "with subtitles" setting adds to the
    prompt. A row without `question`/`options`/`answer`, a duration outside short/medium/long or an answer that
    is not the letter of an option is a bad row.
    `vdata eval` prints Video-MME's table (`eval_your_results.py`): accuracy per duration, domain, sub-category
    and task type, and overall, over the answers in which a letter A-D could be found.
    """

    citation = """\
@inproceedings{fu2025videomme,
  title={Video-MME: The First-Ever Comprehensive Evaluation Benchmark of Multi-modal LLMs in Video Analysis},
  author={Fu, Chaoyou and Dai, Yuhan and Luo, Yongdong and others},
  booktitle={CVPR}, year={2025}
}
"""
    license = "see https://github.com/BradyFU/Video-MME"
    benchmark = VIDEOMME

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("data", "videos", "video", ""))
        for path in annotation_files(self.path, ["*.parquet", "videomme/*.parquet"]):
            try:
                rows = read_records(path)
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for i, row in enumerate(rows):
                try:
                    yield self._item(row, videos)
                except RowError as e:
                    key = str(row.get("question_id") or f"row{i}") if isinstance(row, dict) else f"row{i}"
                    yield BadRow(self.name, key, f"{path}#{i}", e.code, f"row {i}: {e}")

    def _item(self, row: dict[str, Any], videos: VideoIndex) -> Item:
        require(row, "question_id", "videoID", "question", "options", "answer")
        options = tuple(strip_letter(str(o)) for o in row["options"])
        answer = str(row["answer"]).strip().upper()
        if len(answer) != 1 or answer not in LETTERS[: len(options)]:
            raise RowError(f"answer {row['answer']!r} is not the letter of one of the {len(options)} options")
        if row.get("duration") not in DURATIONS:
            raise RowError(f"duration {row.get('duration')!r} is not one of {', '.join(DURATIONS)}")
        youtube_id = str(row["videoID"])
        video = videos.find(youtube_id)
        meta: dict[str, Any] = {k: row.get(k) for k in ("duration", "domain", "sub_category", "task_type", "url")}
        meta["benchmark_video_id"] = row.get("video_id")
        subtitle = _subtitle(self.root, youtube_id)
        if subtitle is not None:
            meta["subtitle"] = subtitle
        return Item(
            source=self.name,
            key=str(row["question_id"]),
            video=video,
            video_rel=videos.rel(video),
            video_id=youtube_id,
            task="multiple_choice",
            split="test",
            question=str(row["question"]).strip(),
            options=options,
            answer=answer,
            meta=meta,
            subtitles=self.root / subtitle if subtitle is not None else None,
        )


def _subtitle(root: Path, youtube_id: str) -> str | None:
    """`subtitle/<id>.srt` (or `subtitles/`) relative to root, when the file exists."""
    for folder in ("subtitle", "subtitles"):
        if (root / folder / f"{youtube_id}.srt").is_file():
            return f"{folder}/{youtube_id}.srt"
    return None
