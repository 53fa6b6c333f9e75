"""The `openai` engine against a real HTTP server on 127.0.0.1 serving scripted chat completions."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.distill.helpers import ROWS, think
from vdata.distill import DistillConfig, distill
from vdata.engines import EngineConfig, EngineError, Sampling, Templates, create_engine
from vdata.shards import read_table

fastapi = pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

MAX_CHOICES = 2  # the server returns at most this many choices per request, like servers that cap `n`


class Teacher:
    """A chat-completions app: model `flaky` fails its first request with 503, `slow` sleeps 2 s, `broken`
    answers 400; the answer is B for multiple choice, 3 otherwise."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.failed_once = False
        app = fastapi.FastAPI()

        @app.post("/v1/chat/completions")
        def complete(body: dict[str, Any]) -> Any:
            self.requests.append(body)
            if body["model"] == "flaky" and not self.failed_once:
                self.failed_once = True
                return fastapi.responses.JSONResponse({"error": "busy"}, status_code=503)
            if body["model"] == "slow":
                time.sleep(2)
            if body["model"] == "broken":
                return fastapi.responses.JSONResponse({"error": "bad request"}, status_code=400)
            text = body["messages"][1]["content"][-1]["text"]
            answer = think("B") if "Options:" in text else think("3")
            n = min(body["n"], MAX_CHOICES)
            return {
                "choices": [{"index": i, "message": {"role": "assistant", "content": answer}} for i in range(n)],
                "usage": {"prompt_tokens": 100, "completion_tokens": 7 * n},
            }

        self.app = app


@pytest.fixture
def server() -> Iterator[tuple[str, Teacher]]:
    teacher = Teacher()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(teacher.app, log_level="error"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}/v1", teacher
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


def engine_config(base_url: str, model: str = "flaky", **options: Any) -> EngineConfig:
    return EngineConfig(model=model, name="openai", base_url=base_url, **options)


def test_requests_carry_every_frame_with_its_time_and_retry_a_503(server, tmp_path, dataset):
    base_url, teacher = server
    engine = create_engine(engine_config(base_url, concurrency=1))
    prompt = Templates().prompt(ROWS[0])
    texts = engine.generate([prompt], 3, Sampling(temperature=0.5, top_p=0.9, max_new_tokens=64, seed=0))
    engine.close()
    assert texts == [[think("B")] * 3]
    ok = teacher.requests[1:]  # the first got a 503 and was retried
    assert [r["n"] for r in ok] == [3, 1]  # the server capped n at 2: the engine asked for the rest
    content = ok[0]["messages"][1]["content"]
    images = [p["image_url"]["url"] for p in content if p["type"] == "image_url"]
    times = [p["text"] for p in content if p["type"] == "text"][:-1]
    assert len(images) == 6 and all(u.startswith("data:image/jpeg;base64,") for u in images)
    assert times == ["<t=0.0s>", "<t=1.0s>", "<t=2.0s>", "<t=3.0s>", "<t=4.0s>", "<t=5.0s>"]
    assert ok[0]["messages"][0]["role"] == "system" and ok[0]["max_tokens"] == 64
    assert engine.stats.generated_tokens == 21


def test_distill_through_the_server_end_to_end(server, tmp_path, dataset):
    base_url, _ = server
    report = distill(DistillConfig(input=dataset, out=tmp_path / "out", engine=engine_config(base_url, concurrency=4),
                                   samples=2))
    rows = {r["id"]: r for r in read_table(report.out).to_pylist()}
    assert sorted(rows) == ["mc1", "num1"]  # mc2 wants A, tg1 a span: no candidate passes
    assert json.loads(rows["mc1"]["meta"])["distill"]["engine"] == "openai"
    assert report.generated_tokens == 7 * 2 * len(ROWS)


def test_client_errors_fail_at_once_and_timeouts_after_retries(server, tmp_path, dataset):
    base_url, _ = server
    prompt = Templates().prompt(ROWS[0])
    broken = create_engine(engine_config(base_url, model="broken", max_retries=3))
    with pytest.raises(EngineError, match="HTTP 400 after 1 attempt"):
        broken.generate([prompt], 1, Sampling())
    slow = create_engine(engine_config(base_url, model="slow", timeout_s=0.3, max_retries=1))
    with pytest.raises(EngineError, match="ReadTimeout after 2 attempts"):
        slow.generate([prompt], 1, Sampling())
