"""Trainer adapters: TRL, verl, EasyR1, OpenRLHF and the HTTP server share the same rewards."""

import json
import pickle
import sys

import pytest

from vdata.rewards import easyr1, openrlhf, trl, verl

MC = {"task": "multiple_choice", "answer": "B", "options": ["x", "y"]}
GOOD = "<think>x</think><answer>B</answer>"


def test_trl_functions_have_trl_signature_and_names():
    funcs = trl.reward_funcs(["format", "accuracy"])
    assert [f.__name__ for f in funcs] == ["format", "accuracy"]
    out = funcs[1](
        prompts=["p", "p"],
        completions=[GOOD, "<answer>3</answer>"],
        task=["multiple_choice", "numeric"],
        answer=["B", "3.0"],
        options=[["x", "y"], None],
        trainer_state=None,
    )
    assert out == [1.0, 1.0]


def test_trl_accepts_conversational_completions_and_reasoning_content():
    fn = trl.reward_funcs(["format"])[0]
    conversational = [
        [
            {
                "role": "assistant",
                "content": [{"type": "text", "text": "<answer>B</answer>"}],
                "reasoning_content": "thinking",
            }
        ]
    ]
    assert fn(prompts=["p"], completions=conversational) == [1.0]


def test_trl_returns_none_where_not_applicable():
    fn = trl.reward_funcs(["temporal_iou"])[0]
    assert fn(prompts=["p"], completions=[GOOD], task=["multiple_choice"], answer=["B"]) == [None]


def test_trl_fills_completion_tokens_from_ids():
    fn = trl.reward_funcs(["length"], max_length=10, buffer=5)[0]
    assert fn(prompts=["p"], completions=["x"], completion_ids=[list(range(10))]) == [-1.0]


def test_trl_logs_diagnostics_only_when_given_the_callables_and_asked():
    calls = []
    kwargs = {"prompts": ["p"], "completions": ["<answer>A</answer>"], "task": ["multiple_choice"],
              "answer": ["B"], "options": [["x", "y"]]}
    assert trl.reward_funcs(["accuracy"])[0](**kwargs) == [0.0]  # TRL < 1.0 passes no log_extra / log_metric
    quiet = trl.reward_funcs(["accuracy"], diagnostics=False)[0]
    assert quiet(**kwargs, log_extra=lambda *a: calls.append(a), log_metric=lambda *a: calls.append(a)) == [0.0]
    assert calls == []
    loud = trl.reward_funcs(["accuracy"])[0]
    assert loud(**kwargs, log_extra=lambda *a: calls.append(a), log_metric=lambda *a: calls.append(a)) == [0.0]
    assert calls == [("accuracy/parsed", ["A"]), ("accuracy/error", ["named A, gold is B"]),
                     ("rewards/accuracy/unparsed_ratio", 0.0)]


def test_trl_functions_pickle():
    fn = trl.reward_funcs(["accuracy"])[0]
    assert pickle.loads(pickle.dumps(fn)).__name__ == "accuracy"


def test_verl_single_takes_json_ground_truth():
    assert verl.compute_score("x", GOOD, json.dumps(MC)) == {"score": 5.0, "accuracy": 1.0, "format": 1.0}


def test_verl_reads_missing_fields_from_extra_info():
    out = verl.compute_score("x", GOOD, "B", extra_info={"task": "multiple_choice"}, rewards=["accuracy"])
    assert out == {"score": 1.0, "accuracy": 1.0}


def test_verl_batch_with_plural_arguments_and_weights():
    out = verl.compute_score(
        data_sources=["a", "b"],
        solution_strs=[GOOD, "no"],
        ground_truths=[MC, MC],
        extra_infos=[None, None],
        weights=[0.9, 0.1],
    )
    assert [round(o["score"], 6) for o in out] == [1.0, 0.0]


def test_easyr1_batch_returns_overall():
    assert easyr1.REWARD_TYPE == "batch"
    out = easyr1.compute_score([{"response": GOOD, "response_length": 5, "ground_truth": json.dumps(MC)}])
    assert out == [{"overall": 5.0, "accuracy": 1.0, "format": 1.0}]


def test_openrlhf_strips_the_prompt_prefix(monkeypatch):
    monkeypatch.delitem(sys.modules, "torch", raising=False)  # lists when the caller has not imported torch
    out = openrlhf.reward_func(["PROMPT B " + GOOD], ["PROMPT B "], [MC])
    assert out["rewards"] == [5.0] and out["extra_logs"]["accuracy"] == [1.0]


def test_openrlhf_returns_tensors_when_the_trainer_has_torch():
    torch = pytest.importorskip("torch")
    out = openrlhf.reward_func(["PROMPT B " + GOOD], ["PROMPT B "], [MC])
    assert isinstance(out["rewards"], torch.Tensor) and out["rewards"].tolist() == [5.0]
    assert out["extra_logs"]["accuracy"].tolist() == [1.0]


@pytest.fixture
def client():
    from fastapi.testclient import TestClient

    from vdata.rewards.server import create_app

    return TestClient(create_app(["accuracy", "format"]))


def test_server_scores_a_batch(client):
    r = client.post(
        "/get_reward", json={"query": ["P" + GOOD, "Pnothing"], "prompts": ["P", "P"], "labels": [MC, MC]}
    )
    assert r.status_code == 200
    assert r.json()["rewards"] == [2.0, 0.0]
    assert r.json()["extra_logs"]["format"] == [1.0, 0.0]


def test_server_rejects_malformed_json_with_400(client):
    r = client.post("/get_reward", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["error"]


def test_server_rejects_mismatched_lengths_with_400(client):
    r = client.post("/get_reward", json={"query": ["a", "b"], "prompts": ["a"], "labels": [MC, MC]})
    assert r.status_code == 400 and "length" in r.json()["error"]


def test_server_scores_a_bad_item_zero_not_500(client):
    r = client.post(
        "/get_reward", json={"query": [GOOD, 12], "prompts": ["", None], "labels": [MC, "{broken"]}
    )
    assert r.status_code == 200 and r.json()["rewards"] == [2.0, 0.0]
