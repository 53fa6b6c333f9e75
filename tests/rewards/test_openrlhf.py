"""vdata's OpenRLHF reward paths driven by OpenRLHF's OWN client code: its `SingleTurnAgentExecutor`
(`openrlhf/utils/agent.py`, OpenRLHF 0.11.2) in both reward modes, `--reward.remote_url http://.../get_reward`
(its aiohttp POST of `{"query", "prompts", "labels"}` to vdata's server, `vdata.rewards.server`) and
`--reward.remote_url <file>.py` (its loader imports the file and calls `reward_func(queries, prompts, labels)`
on `rewards/openrlhf.py`). The executor decodes prompt + response token ids with special tokens kept, as in
training, so queries end in `<|im_end|>` / `<|endoftext|>`; the scores it hands on (`reward`, `scores`,
`extra_logs`, what its samples generator turns into an experience) must equal vdata's rewards of the bare response.

OpenRLHF pins deepspeed, flash-attn, transformers 5.15...: none of which these code paths import. So it is installed
without dependencies in `.venv/openrlhf` (`make venv-openrlhf`, layered over `.venv`), and this file is also the
script run there (`python tests/rewards/test_openrlhf.py WORKDIR CASES`), printing one JSON report.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OPENRLHF_PYTHON = ROOT / ".venv" / "openrlhf" / "bin" / "python"
#: The weights the test server is started with (`vdata rewards serve -r accuracy -w 0.9 -r format -w 0.1`).
SERVER_REWARDS, SERVER_WEIGHTS = ["accuracy", "format"], [0.9, 0.1]

MC = {"task": "multiple_choice", "question": "What colour?", "options": ["green", "blue"], "answer": "B"}
SPAN = {"task": "temporal_grounding", "question": "When does it turn orange?", "spans": [[1.0, 2.0]]}
NUM = {"task": "numeric", "question": "How many boxes?", "answer": "3"}
#: (label as the dataset's label column holds it: the sample as JSON, response, end-of-turn tokens generated).
CASES = [
    (MC, "<think>The background is blue.</think><answer>B</answer>", "<|im_end|>"),
    (MC, "<think>Blue.</think>\n<answer>B</answer>", "<|endoftext|>"),
    (MC, "<think>Green?</think><answer>A</answer>", "<|im_end|><|endoftext|>"),
    (SPAN, "<think>At 1 s.</think><answer>1.0 - 2.0</answer>", "<|im_end|>"),
    (NUM, "<answer>3</answer>", "<|im_end|>"),  # no think: format 0 for the right reason
    (NUM, "I think there are three.", "<|endoftext|>"),
]


def _in_openrlhf(work: Path, cases: list) -> dict:
    """Run inside OpenRLHF's venv: vdata's server on a free port in a thread, then OpenRLHF's executor scoring
    every case through the server and through `rewards/openrlhf.py` loaded as its reward function file."""
    import asyncio
    import socket
    import threading
    import time
    from importlib.metadata import version
    from types import SimpleNamespace

    import torch
    import uvicorn
    from openrlhf.utils.agent import SingleTurnAgentExecutor
    from transformers import AutoTokenizer

    from vdata.rewards.server import create_app

    spec = importlib.util.spec_from_file_location("tiny_qwen", ROOT / "tests" / "distill" / "tiny_qwen.py")
    tiny_qwen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tiny_qwen)
    tokenizer = AutoTokenizer.from_pretrained(tiny_qwen.build_tiny_qwen25_vl(work / "tiny"))

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(SERVER_REWARDS, SERVER_WEIGHTS), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)

    class Engine:
        """vLLM's async engine as the executor calls it: one output with the response's token ids."""

        def __init__(self, text: str) -> None:
            self.ids = tokenizer(text, add_special_tokens=False)["input_ids"]

        async def generate(self, prompt_token_ids, sampling_params, multi_modal_data=None):
            out = SimpleNamespace(token_ids=self.ids, finish_reason="stop", logprobs=None)
            return SimpleNamespace(outputs=[out])

    def scalar(value):  # what OpenRLHF's samples generator keeps: torch.tensor([value]), one element per sample
        value = value.flatten()[0].item() if isinstance(value, torch.Tensor) else value
        return torch.tensor([value]).flatten()[0].item()

    url = f"http://127.0.0.1:{sock.getsockname()[1]}/get_reward"
    executors = {"http": SingleTurnAgentExecutor(url),
                 "function": SingleTurnAgentExecutor(str(ROOT / "rewards" / "openrlhf.py"))}
    report = {"openrlhf": version("openrlhf"), "function_loaded": executors["function"].reward_func is not None}
    for mode, executor in executors.items():
        report[mode] = []
        for sample, response, end in cases:
            messages = [{"role": "system", "content": "Answer in <think></think><answer></answer>."},
                        {"role": "user", "content": sample["question"]}]
            prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            params = SimpleNamespace(max_tokens=256, logprobs=None)
            out = asyncio.run(executor.execute(prompt, json.dumps(sample), params, 4096, tokenizer,
                                               Engine(response + end)))
            query = tokenizer.decode(out["observation_tokens"], skip_special_tokens=False)
            report[mode].append({
                "query_tail": query[-len(end) - 5:],
                "reward": None if out["reward"] is None else scalar(out["reward"]),
                "scores": None if out["scores"] is None else scalar(out["scores"]),
                "extra_logs": {k: scalar(v) for k, v in out["extra_logs"].items()},
            })
    server.should_exit = True
    thread.join(timeout=10)
    return report


pytestmark = pytest.mark.skipif(
    not OPENRLHF_PYTHON.exists(),
    reason="OpenRLHF needs its own venv (it pins deepspeed, flash-attn, transformers 5.15): make venv-openrlhf",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("openrlhf-work")
    proc = subprocess.run(
        [str(OPENRLHF_PYTHON), __file__, str(work), json.dumps(CASES)],
        capture_output=True, text=True, cwd=work, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "NO_PROXY": "127.0.0.1"},
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("OPENRLHF-REPORT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-5000:]
    return json.loads(lines[-1].removeprefix("OPENRLHF-REPORT "))


def _expected(rewards=None, weights=None) -> list[dict]:
    """vdata's rewards of the bare responses (no prompt, no end-of-turn tokens)."""
    from vdata.rewards.openrlhf import score_queries

    out = score_queries([r for _, r, _ in CASES], None, [json.dumps(s) for s, _, _ in CASES], rewards, weights)
    return [{"reward": out["rewards"][i], "extra_logs": {k: v[i] for k, v in out["extra_logs"].items()}}
            for i in range(len(CASES))]


