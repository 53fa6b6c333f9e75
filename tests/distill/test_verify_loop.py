"""The verification path, driven by the scripted engine: what passes, what is kept, where it is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.distill.helpers import ROWS, think
from vdata.distill import DistillConfig, distill
from vdata.engines import EngineConfig
from vdata.errors import ConfigError
from vdata.shards import read_manifest, read_table

RIGHT = {"mc1": think("B"), "num1": think("3"), "tg1": think("2.0 - 4.0"), "mc2": think("A")}
WRONG = {"mc1": think("C"), "num1": think("7"), "tg1": think("5.0 - 6.0"), "mc2": think("B")}


def rows_by_id(out: Path) -> dict[str, dict]:
    return {r["id"]: r for r in read_table(out).to_pylist()}


def test_best_keeps_the_passing_candidate_with_its_think_part(scripted_config):
    report = distill(scripted_config({i: [WRONG[i], RIGHT[i]] for i in RIGHT}, samples=2))
    rows = rows_by_id(report.out)
    assert sorted(rows) == ["mc1", "mc2", "num1", "tg1"]
    assert rows["mc1"]["cot"] == "the frames at 2.0s and 3.0s show it"
    info = json.loads(rows["mc1"]["meta"])["distill"]
    assert info["response"] == RIGHT["mc1"] and info["candidate"] == 1 and info["passed"] is True
    assert [c["passed"] for c in info["candidates"]] == [False, True]
    assert info["candidates"][1]["rewards"] == {"format": 1.0, "accuracy": 1.0}
    assert json.loads(rows["mc1"]["meta"])["origin"] == "fixture"  # the input meta is kept
    assert report.items == 4 and report.passed == 4 and report.candidates == 8


def test_best_picks_the_highest_reward_among_passing(scripted_config):
    loose = think("1.0 - 4.0")  # IoU 2/3 with the gold 2-4 s
    report = distill(scripted_config({"*": [think("x")], "tg1": [loose, RIGHT["tg1"]]}, samples=2, tasks=("temporal_grounding",)))
    assert json.loads(rows_by_id(report.out)["tg1"]["meta"])["distill"]["candidate"] == 1


def test_all_keeps_every_passing_candidate_under_its_own_id(scripted_config):
    report = distill(scripted_config({"mc1": [RIGHT["mc1"], WRONG["mc1"], RIGHT["mc1"]]}, samples=3, keep="all",
                                     tasks=("multiple_choice",)))
    rows = rows_by_id(report.out)
    assert sorted(rows) == ["mc1-0", "mc1-2"]
    assert json.loads(rows["mc1-2"]["meta"])["distill"]["source_id"] == "mc1"


def test_items_without_a_passing_candidate_are_counted_and_dropped(scripted_config):
    report = distill(scripted_config({**{i: [WRONG[i]] for i in WRONG}, "mc2": [RIGHT["mc2"]]}, samples=2))
    assert sorted(rows_by_id(report.out)) == ["mc2"]
    assert report.per_task == {
        "multiple_choice": {"items": 2, "passed": 1},
        "numeric": {"items": 1, "passed": 0},
        "temporal_grounding": {"items": 1, "passed": 0},
    }
    assert read_manifest(report.out)["distill"]["pass_rate_by_task"]["multiple_choice"] == 0.5


def test_keep_rejected_writes_the_best_failure_to_the_rejected_split(scripted_config):
    report = distill(scripted_config({i: [WRONG[i]] for i in WRONG}, keep_rejected=True, limit=2))
    rows = rows_by_id(report.out)
    assert {r["split"] for r in rows.values()} == {"rejected"}
    info = json.loads(rows["mc1"]["meta"])["distill"]
    assert info["passed"] is False and info["split"] == "train" and info["response"] == WRONG["mc1"]
    assert (report.out / "data" / "rejected-00000-of-00001.parquet").exists()


def test_per_task_threshold_overrides_the_default(tmp_path, scripted_config):
    loose = think("1.0 - 4.0")  # temporal IoU 2/3: passes the default 0.6, fails 0.8
    script = {"mc1": [RIGHT["mc1"]], "tg1": [loose]}
    options = {"verify": (("accuracy", 1.0),), "tasks": ("multiple_choice", "temporal_grounding")}
    default = distill(scripted_config(script, out=tmp_path / "default", **options))
    strict = distill(scripted_config(script, out=tmp_path / "strict", task_thresholds={"temporal_grounding": 0.8},
                                     **options))
    assert sorted(rows_by_id(default.out)) == ["mc1", "tg1"]
    assert sorted(rows_by_id(strict.out)) == ["mc1"]


def test_weighted_verify_is_a_weighted_mean(scripted_config):
    no_format = "<answer>B</answer>"  # accuracy 1, format 0
    report = distill(scripted_config({"mc1": [no_format]}, limit=1, verify=(("format", 1.0), ("accuracy", 4.0))))
    assert report.passed == 1  # 0.8 >= 0.6
    again = distill(scripted_config({"mc1": [no_format]}, limit=1, verify=(("format", 1.0), ("accuracy", 1.0)),
                                    out=report.out.with_name("out-b")))
    assert again.passed == 0  # 0.5 < 0.6


def test_manifest_records_teacher_sampling_and_template_hash(scripted_config):
    config = scripted_config({"*": [think("B")]}, samples=3, limit=2)
    report = distill(config)
    manifest = read_manifest(report.out)
    assert manifest["distill"]["teacher"] == config.engine.model
    assert manifest["distill"]["sampling"] == {"temperature": 0.7, "top_p": 0.95, "max_new_tokens": 1024, "seed": 0}
    assert len(manifest["distill"]["template_hash"]) == 16
    assert manifest["counts"]["rows"] == report.rows == 1  # only mc1 answers B
    assert manifest["source"]["build"] == {"fingerprint": {"fixture": True}}


def test_rerun_of_a_finished_run_is_a_noop_and_other_options_are_refused(scripted_config):
    config = scripted_config({"*": [think("B")]}, limit=1)
    first = distill(config)
    again = distill(config)
    assert again.already_done and again.items == first.items == 1
    with pytest.raises(ConfigError, match="other options"):
        distill(DistillConfig(**{**config.__dict__, "samples": 2}))


def test_template_override_changes_prompt_and_hash(tmp_path, scripted_config):
    template = tmp_path / "mc.txt"
    template.write_text("# mine\nPick one: $question\n$options\n", encoding="utf-8")
    base = scripted_config({"*": [think("B")]}, limit=1)
    custom = scripted_config({"*": [think("B")]}, limit=1, prompt_templates=(("multiple_choice", str(template)),))
    from vdata.engines import Templates

    prompt = Templates(custom.engine.prompt_templates).prompt(ROWS[0])
    assert prompt.text == "Pick one: What moves?\nA. a car\nB. a bus\nC. a cat"
    assert Templates(custom.engine.prompt_templates).digest != Templates(base.engine.prompt_templates).digest


def test_bad_options_fail_before_any_work(tmp_path, dataset):
    with pytest.raises(ConfigError, match="unknown reward"):
        distill(DistillConfig(input=dataset, out=tmp_path / "o", engine=EngineConfig("x", "scripted"),
                              verify=(("no_such_reward", 1.0),)))
    bad = tmp_path / "bad.txt"
    bad.write_text("$nope", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad placeholder"):
        distill(DistillConfig(input=dataset, out=tmp_path / "o",
                              engine=EngineConfig("x", "scripted", prompt_templates=(("*", str(bad)),))))
    assert not (tmp_path / "o").exists()
