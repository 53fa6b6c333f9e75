"""HTTP reward server for OpenRLHF's `--reward.remote_url http://host:port/get_reward` (FastAPI + uvicorn;
`--remote_rm_url` before OpenRLHF 0.11). OpenRLHF 0.11.2's executor POSTs one rollout at a time.

`POST /get_reward` with `{"query": [...], "prompts": [...], "labels": [...]}` returns
`{"rewards": [...], "scores": [...], "extra_logs": {...}}`. Malformed JSON or lists of different lengths get
HTTP 400 with a message (so does JSON nested too deeply to read); a body over `max_body_bytes` or a batch over
`max_items` gets HTTP 413 naming the limit; a bad single item scores 0 and is logged, never a 500. Scoring runs in
a worker thread, off the event loop, so `/health` answers while a large batch is scored. Needs the `serve` extra.
"""

import json
import logging
from collections.abc import Sequence
from typing import Any

from vdata.errors import ConfigError
from vdata.rewards.adapt import combination
from vdata.rewards.openrlhf import score_queries

logger = logging.getLogger(__name__)

#: Largest request body read, in bytes (a 64 MiB body holds about 30,000 long completions with their prompts).
MAX_BODY_BYTES = 64 * 2**20
#: Most items (queries) scored per request.
MAX_ITEMS = 65_536


def create_app(
    rewards: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_items: int = MAX_ITEMS,
) -> Any:
    """The FastAPI app scoring with `rewards` and `weights` (default: accuracy + format, summed); requests over
    `max_body_bytes` or `max_items` get HTTP 413."""
    try:
        from fastapi import FastAPI, Request
        from fastapi.responses import JSONResponse
        from starlette.concurrency import run_in_threadpool
    except ImportError as e:
        raise ConfigError("the reward server needs FastAPI: pip install 'vdata[serve]'") from e

    def too_large(what: str) -> Any:
        return JSONResponse({"error": f"{what}; split the batch into smaller requests"}, status_code=413)

    combo = combination(rewards, weights)  # unknown names fail here, at start-up
    app = FastAPI(title="vdata rewards")

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "rewards": list(combo.names), "weights": list(combo.weights)}

    @app.post("/get_reward")
    async def get_reward(request: Request) -> Any:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_body_bytes:
            return too_large(f"body is {int(declared)} bytes, over the limit of {max_body_bytes} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body_bytes:
                return too_large(f"body is over the limit of {max_body_bytes} bytes")
            chunks.append(chunk)
        try:
            body = json.loads(b"".join(chunks))
        except ValueError as e:
            return JSONResponse({"error": f"body is not JSON: {e}"}, status_code=400)
        except RecursionError:
            return JSONResponse({"error": "body is JSON nested too deeply to read"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse(
                {"error": "body must be a JSON object with query, prompts, labels"}, status_code=400
            )
        queries, prompts, labels = body.get("query"), body.get("prompts"), body.get("labels")
        if not isinstance(queries, list) or not isinstance(labels, list):
            return JSONResponse({"error": "query and labels must be lists"}, status_code=400)
        if prompts is not None and not isinstance(prompts, list):
            return JSONResponse({"error": "prompts must be a list"}, status_code=400)
        lengths = {
            "query": len(queries),
            "labels": len(labels),
            **({"prompts": len(prompts)} if prompts else {}),
        }
        if len(set(lengths.values())) > 1:
            return JSONResponse({"error": f"lists differ in length: {lengths}"}, status_code=400)
        if len(queries) > max_items:
            return too_large(f"{len(queries)} queries, over the limit of {max_items} per request")
        return await run_in_threadpool(
            score_queries, queries, prompts or None, labels, combo.names, combo.weights
        )

    return app


def serve(
    host: str = "127.0.0.1",
    port: int = 5000,
    rewards: Sequence[str] | None = None,
    weights: Sequence[float] | None = None,
) -> None:
    """Run the reward server until interrupted."""
    try:
        import uvicorn
    except ImportError as e:
        raise ConfigError("the reward server needs uvicorn: pip install 'vdata[serve]'") from e
    uvicorn.run(create_app(rewards, weights), host=host, port=port, log_level="info")
