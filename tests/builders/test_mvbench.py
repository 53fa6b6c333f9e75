"""mvbench: `json/<task>.json` with candidate-text answers, per-task video folders and start/end windows."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from vdata.builders import BadRow, Item
from vdata.builders.mvbench import MVBench


def _corpus(root: Path, put) -> Path:
    put(root / "video" / "star" / "Charades_v1_480" / "6H78U.mp4")
    put(root / "video" / "clevrer" / "video_validation" / "video_10000.mp4")
    (root / "json").mkdir(parents=True)
    (root / "json" / "action_sequence.json").write_text(json.dumps([
        {"video": "6H78U.mp4", "question": "What did the person do first?", "start": 0.5, "end": 2.5,
         "candidates": ["Took the towel.", "Sat on the bed."], "answer": "Sat on the bed."},
        {"video": "6H78U.mp4", "question": "What next?", "start": 2.0, "end": 1.0,
         "candidates": ["a", "b"], "answer": "a"},
    ]))
    (root / "json" / "moving_count.json").write_text(json.dumps([
        {"video": "video_10000.mp4", "question": "How many moving spheres?", "start": 1, "end": 2,
         "candidates": ["0", "1", "2"], "answer": "2"},
        {"video": "video_10000.mp4", "question": "How many cubes?", "candidates": ["0", "1"], "answer": "3"},
    ]))
    frames = root / "video" / "tvqa" / "frames_fps3_hq" / "s01e02_seg02_clip_00"
    frames.mkdir(parents=True)
    for k in range(1, 13):  # 4 s at 3 fps, 1-based file names as in the release
        Image.new("RGB", (64, 48), (20 * k, 0, 0)).save(frames / f"{k:05d}.jpg")
    (root / "json" / "episodic_reasoning.json").write_text(json.dumps([
        {"video": "s01e02_seg02_clip_00", "question": "Why?", "start": 1, "end": 4,
         "candidates": ["x", "y"], "answer": "y"},
    ]))
    return root


def test_the_answer_text_becomes_a_letter_and_windowed_tasks_keep_their_clip(tmp_path: Path, put) -> None:
    out = {o.key: o for o in MVBench(_corpus(tmp_path, put)).items()}
    seq = out["action_sequence/0"]
    assert isinstance(seq, Item)
    assert (seq.task, seq.split, seq.answer, seq.options) == ("multiple_choice", "test", "B",
                                                             ("Took the towel.", "Sat on the bed."))
    assert (seq.clip_start_s, seq.clip_end_s) == (0.5, 2.5)
    assert seq.video_rel == "video/star/Charades_v1_480/6H78U.mp4" and seq.video_id == "6H78U"
    assert seq.meta == {"task_type": "Action Sequence", "task_file": "action_sequence"}
    count = out["moving_count/0"]
    assert isinstance(count, Item) and count.answer == "C"
    assert (count.clip_start_s, count.clip_end_s) == (None, None)  # not a window task: start/end ignored
    assert count.video_rel == "video/clevrer/video_validation/video_10000.mp4"


def test_episodic_reasoning_reads_its_tvqa_frame_folder_at_3_fps(tmp_path: Path, put) -> None:
    item = {o.key: o for o in MVBench(_corpus(tmp_path, put)).items()}["episodic_reasoning/0"]
    assert isinstance(item, Item) and item.answer == "B"
    assert item.video_rel == "video/tvqa/frames_fps3_hq/s01e02_seg02_clip_00" and item.video.is_dir()
    assert item.meta["frames_fps"] == 3.0 and (item.clip_start_s, item.clip_end_s) == (1.0, 4.0)


def test_bad_window_and_unknown_answer_are_error_rows(tmp_path: Path, put) -> None:
    out = {o.key: o for o in MVBench(_corpus(tmp_path, put)).items()}
    bad = {k: (o.code, o.message) for k, o in out.items() if isinstance(o, BadRow)}
    assert sorted(bad) == ["action_sequence/1", "moving_count/1"]
    assert bad["action_sequence/1"][0] == "bad_span"
    assert bad["moving_count/1"][0] == "bad_annotation" and "'3' is none of the candidates" in bad["moving_count/1"][1]
    assert out["moving_count/1"].source_file.endswith("moving_count.json#1")
