"""vidstg: sentence records (frame ids, exclusive end) + VidOR trajectories -> spatiotemporal_grounding items."""

from __future__ import annotations

import json
from pathlib import Path

from tests.videos import box_at
from vdata.builders import BadRow, Box, Item, Span
from vdata.builders.vidstg import VidSTG


def _bbox(index: int) -> dict[str, int]:
    x1, y1, x2, y2 = box_at(index, 160, 120)
    return {"xmin": x1, "ymin": y1, "xmax": x2, "ymax": y2}


def _corpus(root: Path, put) -> Path:
    put(root / "video" / "0000" / "5159741010.mp4")
    vidor = root / "annotation" / "training" / "0000"
    vidor.mkdir(parents=True)
    (vidor / "5159741010.json").write_text(
        json.dumps(
            {
                "video_id": "5159741010",
                "video_path": "0000/5159741010.mp4",
                "trajectories": [
                    [{"tid": 0, "bbox": _bbox(i), "generated": 0}, {"tid": 1, "bbox": {"xmin": 1, "ymin": 1, "xmax": 5, "ymax": 5}}]
                    for i in range(30)
                ],
            }
        )
    )
    record = {
        "vid": "5159741010",
        "fps": 10,
        "frame_count": 30,
        "width": 160,
        "height": 120,
        "subject/objects": [{"tid": 0, "category": "adult"}, {"tid": 1, "category": "ball"}],
        "used_segment": {"begin_fid": 0, "end_fid": 30},
        "used_relation": {"subject_tid": 0, "object_tid": 1, "predicate": "watch", "begin_fid": 12, "end_fid": 15},
        "temporal_gt": {"begin_fid": 12, "end_fid": 15},
        "captions": [{"description": "an adult watches a ball.", "type": "person", "target_id": 0}],
        "questions": [{"description": "what does the adult watch?", "type": "object", "target_id": 1}],
    }
    (root / "val_annotations.json").write_text(json.dumps([record, {**record, "vid": "999"}]))
    return root


def test_frame_ids_become_seconds_with_exclusive_end_and_target_boxes(tmp_path: Path, put) -> None:
    items = [i for i in VidSTG(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    caption, question = items
    assert (caption.key, caption.split, caption.question) == ("5159741010#0-30#0-watch-1@12-15#caption0", "val", "an adult watches a ball.")
    assert caption.video_rel == "video/0000/5159741010.mp4"
    assert caption.spans == (Span(1.2, 1.5),)
    assert (caption.clip_start_s, caption.clip_end_s) == (0.0, 3.0)
    assert caption.box_space == (160.0, 120.0)
    assert caption.boxes == tuple(Box(*map(float, box_at(f, 160, 120)), frame_index=f, label="adult") for f in (12, 13, 14))
    assert question.key == "5159741010#0-30#0-watch-1@12-15#question0"
    assert question.boxes == tuple(Box(1.0, 1.0, 5.0, 5.0, frame_index=f, label="ball") for f in (12, 13, 14))


def test_record_without_vidor_annotation_is_a_bad_row(tmp_path: Path, put) -> None:
    bad = [b for b in VidSTG(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("999@1", "bad_annotation")]
    assert "no VidOR annotation" in bad[0].message


def test_two_records_of_one_segment_with_other_relations_get_distinct_keys(tmp_path: Path, put) -> None:
    root = _corpus(tmp_path, put)
    (record, _) = json.loads((root / "val_annotations.json").read_text())
    other = {**record, "used_relation": {**record["used_relation"], "predicate": "kick"}}
    (root / "val_annotations.json").write_text(json.dumps([record, other]))
    keys = [i.key for i in VidSTG(root).items() if isinstance(i, Item)]
    assert len(keys) == 4 and len(set(keys)) == 4
