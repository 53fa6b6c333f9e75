"""ego4d-nlq: clip-relative seconds on a canonical clip file, video-relative seconds + the clip window on a full video."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item, Span
from vdata.builders.ego4d_nlq import Ego4DNLQ


def _query(text: object, clip_s: tuple, video_s: tuple) -> dict:
    return {"clip_start_sec": clip_s[0], "clip_end_sec": clip_s[1], "video_start_sec": video_s[0],
            "video_end_sec": video_s[1], "video_start_frame": 0, "video_end_frame": 0,
            "template": "Objects: Where is object X before / after event Y?", "query": text,
            "slot_x": "knife", "verb_x": "put"}


def _clip(clip_uid: str, start: float, end: float, queries: list) -> dict:
    return {"clip_uid": clip_uid, "video_start_sec": start, "video_end_sec": end, "video_start_frame": 0,
            "video_end_frame": 0, "clip_start_sec": 0.0, "clip_end_sec": end - start, "source_clip_uid": "s",
            "annotations": [{"annotation_uid": f"ann-{clip_uid}", "language_queries": queries}]}


def _corpus(root: Path, put) -> Path:
    put(root / "v1" / "clips" / "clip-a.mp4")
    put(root / "v1" / "full_scale" / "video-b.mp4")
    data = {"version": "v1", "videos": [
        {"video_uid": "video-a", "split": "train", "clips": [_clip("clip-a", 100.0, 103.0, [
            _query(" where did I put the knife? ", (0.5, 1.25), (100.5, 101.25)),
            _query(None, (0.5, 1.0), (100.5, 101.0)),
            _query("reversed", (2.0, 1.0), (102.0, 101.0)),
        ])]},
        {"video_uid": "video-b", "split": "train", "clips": [_clip("clip-b", 0.5, 2.5, [
            _query("what did I pour in the bowl", (0.5, 1.0), (1.0, 1.5)),
        ])]},
    ]}
    (root / "v1" / "annotations").mkdir(parents=True)
    (root / "v1" / "annotations" / "nlq_train.json").write_text(json.dumps(data))
    return root


def test_clip_file_takes_clip_seconds_and_full_video_takes_video_seconds_in_the_clip_window(
    tmp_path: Path, put
) -> None:
    items = [i for i in Ego4DNLQ(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    assert [(i.key, i.split, i.question, i.spans, i.clip_start_s, i.clip_end_s, i.video_rel) for i in items] == [
        ("ann-clip-a_0", "train", "where did I put the knife?", (Span(0.5, 1.25),), None, None, "v1/clips/clip-a.mp4"),
        ("ann-clip-b_0", "train", "what did I pour in the bowl", (Span(1.0, 1.5),), 0.5, 2.5,
         "v1/full_scale/video-b.mp4"),
    ]
    assert [i.meta["time_base"] for i in items] == ["clip", "video"]
    assert (items[0].video_id, items[1].video_id) == ("clip-a", "video-b")


def test_a_query_without_text_or_with_a_reversed_window_is_a_bad_row(tmp_path: Path, put) -> None:
    bad = [b for b in Ego4DNLQ(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("ann-clip-a_1", "bad_annotation"), ("ann-clip-a_2", "bad_span")]
    assert "no text" in bad[0].message


def test_build_takes_keyframes_inside_the_clip_window_of_the_full_video(tmp_path: Path, put) -> None:
    from vdata.build import build
    from vdata.builders import sample_id
    from vdata.options import BuildOptions
    from vdata.shards import read_table

    out = tmp_path / "out"
    build([f"ego4d-nlq:{_corpus(tmp_path / 'c', put)}"], out, BuildOptions(frames="uniform:4", workers=0))
    rows = {r["id"]: r for r in read_table(out).to_pylist()}
    full = rows[sample_id("ego4d-nlq", "train", "ann-clip-b_0")]
    assert (full["clip_start_s"], full["clip_end_s"]) == (0.5, 2.5)
    assert all(0.5 <= t <= 2.5 for t in full["frame_timestamps_s"])
    assert full["spans"] == [{"start_s": 1.0, "end_s": 1.5}]
    clip = rows[sample_id("ego4d-nlq", "train", "ann-clip-a_0")]
    assert clip["spans"] == [{"start_s": 0.5, "end_s": 1.25}] and clip["clip_start_s"] == 0.0
