"""tempcompass: `questions/<task type>.json` by video and dimension -> multiple_choice and free_form items."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item
from vdata.builders.tempcompass import TempCompass

CAPTIONS = "Which caption matches the video better?\nCaption A: The man dunks.\nCaption B: The man dribbles."


def _corpus(root: Path, put) -> Path:
    put(root / "videos" / "1034419625.mp4")
    (root / "questions").mkdir(parents=True)
    (root / "questions" / "multi-choice.json").write_text(json.dumps({"1034419625": {
        "action": [{"question": "What is the man doing?\nA. dunking a basketball\nB. dribbling a basketball",
                    "answer": "B. dribbling a basketball"},
                   {"question": "What is the man doing?\nA. dunking\nB. passing", "answer": "C. running"}]}}))
    (root / "questions" / "yes_no.json").write_text(json.dumps({"1034419625": {
        "direction": [{"question": "Is the man moving from left to right?", "answer": "yes"},
                      {"question": "Is he fast?", "answer": "maybe"}]}}))
    (root / "questions" / "caption_matching.json").write_text(json.dumps({"1034419625": {
        "action": [{"question": CAPTIONS, "answer": "Caption A: The man dunks."}]}}))
    (root / "questions" / "captioning.json").write_text(json.dumps({"1034419625": {"action": [{"question": "?"}]}}))
    (root / "meta_info.json").write_text(json.dumps({"1034419625": {"eval_dim": {
        "action": {"type": "fine-grained action"}, "direction": {"type": "object motion"}}}}))
    return root


def test_each_task_type_keeps_its_answer_format_and_dimensions(tmp_path: Path, put) -> None:
    out = {o.key: o for o in TempCompass(_corpus(tmp_path, put)).items()}
    mc = out["multi-choice/1034419625/action/0"]
    assert isinstance(mc, Item)
    assert (mc.task, mc.split, mc.question, mc.answer) == ("multiple_choice", "test", "What is the man doing?", "B")
    assert mc.options == ("dunking a basketball", "dribbling a basketball")
    assert mc.meta == {"task_type": "multi-choice", "dimension": "action", "fine_dimension": "fine-grained action"}
    yn = out["yes_no/1034419625/direction/0"]
    assert (yn.task, yn.answer, yn.options, yn.meta["fine_dimension"]) == ("free_form", "yes", None, "object motion")
    cm = out["caption_matching/1034419625/action/0"]
    assert (cm.task, cm.question, cm.answer) == ("free_form", CAPTIONS, "Caption A: The man dunks.")
    assert cm.video_rel == "videos/1034419625.mp4"
    assert not any(k.startswith("captioning") for k in out)  # LLM-judged: not read


def test_answers_outside_the_format_are_bad_rows(tmp_path: Path, put) -> None:
    bad = {o.key: o for o in TempCompass(_corpus(tmp_path, put)).items() if isinstance(o, BadRow)}
    assert sorted(bad) == ["multi-choice/1034419625/action/1", "yes_no/1034419625/direction/1"]
    assert "'C. running'" in bad["multi-choice/1034419625/action/1"].message
    assert "'maybe'" in bad["yes_no/1034419625/direction/1"].message
