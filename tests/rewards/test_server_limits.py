"""OpenRLHF paths (issue 13): end-of-turn tokens kept by OpenRLHF's decoding are stripped; the reward server
bounds request size (413), never answers 500 on nested JSON, and scores off the event loop."""

import json
import threading
import time

import pytest

from vdata.rewards import openrlhf
from vdata.rewards.adapt import strip_end_tokens

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from vdata.rewards.server import create_app  # noqa: E402

GOOD = "<think>x</think><answer>3</answer>"
NUM = json.dumps({"task": "numeric", "answer": "3"})
PROMPT = "<|im_start|>user\nHow many?<|im_end|>\n<|im_start|>assistant\n"


@pytest.mark.parametrize(
    "tail",
    [
        "<|im_end|>",
        "<|endoftext|>",
        "<|im_end|>\n<|endoftext|><|endoftext|>",
        "<|eot_id|>",
        "</s>",
        "<end_of_turn>\n<eos>",
        "<|end|>",
        "<｜end▁of▁sentence｜>",
        " <|im_end|> ",
    ],
)
def test_openrlhf_strips_end_of_turn_tokens(tail):
    out = openrlhf.score_queries([PROMPT + GOOD + tail], [PROMPT], [NUM])
    assert out["extra_logs"]["format"] == [1.0]
    assert out["rewards"] == [5.0]


def test_strip_end_tokens_keeps_tokens_inside_the_text():
    assert strip_end_tokens("a</s>b<|im_end|>") == "a</s>b"
    assert strip_end_tokens("<|im_end|>") == ""


@pytest.fixture
def client():
    return TestClient(create_app(["accuracy", "format"]), raise_server_exceptions=False)


def test_server_strips_end_of_turn_tokens(client):
    r = client.post(
        "/get_reward", json={"query": [PROMPT + GOOD + "<|im_end|>"], "prompts": [PROMPT], "labels": [NUM]}
    )
    assert r.status_code == 200 and r.json()["extra_logs"]["format"] == [1.0]


@pytest.mark.parametrize("depth", [100_000, 990])
def test_server_deeply_nested_json_is_400_or_scored_never_500(client, depth):
    body = b'{"query": ["a"], "labels": [' + b"[" * depth + b"]" * depth + b"]}"
    r = client.post("/get_reward", content=body, headers={"content-type": "application/json"})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert "nested" in r.json()["error"]
    else:
        assert r.json()["rewards"] == [0.0]


def test_server_deeply_nested_label_string_scores_zero(client):
    label = "[" * 100_000 + "]" * 100_000
    r = client.post("/get_reward", json={"query": [GOOD], "labels": [label]})
    assert r.status_code == 200 and r.json()["rewards"] == [1.0]  # format only: the label cannot be judged


def test_server_refuses_too_many_items_with_413():
    small = TestClient(create_app(["format"], max_items=10))
    r = small.post("/get_reward", json={"query": ["a"] * 11, "labels": [NUM] * 11})
    assert r.status_code == 413 and "11 queries, over the limit of 10" in r.json()["error"]


def test_server_refuses_too_large_a_body_with_413():
    small = TestClient(create_app(["format"], max_body_bytes=1000))
    r = small.post("/get_reward", json={"query": ["a" * 2000], "labels": [NUM]})
    assert r.status_code == 413 and "over the limit of 1000 bytes" in r.json()["error"]


def test_server_default_limits_refuse_a_200k_batch():
    r = TestClient(create_app(["format"])).post(
        "/get_reward", json={"query": ["a"] * 200_000, "labels": ["{}"] * 200_000}
    )
    assert r.status_code == 413


def test_health_answers_while_a_large_batch_is_scored():
    client = TestClient(create_app(["accuracy", "format"]))
    n = 50_000
    done = threading.Event()

    def big():
        client.post("/get_reward", json={"query": [GOOD] * n, "labels": [NUM] * n})
        done.set()

    with client:
        worker = threading.Thread(target=big)
        start = time.perf_counter()
        worker.start()
        time.sleep(0.3)  # the batch is being scored by now
        latencies = []
        while not done.is_set() and len(latencies) < 5:
            t = time.perf_counter()
            assert client.get("/health").status_code == 200
            latencies.append(time.perf_counter() - t)
        worker.join()
        total = time.perf_counter() - start
    assert latencies, f"the batch took only {total:.2f}s; make it larger"
    assert max(latencies) < 0.25 * total, (latencies, total)
