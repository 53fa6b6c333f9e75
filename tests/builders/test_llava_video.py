"""llava-video: LLaVA conversation JSON -> one sample per QA turn, task from the file name."""

from __future__ import annotations

import json
from pathlib import Path

from vdata.builders import BadRow, Item
from vdata.builders.llava_video import LLaVAVideo


def _corpus(root: Path, put) -> Path:
    subset = root / "0_30_s_academic_v0_1"
    put(subset / "academic_source" / "youcook2" / "v1.mp4")
    oe = [
        {"id": "v1", "video": "academic_source/youcook2/v1.mp4", "data_source": "0_30_s_academic_v0_1",
         "conversations": [
             {"from": "human", "value": "<image>\nWhat is cooked?"}, {"from": "gpt", "value": "Noodles."},
             {"from": "human", "value": "With what?"}, {"from": "gpt", "value": "A wok."},
         ]},
        {"id": "v2", "video": "academic_source/youcook2/v1.mp4", "conversations": [{"from": "human", "value": "<image>\nHi"}]},
    ]
    mc = [
        {"id": "v1", "video": "academic_source/youcook2/v1.mp4", "conversations": [
            {"from": "human", "value": "<image>\nWhat is added first?\nA. Salt\nB. Oil\nC. Water\n"
                                       "Answer with the option's letter from the given choices directly."},
            {"from": "gpt", "value": "B."},
        ]},
        {"id": "v1", "video": "academic_source/youcook2/v1.mp4", "conversations": [
            {"from": "human", "value": "<image>\nWhich?\nA. x\nB. y"}, {"from": "gpt", "value": "E"},
        ]},
    ]
    (subset / "0_30_s_academic_oe_v0_1_qa_processed.json").write_text(json.dumps(oe))
    (subset / "0_30_s_academic_mc_v0_1_qa_processed.json").write_text(json.dumps(mc))
    return root


def test_multi_turn_open_ended_gives_one_free_form_sample_per_turn(tmp_path: Path, put) -> None:
    items = [i for i in LLaVAVideo(_corpus(tmp_path, put)).items() if isinstance(i, Item) and i.task == "free_form"]
    assert [(i.key, i.question, i.answer) for i in items] == [
        ("0_30_s_academic_oe_v0_1_qa_processed:v1#0", "What is cooked?", "Noodles."),
        ("0_30_s_academic_oe_v0_1_qa_processed:v1#1", "With what?", "A wok."),
    ]
    assert items[0].video_rel == "0_30_s_academic_v0_1/academic_source/youcook2/v1.mp4"
    assert items[0].meta["data_source"] == "0_30_s_academic_v0_1"


def test_multiple_choice_prompt_is_split_into_question_options_and_letter(tmp_path: Path, put) -> None:
    item = next(i for i in LLaVAVideo(_corpus(tmp_path, put)).items() if isinstance(i, Item) and i.task == "multiple_choice")
    assert (item.key, item.question, item.options, item.answer) == (
        "0_30_s_academic_mc_v0_1_qa_processed:v1#0", "What is added first?", ("Salt", "Oil", "Water"), "B"
    )
    assert item.meta["instruction"] == "Answer with the option's letter from the given choices directly."


def test_unreadable_answer_letter_and_missing_reply_are_bad_rows(tmp_path: Path, put) -> None:
    bad = [b for b in LLaVAVideo(_corpus(tmp_path, put)).items() if isinstance(b, BadRow)]
    assert sorted((b.key, b.code) for b in bad) == [
        ("0_30_s_academic_mc_v0_1_qa_processed:v1@1#0", "bad_annotation"),
        ("0_30_s_academic_oe_v0_1_qa_processed:v2", "bad_annotation"),
    ]
