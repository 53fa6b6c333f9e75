"""`activitynet-captions:PATH` — ActivityNet Captions dense captions (Krishna et al., ICCV 2017)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vdata.builders._shared import RowError, VideoIndex, annotation_files, load_json, span
from vdata.builders.base import BadRow, Builder, Item, Span, register

#: Annotation file names of the release and the split each one is.
FILES = {"train.json": "train", "val_1.json": "val_1", "val_2.json": "val_2"}


@register("activitynet-captions")
class ActivityNetCaptions(Builder):
    """ActivityNet Captions: one `temporal_grounding` sample per sentence and one dense `caption` sample per video.

    Layout (PATH is the folder, or one annotation file):
    - `train.json`, `val_1.json`, `val_2.json` (also under `annotations/`; split = file stem, other files take
      `--split`): `{"v_<youtube id>": {"duration": s, "timestamps": [[start_s, end_s], ...],
      "sentences": [" ...", ...]}, ...}`, times in seconds from the video start.
    - videos `videos/v_<youtube id>.<ext>` (the usual download name; `v1-2/`, `v1-3/`, PATH itself, or without
      the `v_` prefix are found too).

    Conversions: sentences are stripped (the release keeps a leading space on all but the first). Grounding
    samples: key `v_<id>#N` (N the 0-based sentence index), `question` the sentence, `spans` `[[start, end]]`.
    Caption samples: key `v_<id>#caption`, `answer` the stripped sentences joined by newlines, `spans` every
    sentence's span in the same order (they may overlap). Spans past the video end (the annotations sometimes
    exceed `duration` by a fraction of a second) are clipped by the build. `meta["duration_s"]` keeps the
    annotated duration. A sentence whose span has end < start is a bad row; the caption sample then omits it.
    """

    citation = """\
@inproceedings{krishna2017dense,
  title={Dense-Captioning Events in Videos},
  author={Krishna, Ranjay and Hata, Kenji and Ren, Frederic and Fei-Fei, Li and Niebles, Juan Carlos},
  booktitle={ICCV}, pages={706--715}, year={2017}
}
"""
    license = "see https://cs.stanford.edu/people/ranjaykrishna/densevid/ (videos: YouTube terms)"

    def items(self) -> Iterator[Item | BadRow]:
        videos = VideoIndex(self.root, ("videos", "v1-2", "v1-3", ""))
        for path in annotation_files(self.path, list(FILES)):
            split = FILES.get(path.name, self.split)
            try:
                data = load_json(path)
                if not isinstance(data, dict):
                    raise RowError(f"{path.name}: expected an object keyed by video id")
            except RowError as e:
                yield BadRow(self.name, path.name, str(path), e.code, str(e))
                continue
            for video_key in sorted(data):
                yield from self._video(path, split, video_key, data[video_key], videos)

    def _video(
        self, path: Path, split: str, video_key: str, entry: Any, videos: VideoIndex
    ) -> Iterator[Item | BadRow]:
        where = f"{path}:{video_key}"
        try:
            if not isinstance(entry, dict) or "timestamps" not in entry or "sentences" not in entry:
                raise RowError(f"{video_key}: needs 'timestamps' and 'sentences'")
            if len(entry["timestamps"]) != len(entry["sentences"]):
                raise RowError(
                    f"{video_key}: {len(entry['timestamps'])} timestamps but {len(entry['sentences'])} sentences"
                )
        except (RowError, TypeError) as e:
            yield BadRow(self.name, video_key, where, getattr(e, "code", "bad_annotation"), str(e))
            return
        video = videos.lookup(video_key) or videos.lookup(video_key.removeprefix("v_")) or videos.find(video_key)
        common = {
            "source": self.name,
            "video": video,
            "video_rel": videos.rel(video),
            "video_id": video_key,
            "split": split,
        }
        meta = {"duration_s": entry.get("duration")}
        kept: list[tuple[str, Span]] = []
        for n, (times, sentence) in enumerate(zip(entry["timestamps"], entry["sentences"], strict=True)):
            try:
                if not isinstance(times, (list, tuple)) or len(times) != 2:
                    raise RowError(f"{video_key} sentence {n}: timestamp {times!r} is not [start, end]", "bad_span")
                start_s, end_s = span(times[0], times[1], f"{video_key} sentence {n}")
            except RowError as e:
                yield BadRow(self.name, f"{video_key}#{n}", where, e.code, str(e))
                continue
            text = str(sentence).strip()
            kept.append((text, Span(start_s, end_s)))
            yield Item(
                key=f"{video_key}#{n}",
                task="temporal_grounding",
                question=text,
                spans=(Span(start_s, end_s),),
                meta={**meta, "sentence_index": n},
                **common,
            )
        if kept:
            yield Item(
                key=f"{video_key}#caption",
                task="caption",
                answer="\n".join(text for text, _ in kept),
                spans=tuple(s for _, s in kept),
                meta=meta,
                **common,
            )
