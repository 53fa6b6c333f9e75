"""perception-test: per-video JSON with `mc_question` (answer_id) and `object_tracks` (normalised boxes)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.videos import box_at
from vdata.builders import BadRow, Box, Item, Span
from vdata.builders.perception_test import PerceptionTest


def _normalised(index: int) -> list[float]:
    x1, y1, x2, y2 = box_at(index, 160, 120)
    return [x1 / 160, y1 / 120, x2 / 160, y2 / 120]


def _corpus(root: Path, put) -> Path:
    put(root / "videos" / "video_10909.mp4")
    entry = {
        "metadata": {"video_id": "video_10909", "split": "valid", "num_frames": 30, "frame_rate": 10, "resolution": [120, 160]},
        "mc_question": [
            {"id": 0, "question": "Is the camera moving?", "options": ["yes", "no", "I don't know"], "answer_id": 1,
             "area": "physics", "reasoning": "descriptive", "tag": ["motion"]},
            {"id": 1, "question": "Which?", "options": ["a", "b", "c"], "answer_id": 3},
        ],
        "object_tracks": [
            {"id": 7, "label": "magenta box", "bounding_boxes": [_normalised(0), _normalised(10), _normalised(20)],
             "frame_ids": [0, 10, 20], "timestamps": [0, 1000000, 2000000], "initial_tracking_box": [0, 1, 0],
             "is_occluder": False},
        ],
        "action_segments": [
            {"id": 0, "label": "Putting something into something", "label_id": 52, "parent_objects": [7],
             "frame_ids": [20, 25], "timestamps": [2000000, 2500000]},
            {"id": 1, "label": "Putting something into something", "label_id": 52, "parent_objects": [7],
             "frame_ids": [3, 8], "timestamps": [300000, 800000]},
            {"id": 2, "label": "Lifting something", "label_id": 30, "parent_objects": [-1],
             "frame_ids": [10, 14], "timestamps": [1000000, 1400000]},
        ],
        "sound_segments": [
            {"id": 0, "label": "Object hitting a surface", "label_id": 4, "parent_objects": [7], "is_visible": True,
             "frame_ids": [11, 12], "timestamps": [1100000, 1200000]},
        ],
        "grounded_question": [
            {"id": 3, "question": "Which object was put into the cup?", "answers": [7], "area": "memory",
             "reasoning": "descriptive"},
        ],
    }
    (root / "all_valid.json").write_text(json.dumps({"video_10909": entry}))
    (root / "mc_question_valid.json").write_text(json.dumps({"video_10909": {**entry, "object_tracks": []}}))
    return root


def test_answer_id_becomes_letter_and_duplicates_across_files_are_built_once(tmp_path: Path, put) -> None:
    items = [i for i in PerceptionTest(_corpus(tmp_path, put)).items() if isinstance(i, Item)]
    mc = [i for i in items if i.task == "multiple_choice"]
    assert [(i.key, i.split, i.options, i.answer) for i in mc] == [
        ("video_10909#mc0", "valid", ("yes", "no", "I don't know"), "B")
    ]
    assert mc[0].meta["area"] == "physics" and mc[0].video_rel == "videos/video_10909.mp4"


def test_track_boxes_are_normalised_on_their_frame_ids(tmp_path: Path, put) -> None:
    track = next(i for i in PerceptionTest(_corpus(tmp_path, put)).items() if isinstance(i, Item) and i.task == "tracking")
    assert (track.key, track.question, track.box_space) == ("video_10909#track7", "magenta box", (1.0, 1.0))
    assert track.boxes == tuple(Box(*_normalised(f), frame_index=f, label="magenta box") for f in (0, 10, 20))
    assert track.meta["initial_tracking_box"] == 1


def test_answer_id_outside_the_options_is_a_bad_row(tmp_path: Path, put) -> None:
    bad = [b for b in PerceptionTest(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("video_10909#mc1", "bad_annotation")]


def _track_corpus(root: Path, put, boxes: list[list[float]]) -> Path:
    put(root / "videos" / "video_1.mp4")
    entry = {"metadata": {"video_id": "video_1", "split": "valid", "resolution": [120, 160]},
             "object_tracks": [{"id": 1, "label": "cup", "bounding_boxes": boxes,
                                "frame_ids": list(range(len(boxes)))}]}
    (root / "all_valid.json").write_text(json.dumps({"video_1": entry}))
    return root


def test_a_coordinate_slightly_over_1_is_clipped_not_taken_as_pixels(tmp_path: Path, put) -> None:
    boxes = [[0.1, 0.2, 0.5, 0.6], [0.5, 0.5, 1.02, 0.9]]
    [track] = PerceptionTest(_track_corpus(tmp_path, put, boxes)).items()
    assert isinstance(track, Item) and track.box_space == (1.0, 1.0)
    assert [(b.x1, b.y1, b.x2, b.y2) for b in track.boxes] == [(0.1, 0.2, 0.5, 0.6), (0.5, 0.5, 1.0, 0.9)]
    assert track.meta["boxes_clipped"] == 1


def test_a_coordinate_far_outside_0_1_is_a_bad_box_row(tmp_path: Path, put) -> None:
    [bad] = PerceptionTest(_track_corpus(tmp_path, put, [[10.0, 20.0, 80.0, 90.0]])).items()
    assert isinstance(bad, BadRow) and bad.code == "bad_box" and "not normalised" in bad.message


def test_action_and_sound_segments_are_spans_per_label_from_frame_ids(tmp_path: Path, put) -> None:
    items = {i.key: i for i in PerceptionTest(_corpus(tmp_path, put)).items() if isinstance(i, Item)}
    put_into = items["video_10909#action52"]
    assert (put_into.task, put_into.question) == ("temporal_grounding", "Putting something into something")
    assert put_into.spans == (Span(0.3, 0.8), Span(2.0, 2.5))  # frame ids / 10 fps, in time order
    assert put_into.meta["ids"] == [1, 0] and put_into.meta["label_id"] == 52
    assert items["video_10909#action30"].spans == (Span(1.0, 1.4),)
    sound = items["video_10909#sound4"]
    assert (sound.question, sound.spans, sound.meta["is_visible"]) == ("Object hitting a surface",
                                                                       (Span(1.1, 1.2),), [True])


def test_a_grounded_question_is_answered_by_its_objects_track_boxes(tmp_path: Path, put) -> None:
    items = {i.key: i for i in PerceptionTest(_corpus(tmp_path, put)).items() if isinstance(i, Item)}
    grounded = items["video_10909#gq3"]
    assert (grounded.task, grounded.question, grounded.box_space) == (
        "tracking", "Which object was put into the cup?", (1.0, 1.0))
    assert grounded.boxes == items["video_10909#track7"].boxes
    assert grounded.meta == {"answers": [7], "area": "memory", "reasoning": "descriptive"}


def test_segments_without_frame_rate_and_answers_naming_no_track_are_bad_rows(tmp_path: Path, put) -> None:
    put(tmp_path / "videos" / "video_2.mp4")
    entry = {"metadata": {"video_id": "video_2", "split": "train"},
             "action_segments": [{"id": 0, "label": "Lifting something", "label_id": 30, "frame_ids": [1, 2]}],
             "grounded_question": [{"id": 0, "question": "Which?", "answers": [99]}]}
    (tmp_path / "action_localisation_train.json").write_text(json.dumps({"video_2": entry}))
    bad = [b for b in PerceptionTest(tmp_path).items() if isinstance(b, BadRow)]
    assert [(b.key, b.code) for b in bad] == [("video_2#action30", "bad_span"), ("video_2#gq0", "bad_box")]
    assert "frame_rate" in bad[0].message and "99" in bad[1].message


def test_a_test_split_grounded_question_without_answers_has_no_gold(tmp_path: Path, put) -> None:
    put(tmp_path / "videos" / "video_3.mp4")
    entry = {"metadata": {"video_id": "video_3", "split": "test"},
             "grounded_question": [{"id": 0, "question": "Which object moved?", "area": "physics"}]}
    (tmp_path / "grounded_question_test.json").write_text(json.dumps({"video_3": entry}))
    [item] = PerceptionTest(tmp_path).items()
    assert isinstance(item, Item) and (item.key, item.split, item.boxes) == ("video_3#gq0", "test", None)
