"""`youcook2:PATH` — YouCook2 recipe steps (Zhou et al., Towards Automatic Learning of Procedures from Web
Instructional Videos, AAAI 2018)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, load_mapping, pair, span
from vdata.builders.base import BadRow, Builder, Item, Span, register

#: YouCook2's `subset` names -> vdata splits.
SUBSETS = {"training": "train", "validation": "val", "testing": "test"}
FILES = ("youcookii_annotations_trainval.json",)


@register("youcook2")
class YouCook2(Builder):
    """YouCook2: one `temporal_grounding` sample per recipe step and one dense `caption` sample per video.

    Layout (PATH is the `youcook2` folder, or one annotation file in it):
    - `youcookii_annotations_trainval.json` (also under `annotations/`): `{"database": {"<youtube id>":
      {"duration": s, "subset": "training"|"validation", "recipe_type": "113", "video_url": "...",
      "annotations": [{"id": n, "segment": [start_s, end_s], "sentence": "..."}]}}}`, segments in seconds from
      the video start. The test file (`..._test_segments_only.json`) has no sentences and is not read.
    - videos `raw_videos/<subset>/<recipe_type>/<youtube id>.<ext>` (the download script's layout; `videos/`,
      PATH itself, or anywhere under PATH by name are found too).

    Conversions: split from `subset` (training -> train, validation -> val; `--split` when absent). Grounding
    samples: key `<youtube id>#<id>`, `question` the stripped sentence, `spans` `[segment]`. Caption samples:
    key `<youtube id>#caption`, `answer` the sentences in step order joined by newlines, `spans` every step's
    segment in the same order. `meta` keeps `duration_s`, `recipe_type`, and `id` for steps. A segment that is
    not `[start, end]` numbers with end >= start, or a step without a sentence, is a bad row (the caption
    sample then omits it).
    """

    citation = """\
@inproceedings{zhou2018towards,
  title={Towards Automatic Learning of Procedures from Web Instructional Videos},
  author={Zhou, Luowei and Xu, Chenliang and Corso, Jason J},
  booktitle={AAAI}, year={2018}
}
"""
    license = "see http://youcook2.eecs.umich.edu/ (videos: YouTube terms)"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("raw_videos", "videos", ""))
        for path in annotation_files(self.path, FILES):
            try:
                database = load_mapping(path, "an object with 'database'").get("database")
                if not isinstance(database, dict):
                    raise RowError(f"{path.name}: 'database' is not an object keyed by video id")
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for video_key in sorted(database):
                yield from self._video(path, video_key, database[video_key], videos)

    def _video(self, path: Path, video_key: str, entry: Any, videos: VideoIndex) -> Iterator[Item | BadRow]:
        where = f"{path}:{video_key}"
        if not isinstance(entry, dict) or not isinstance(entry.get("annotations"), list):
            yield BadRow(self.name, video_key, where, "bad_annotation", f"{video_key}: needs an 'annotations' list")
            return
        video = videos.find(video_key)
        common = {
            "source": self.name,
            "video": video,
            "video_rel": videos.rel(video),
            "video_id": video_key,
            "split": SUBSETS.get(str(entry.get("subset")), self.split),
            "origin": where,
        }
        meta = {"duration_s": entry.get("duration"), "recipe_type": entry.get("recipe_type")}
        kept: list[tuple[str, Span]] = []
        for n, step in enumerate(entry["annotations"]):
            step_id = step.get("id", n) if isinstance(step, dict) else n
            try:
                if not isinstance(step, dict) or not str(step.get("sentence") or "").strip():
                    raise RowError(f"{video_key} step {step_id}: no sentence")
                start, end = pair(step.get("segment"), f"{video_key} step {step_id} segment")
                segment = Span(*span(start, end, f"{video_key} step {step_id} segment"))
            except RowError as e:
                yield BadRow(self.name, f"{video_key}#{step_id}", where, e.code, str(e))
                continue
            text = str(step["sentence"]).strip()
            kept.append((text, segment))
            yield Item(key=f"{video_key}#{step_id}", task="temporal_grounding", question=text, spans=(segment,),
                       meta={**meta, "id": step_id}, **common)
        if kept:
            yield Item(key=f"{video_key}#caption", task="caption", answer="\n".join(t for t, _ in kept),
                       spans=tuple(s for _, s in kept), meta=meta, **common)
