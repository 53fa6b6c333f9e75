"""`activitynet-qa:PATH` — ActivityNet-QA open-ended video QA (Yu et al., AAAI 2019)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, read_records, require
from vdata.builders.base import BadRow, Builder, Item, register

SPLITS = ("train", "val", "test")
#: The release's `type` codes (dataset/README.md): question types 0-2, answer types 3-8 of free questions.
TYPES = {0: "motion", 1: "spatial_relation", 2: "temporal_relation", 3: "yes_no", 4: "color", 5: "object",
         6: "location", 7: "number", 8: "other"}


@register("activitynet-qa")
class ActivityNetQA(Builder):
    """ActivityNet-QA: one `free_form` sample per question.

    Layout (PATH is the release folder, or its `dataset/` folder):
    - `<split>_q.json` and `<split>_a.json` for train, val, test (in PATH, `dataset/` or `annotations/`): lists
      of `{"video_name", "question", "question_id"}` and `{"answer", "type", "question_id"}`, joined by
      `question_id` (`v_<video_name>_<n>`). `video_name` is the YouTube id without the `v_` prefix.
    - videos `v_<video_name>.<ext>` (ActivityNet's download name) or `<video_name>.<ext>` in `videos/`,
      `all_test/`, PATH itself, or anywhere under PATH.

    Conversions: `question` and `answer` stripped as written (lower case, no question mark, as released);
    key `question_id`; split from the file pair. `meta` keeps `type` and its name (`motion`,
    `spatial_relation`, `temporal_relation`, `yes_no`, `color`, `object`, `location`, `number`, `other`).
    A question without an answer in `_a.json`, or a row missing a field, is a bad row.
    """

    citation = """\
@inproceedings{yu2019activitynetqa,
  title={ActivityNet-QA: A Dataset for Understanding Complex Web Videos via Question Answering},
  author={Yu, Zhou and Xu, Dejing and Yu, Jun and Yu, Ting and Zhao, Zhou and Zhuang, Yueting and Tao, Dacheng},
  booktitle={AAAI}, pages={9127--9134}, year={2019}
}
"""
    license = "see https://github.com/MILVLG/activitynet-qa (annotations; videos: YouTube terms)"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("videos", "all_test", ""))
        folder = self.path if self.path.is_dir() else self.path.parent
        for split in SPLITS:
            questions = annotation_files(folder, [f"{split}_q.json"]) + annotation_files(
                folder / "dataset", [f"{split}_q.json"])
            if not questions:
                continue
            path = questions[0]
            try:
                rows = read_records(path)
                if not path.with_name(f"{split}_a.json").is_file():
                    raise RowError(f"{path.name} has no {split}_a.json beside it")
                answers = {str(a.get("question_id")): a for a in read_records(path.with_name(f"{split}_a.json"))
                           if isinstance(a, dict)}
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for n, row in enumerate(rows):
                yield self._item(path, n, row, answers, split, videos)

    def _item(
        self, path: Path, n: int, row: Any, answers: dict[str, Any], split: str, videos: VideoIndex
    ) -> Item | BadRow:
        key = str(row.get("question_id", f"row{n}")) if isinstance(row, dict) else f"row{n}"
        try:
            require(row, "video_name", "question", "question_id")
            answer = answers.get(key)
            if answer is None or answer.get("answer") is None:
                raise RowError(f"no answer in {split}_a.json")
        except RowError as e:
            return BadRow(self.name, key, f"{path}#{n}", e.code, f"{key}: {e}")
        name = str(row["video_name"])
        video = videos.lookup(f"v_{name}") or videos.lookup(name) or videos.find(f"v_{name}")
        kind = answer.get("type")
        return Item(
            source=self.name,
            key=key,
            video=video,
            video_rel=videos.rel(video),
            video_id=name,
            task="free_form",
            split=split,
            question=str(row["question"]).strip(),
            answer=str(answer["answer"]).strip(),
            meta={"type": kind, "type_name": TYPES.get(kind) if isinstance(kind, int) else None},
            origin=f"{path}#{n}",
        )
