"""`vdata curate balance`: caps per source and task, and re-lettered multiple choice whose correct option sits at
every position equally often, with the rewritten gold still scoring 1.0 under the multiple-choice reward."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.curate.helpers import report
from tests.distill.helpers import make_row, write_dataset
from vdata import rewards, tasks
from vdata.curate import STEPS, run_step
from vdata.curate.balance import BalanceOptions, parse_caps
from vdata.errors import ConfigError
from vdata.shards import read_table

OPTIONS = ["a red car", "a blue bus", "a cat", "a green tree"]


def rows() -> list[dict]:
    out = []
    for i in range(12):  # gold always first: A
        out.append(make_row(f"a{i:02d}", "multiple_choice", question="What moves?", options=OPTIONS, answer="A",
                            source="alpha"))
    for i in range(6):  # three options, gold given as the option's text
        out.append(make_row(f"t{i}", "multiple_choice", question="Which?", options=OPTIONS[:3], answer="a cat",
                            source="beta"))
    out.append(make_row("bad", "multiple_choice", question="?", options=["x", "y"], answer="Q", source="beta"))
    out += [make_row(f"n{i}", "numeric", question="How many?", answer="3", source="beta") for i in range(5)]
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("balance") / "built", rows())


def balance(built: Path, out: Path, **options: object):
    return run_step(STEPS.get("balance")(BalanceOptions(**options)), [built], out)


def test_uniform_letters_move_the_correct_option_evenly_and_the_gold_still_scores_one(built, tmp_path):
    result = balance(built, tmp_path / "out", answer_letters="uniform", seed=3)
    before = {r["id"]: r for r in rows()}
    out = {r["id"]: r for r in read_table(tmp_path / "out").to_pylist()}
    four = Counter(out[i]["answer"] for i in out if i.startswith("a"))
    three = Counter(out[i]["answer"] for i in out if i.startswith("t"))
    assert four == {"A": 3, "B": 3, "C": 3, "D": 3} and three == {"A": 2, "B": 2, "C": 2}
    mc = tasks.get("multiple_choice")
    reward = rewards.get("multiple_choice")
    for sample_id, row in out.items():
        if row["task"] != "multiple_choice" or sample_id == "bad":
            continue
        old = before[sample_id]
        assert sorted(row["options"]) == sorted(old["options"])
        assert row["options"][mc.parse(row["answer"], row)] == old["options"][mc.parse(old["answer"], old)]
        assert reward(tasks.format_response("look", mc.target(row)), row) == 1.0
    assert out["bad"]["answer"] == "Q" and out["bad"]["options"] == ["x", "y"]
    reasons = {r["id"]: r["reason"] for r in report(tmp_path / "out", "balance")}
    assert reasons["bad"].startswith("error: the gold answer names none")
    assert result.summary["letters_before"] == {"A": 12, "C": 6}


def test_the_same_seed_gives_the_same_output_and_another_seed_another(built, tmp_path):
    balance(built, tmp_path / "one", answer_letters="uniform", seed=1)
    balance(built, tmp_path / "two", answer_letters="uniform", seed=1)
    balance(built, tmp_path / "three", answer_letters="uniform", seed=2)
    answers = [read_table(tmp_path / d, columns=["answer"]).column("answer").to_pylist() for d in ("one", "two", "three")]
    assert answers[0] == answers[1] != answers[2]


def test_caps_per_source_and_task_keep_at_most_n_and_say_why_the_rest_went(built, tmp_path):
    result = balance(built, tmp_path / "out", max_per=parse_caps("source=8,task=10"))
    kept = read_table(tmp_path / "out", columns=["source", "task"]).to_pylist()
    assert max(Counter(r["source"] for r in kept).values()) <= 8
    assert max(Counter(r["task"] for r in kept).values()) <= 10
    counts = Counter(f"source={r['source']}" for r in kept) + Counter(f"task={r['task']}" for r in kept)
    caps = {"source": 8, "task": 10}
    for r in report(tmp_path / "out", "balance"):  # a sample goes only when one of its counts is at its cap
        if not r["kept"]:
            full = r["reason"].split()[1]
            assert full in (f"source={r['source']}", f"task={r['task']}")
            assert counts[full] == caps[full.split("=")[0]]
    assert sum(result.dropped.values()) == len(rows()) - len(kept) and set(result.dropped) == {"cap"}
    with pytest.raises(ConfigError, match="KEY=N"):
        parse_caps("colour=3")
