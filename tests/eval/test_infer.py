"""`vdata infer` with deterministic engines: majority vote, best-of-N, adaptive frames, resume, eval round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.distill.helpers import ROWS, think, write_dataset, write_script
from vdata.engines import Engine, EngineConfig, Sampling
from vdata.errors import ConfigError
from vdata.eval import evaluate
from vdata.infer import InferConfig, get_strategy, infer, similarity

MC = {"task": "multiple_choice", "options": ["x", "y", "z"]}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "built", ROWS)


def run(tmp_path: Path, data: Path, completions: dict[str, list[str]], sampling: Sampling | None = None,
        **options) -> list[dict]:
    script = write_script(tmp_path / "script.json", completions)
    out = tmp_path / "preds.jsonl"
    engine = EngineConfig(script, "scripted", sampling=sampling or Sampling(temperature=0.0))
    infer(InferConfig(data=data, out=out, engine=engine, **options))
    return [json.loads(line) for line in out.read_text().splitlines()]


# ------------------------------------------------------------------------------------------------ strategies
def test_majority_picks_the_most_voted_option():
    sel = get_strategy("majority").select(["<answer>A</answer>", "<answer>C</answer>", "<answer>(c)</answer>"], MC)
    assert (sel.index, sel.votes, sel.agreement) == (1, {"C": 2, "A": 1}, 0.5)


def test_majority_on_spans_picks_the_medoid():
    # (0, 10) overlaps both others (IoU 0.8 and 0.5); (0, 8) and (0, 5): 0.8 + 0.625, 0.5 + 0.625
    texts = ["<answer>0 to 10</answer>", "<answer>0 to 8</answer>", "<answer>0 to 5</answer>"]
    sel = get_strategy("majority").select(texts, {"task": "temporal_grounding"})
    assert sel.index == 1 and sel.agreement == pytest.approx((0.8 + 0.625) / 2) and sel.votes is None


def test_majority_ignores_unparseable_candidates():
    sel = get_strategy("majority").select(["no idea", "<answer>3</answer>"], {"task": "numeric"})
    assert sel.index == 1 and sel.votes == {"(unparsed)": 1, "3": 1}


def test_similarity_of_grounded_answers_needs_the_same_option():
    assert similarity((0, (0.0, 4.0)), (1, (0.0, 4.0)), "grounded_qa") == 0.0
    assert similarity((0, (0.0, 4.0)), (0, (0.0, 2.0)), "grounded_qa") == 0.5


def test_best_of_n_scores_with_the_format_verifier():
    sel = get_strategy("best", verifiers=(("format", 1.0),)).select(["<answer>A</answer>", think("C")], MC)
    assert sel.index == 1 and sel.scores == [0.0, 1.0]


def test_best_of_n_refuses_verifiers_that_read_the_ground_truth():
    with pytest.raises(ConfigError, match="reads the ground truth"):
        get_strategy("best", verifiers=(("temporal_iou", 1.0),))
    with pytest.raises(ConfigError, match="reads the ground truth"):
        get_strategy("best", verifiers=(("accuracy", 1.0),))


def test_unknown_strategy_lists_the_known_ones():
    with pytest.raises(ConfigError, match="known: best, majority"):
        get_strategy("vote")


# ------------------------------------------------------------------------------------------------ the run
def test_majority_run_records_candidates_votes_and_frames(tmp_path, data):
    records = run(tmp_path, data, {"mc1": ["<answer>A</answer>", "<answer>B</answer>", "<answer>B</answer>"],
                                   "*": ["<answer>3</answer>"]}, n=3)
    mc1 = next(r for r in records if r["id"] == "mc1")
    assert mc1["response"] == "<answer>B</answer>" and mc1["votes"] == {"B": 2, "A": 1}
    assert len(mc1["candidates"]) == 3 and mc1["frames_used"] == 6 and len(mc1["rounds"]) == 1
    assert [r["id"] for r in records] == [r["id"] for r in ROWS]


def test_best_run_keeps_the_verified_candidate(tmp_path, data):
    records = run(tmp_path, data, {"*": ["<answer>A</answer>", think("B")]}, n=2, select="best",
                  verifier="format,parses")
    assert all(r["selected"] == 1 for r in records)
    mc1 = next(r for r in records if r["id"] == "mc1")
    assert mc1["scores"] == [0.5, 1.0]  # (format 0 + parses 1) / 2, (1 + 1) / 2


def test_adaptive_doubles_frames_until_the_candidates_agree_or_the_cap(tmp_path, data):
    records = run(tmp_path, data, {"tg1": ["<answer>0 to 1</answer>", "<answer>4 to 5</answer>"],
                                   "*": ["<answer>B</answer>"]}, n=2, adaptive=True, min_frames=2)
    by_id = {r["id"]: r for r in records}
    assert [r["frames"] for r in by_id["tg1"]["rounds"]] == [2, 4, 6]  # never agree: up to all 6 stored
    assert by_id["mc1"]["frames_used"] == 2 and by_id["mc1"]["frame_timestamps_s"] == [0.0, 5.0]


class FrameCountEngine(Engine):
    """Answers B with 4 or more frames; with fewer, A and B alternate across candidates (they disagree)."""

    def __init__(self) -> None:
        self.frames_seen: list[int] = []

    def generate(self, prompts, n, sampling):
        self.frames_seen.extend(len(p.frames) for p in prompts)
        return [[f"<answer>{'B' if len(p.frames) >= 4 or k % 2 else 'A'}</answer>" for k in range(n)]
                for p in prompts]


def test_adaptive_stops_at_the_first_frame_count_that_agrees(tmp_path, data):
    engine = FrameCountEngine()
    config = InferConfig(data=data, out=tmp_path / "p.jsonl", engine=EngineConfig("unused", "scripted"), n=2,
                         adaptive=True, min_frames=2, tasks=("multiple_choice",), limit=1)
    report = infer(config, engine=engine)
    record = json.loads(config.out.read_text())
    assert engine.frames_seen == [2, 4]
    assert record["frames_used"] == 4 and record["frame_timestamps_s"] == [0.0, 2.0, 3.0, 5.0]
    assert record["agreement"] == 1.0 and report.calls == 2 and report.stopped_early == 1


def test_a_second_run_resumes_without_asking_again(tmp_path, data):
    script = write_script(tmp_path / "s.json", {"*": ["<answer>B</answer>"]}, log=str(tmp_path / "asked.txt"))
    config = InferConfig(data=data, out=tmp_path / "p.jsonl", engine=EngineConfig(script, "scripted"))
    assert infer(config).items == 4
    again = infer(config)
    assert (again.items, again.resumed) == (0, 4)
    assert len((tmp_path / "asked.txt").read_text().splitlines()) == 4


def test_predictions_round_trip_through_eval(tmp_path, data):
    run(tmp_path, data, {"mc1": ["<answer>B</answer>"], "mc2": ["<answer>A</answer>"], "num1": ["<answer>3</answer>"],
                         "tg1": ["<answer>2 to 4</answer>"]}, sampling=Sampling(temperature=0.0))
    tasks = evaluate(data, tmp_path / "preds.jsonl").summary()["tasks"]
    assert tasks["multiple_choice"]["metrics"]["accuracy"] == 1.0
    assert tasks["temporal_grounding"]["metrics"]["mIoU"] == 1.0


def test_bad_options_fail_before_any_model_loads(tmp_path):
    with pytest.raises(ConfigError, match="--max-frames must be >= --min-frames"):
        InferConfig(data=tmp_path, out=tmp_path / "p.jsonl", engine=EngineConfig("m"), min_frames=8, max_frames=4)


def test_a_rerun_with_another_model_or_options_is_refused_and_asks_nothing(tmp_path, data):
    log = tmp_path / "asked.txt"
    script = write_script(tmp_path / "s.json", {"*": ["<answer>B</answer>"]}, log=str(log))
    other = write_script(tmp_path / "other.json", {"*": ["<answer>C</answer>"]}, log=str(log))
    out = tmp_path / "p.jsonl"
    assert infer(InferConfig(data=data, out=out, engine=EngineConfig(script, "scripted"), limit=2)).items == 2
    assert json.loads((tmp_path / "p.jsonl.vdata.json").read_text())["model"] == script
    with pytest.raises(ConfigError, match=r"p.jsonl already holds predictions .* \(differing: model;"):
        infer(InferConfig(data=data, out=out, engine=EngineConfig(other, "scripted")))
    with pytest.raises(ConfigError, match=r"other options \(differing: n, sampling;"):
        infer(InferConfig(data=data, out=out, n=3, engine=EngineConfig(script, "scripted", sampling=Sampling(seed=1))))
    assert len(log.read_text().splitlines()) == 2
    more = infer(InferConfig(data=data, out=out, engine=EngineConfig(script, "scripted")))  # a larger limit adds
    assert (more.items, more.resumed) == (2, 2)


def test_predictions_without_their_options_file_are_not_appended_to(tmp_path, data):
    out = tmp_path / "p.jsonl"
    out.write_text(json.dumps({"id": "x", "response": "<answer>A</answer>"}) + "\n")
    script = write_script(tmp_path / "s.json", {"*": ["<answer>B</answer>"]})
    with pytest.raises(ConfigError, match=r"no readable p.jsonl.vdata.json"):
        infer(InferConfig(data=data, out=out, engine=EngineConfig(script, "scripted")))


def test_cli_infer_into_predictions_of_another_model_is_one_line_and_exit_1(tmp_path, data):
    from typer.testing import CliRunner

    from vdata.cli import app

    out = tmp_path / "p.jsonl"
    for name, answer in (("a", "B"), ("b", "C")):
        script = write_script(tmp_path / f"{name}.json", {"*": [f"<answer>{answer}</answer>"]})
        result = CliRunner().invoke(app, ["infer", "--data", str(data), "--model", script, "--engine", "scripted",
                                          "--out", str(out)])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {out} already holds predictions made with other options (differing: model;")


# ------------------------------------------------------------------------------------------------ progress
def test_progress_counts_the_items_this_run_answers(tmp_path, data):
    script = write_script(tmp_path / "s.json", {"*": ["<answer>B</answer>"]})
    out, calls = tmp_path / "p.jsonl", []
    engine = EngineConfig(script, "scripted", batch_size=2)
    infer(InferConfig(data=data, out=out, engine=engine, limit=3), on_progress=lambda *a: calls.append(a))
    assert calls == [(2, 3), (3, 3)]
    calls.clear()
    infer(InferConfig(data=data, out=out, engine=engine), on_progress=lambda *a: calls.append(a))
    assert calls == [(len(ROWS) - 3, len(ROWS) - 3)]  # the 3 already answered are not counted


def _cli_infer(tmp_path, data, *flags):
    from typer.testing import CliRunner

    from vdata.cli import app

    script = write_script(tmp_path / "s.json", {"*": ["<answer>B</answer>"]})
    return CliRunner().invoke(app, ["infer", "--data", str(data), "--model", script, "--engine", "scripted",
                                    "--out", str(tmp_path / "p.jsonl"), *flags])


def test_cli_infer_shows_a_progress_bar_on_a_terminal(tmp_path, data, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich treats the captured stderr as a terminal
    result = _cli_infer(tmp_path, data)
    assert result.exit_code == 0, result.output
    assert "answering" in result.stderr and f"{len(ROWS)}/{len(ROWS)}" in result.stderr
    assert "answering" not in result.stdout


def test_cli_infer_json_is_only_json_even_on_a_terminal(tmp_path, data, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    result = _cli_infer(tmp_path, data, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["items"] == len(ROWS)
    assert result.stderr == ""
