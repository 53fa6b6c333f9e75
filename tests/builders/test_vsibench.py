"""vsibench: `test.jsonl` rows over `<dataset>/<scene_name>.mp4` -> multiple_choice and regression items."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item
from vdata.builders.vsibench import VSIBench


def _q(id: int, qtype: str, gt: str, options=None) -> dict:
    return {"id": id, "dataset": "arkitscenes", "scene_name": "41069025", "question_type": qtype,
            "question": "If I am standing by the stove and facing the sofa, is the tv to my left or right?",
            "options": options, "ground_truth": gt}


def _corpus(root: Path, put) -> Path:
    put(root / "arkitscenes" / "41069025.mp4")
    rows = [_q(1, "object_rel_direction_easy", "B", ["A. left", "B. right"]),
            _q(2, "room_size_estimation", "30.9"),
            _q(3, "object_counting", "many"),
            _q(4, "route_planning", "E", ["A. go forward", "B. turn left"]),
            _q(5, "camera_motion", "A", ["A. x"])]
    (root / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def test_choice_types_are_multiple_choice_and_numerical_ones_regression(tmp_path: Path, put) -> None:
    out = {o.key: o for o in VSIBench(_corpus(tmp_path, put)).items()}
    mc, na = out["1"], out["2"]
    assert isinstance(mc, Item) and isinstance(na, Item)
    assert (mc.task, mc.split, mc.options, mc.answer) == ("multiple_choice", "test", ("left", "right"), "B")
    assert mc.meta == {"question_type": "object_rel_direction_easy", "dataset": "arkitscenes",
                       "scene_name": "41069025"}
    assert (na.task, na.answer, na.options, na.meta["question_type"]) == ("regression", "30.9", None, "room_size_estimation")
    assert na.video_rel == "arkitscenes/41069025.mp4" and na.video_id == "41069025"


def test_a_non_number_an_unknown_letter_and_an_unknown_type_are_bad_rows(tmp_path: Path, put) -> None:
    out = {o.key: o for o in VSIBench(_corpus(tmp_path, put)).items()}
    bad = {k: o.message for k, o in out.items() if isinstance(o, BadRow)}
    assert sorted(bad) == ["3", "4", "5"]
    assert "'many'" in bad["3"] and "'E'" in bad["4"] and "camera_motion" in bad["5"]
    assert out["3"].source_file.endswith("test.jsonl#2")
