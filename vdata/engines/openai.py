"""`openai`: any OpenAI-compatible chat completions server (`vllm serve`, SGLang, a hosted API)."""

from __future__ import annotations

import base64
import logging
import os
import random
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from vdata.engines.base import Engine, EngineError, batch_seed, missing_extra
from vdata.engines.prompts import format_seconds
from vdata.engines.registry import register

if TYPE_CHECKING:
    from vdata.engines.config import EngineConfig, Sampling
    from vdata.engines.prompts import Prompt

logger = logging.getLogger(__name__)

#: HTTP statuses worth retrying: rate limits and server-side failures.
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
#: First retry delay in seconds; each further retry doubles it (plus up to 25% jitter).
BACKOFF_S = 0.5


def chat_messages(prompt: Prompt) -> list[dict[str, Any]]:
    """The request messages: the system text, then per frame a `<t=1.5s>` text part and the JPEG as a base64
    `image_url`, then the user text. Servers that take no video still see every frame with its time."""
    content: list[dict[str, Any]] = []
    for t, jpeg in zip(prompt.timestamps_s, prompt.frames, strict=True):
        content.append({"type": "text", "text": f"<t={format_seconds(t)}>"})
        url = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
        content.append({"type": "image_url", "image_url": {"url": url}})
    content.append({"type": "text", "text": prompt.text})
    return [{"role": "system", "content": prompt.system}, {"role": "user", "content": content}]


@register("openai")
class OpenAIEngine(Engine):
    """POSTs `{base_url}/chat/completions` with `model=model`, `n`, `temperature`, `top_p`, `max_tokens`, `seed`.

    Up to `concurrency` requests run at once (threads). A request that times out (`timeout_s` seconds), fails to
    connect or gets a status in `RETRY_STATUSES` is retried `max_retries` times with exponential backoff; any
    other status fails at once. A server that returns fewer than `n` choices is asked again for the rest.
    The key, if any, is read from the environment variable `api_key_env`.
    """

    def __init__(self, config: EngineConfig) -> None:
        super().__init__(config)
        try:
            import httpx
        except ImportError:
            raise missing_extra("httpx", "teacher") from None
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(config.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self._httpx = httpx
        self.client = httpx.Client(
            base_url=config.base_url.rstrip("/"),
            headers=headers,
            timeout=config.timeout_s,
            limits=httpx.Limits(max_connections=config.concurrency),
        )
        self.pool = ThreadPoolExecutor(max_workers=config.concurrency, thread_name_prefix="vdata-openai")

    def generate(self, prompts: Sequence[Prompt], n: int, sampling: Sampling) -> list[list[str]]:
        if not prompts:
            return []
        start = time.perf_counter()
        seed = batch_seed(sampling.seed, prompts)
        results = list(self.pool.map(lambda ip: self._complete(ip[1], n, sampling, seed + ip[0]), enumerate(prompts)))
        self.stats.generate_s += time.perf_counter() - start
        self.stats.calls += 1
        return results

    def _complete(self, prompt: Prompt, n: int, sampling: Sampling, seed: int) -> list[str]:
        messages = chat_messages(prompt)
        texts: list[str] = []
        while len(texts) < n:
            body = {
                "model": self.config.model,
                "messages": messages,
                "n": n - len(texts),
                "temperature": sampling.temperature,
                "top_p": sampling.top_p,
                "max_tokens": sampling.max_new_tokens,
                "seed": seed + len(texts),
            }
            data = self._post(body)
            choices = data.get("choices") or []
            if not choices:
                raise EngineError(f"{self.config.base_url}: a response for {prompt.id} has no choices")
            texts.extend((c.get("message") or {}).get("content") or "" for c in choices)
            usage = data.get("usage") or {}
            self.stats.prompt_tokens += int(usage.get("prompt_tokens") or 0)
            self.stats.generated_tokens += int(usage.get("completion_tokens") or 0)
        return texts[:n]

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        httpx = self._httpx
        url = f"{self.config.base_url.rstrip('/')}/chat/completions"
        for attempt in range(self.config.max_retries + 1):
            last = attempt == self.config.max_retries
            try:
                response = self.client.post("/chat/completions", json=body)
            except (httpx.TimeoutException, httpx.TransportError) as e:
                if last:
                    raise EngineError(f"{url}: {type(e).__name__} after {attempt + 1} attempts ({e})") from None
            else:
                if response.status_code == 200:
                    try:
                        return response.json()
                    except ValueError:
                        raise EngineError(f"{url}: the response is not JSON: {response.text[:200]!r}") from None
                if response.status_code not in RETRY_STATUSES or last:
                    raise EngineError(
                        f"{url}: HTTP {response.status_code} after {attempt + 1} attempt(s): {response.text[:300]}"
                    )
            delay_s = BACKOFF_S * 2**attempt * (1 + random.random() / 4)
            logger.warning("retrying %s in %.1fs (attempt %d)", url, delay_s, attempt + 1)
            time.sleep(delay_s)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()