def test_openrlhf_decodes_queries_with_the_end_of_turn_tokens(report):
    assert report["openrlhf"] == "0.11.2"
    for item, (_, _, end) in zip(report["http"], CASES, strict=True):
        assert item["query_tail"].endswith(end)


def test_openrlhfs_http_client_gets_vdatas_rewards_from_the_server(report):
    expected = _expected(SERVER_REWARDS, SERVER_WEIGHTS)
    for item, want in zip(report["http"], expected, strict=True):
        assert item["reward"] == pytest.approx(want["reward"]) and item["scores"] == pytest.approx(want["reward"])
        assert item["extra_logs"] == pytest.approx(want["extra_logs"])
    assert [it["extra_logs"]["format"] for it in report["http"]] == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    assert [it["extra_logs"]["accuracy"] for it in report["http"]][:3] == [1.0, 1.0, 0.0]


def test_openrlhfs_function_loader_runs_the_vdata_reward_file(report):
    assert report["function_loaded"]
    expected = _expected()  # the function mode takes no options: vdata's default rewards and weights
    for item, want in zip(report["function"], expected, strict=True):
        assert item["reward"] == pytest.approx(want["reward"]) and item["scores"] == pytest.approx(want["reward"])
        assert item["extra_logs"] == pytest.approx(want["extra_logs"])
    assert [it["extra_logs"]["format"] for it in report["function"]] == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]


if __name__ == "__main__":
    print("OPENRLHF-REPORT " + json.dumps(_in_openrlhf(Path(sys.argv[1]), json.loads(sys.argv[2]))))
