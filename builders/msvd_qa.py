"""`msvd-qa:PATH` — MSVD-QA open-ended video QA (Xu et al., ACM MM 2017)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files
from vdata.builders.base import register
from vdata.builders.msrvtt_qa import OpenEndedQA


@register("msvd-qa")
class MSVDQA(OpenEndedQA):
    """MSVD-QA: one `free_form` sample per question.

    Layout (PATH is the folder, or one annotation file in it):
    - `train_qa.json`, `val_qa.json`, `test_qa.json` (also under `annotations/`; split from the file name):
      a list of `{"question", "answer", "video_id": n, "id": n}`, n = 1..1970.
    - `youtube_mapping.txt` (in PATH or `annotations/`): lines `<youtube clip name> vid<n>`, e.g.
      `-4wsuPCjDBc_5_15 vid1`.
    - videos `YouTubeClips/<youtube clip name>.avi` (the MSVD release; `videos/`, PATH itself, or anywhere
      under PATH, any video extension).

    Conversions: `question`/`answer` stripped as written; key `id`; `video_id` the YouTube clip name the
    mapping gives for `vid<n>`. `meta` keeps `id` and the numeric `video_id`. A row whose `video_id` the
    mapping does not list (or without the mapping file), or a row missing a field, is a bad row.
    """

    citation = """\
@inproceedings{xu2017video,
  title={Video Question Answering via Gradually Refined Attention over Appearance and Motion},
  author={Xu, Dejing and Zhao, Zhou and Xiao, Jun and Wu, Fei and Zhang, Hanwang and He, Xiangnan and
          Zhuang, Yueting},
  booktitle={ACM Multimedia}, pages={1645--1653}, year={2017}
}
"""
    license = "see https://github.com/xudejing/video-question-answering (videos: MSVD terms)"
    video_folders = ("YouTubeClips", "videos", "")

    def locator(self, videos: VideoIndex) -> Any:
        mapping: dict[str, str] = {}
        for path in annotation_files(self.root, ["youtube_mapping.txt"])[:1]:
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if len(parts) == 2:
                    mapping[parts[1]] = parts[0]

        def locate(raw: Any) -> tuple[str, Path]:
            name = mapping.get(f"vid{str(raw).strip().removeprefix('vid')}")
            if name is None:
                raise RowError(f"video_id {raw!r} is not in youtube_mapping.txt")
            return name, videos.find(name)

        return locate
