"""Generation engines behind one interface: `generate(prompts, n, sampling) -> n texts per prompt`.

`transformers` (CPU or GPU), `vllm` (offline, GPU), `openai` (any OpenAI-compatible server) and `scripted`
(completions from a JSON file, for tests), built from one `EngineConfig` by `create_engine`; the prompts they
take come from per-task templates (`Templates`, `vdata/engines/templates/`). Used by `vdata distill`,
`vdata infer` and the trainer. The trainer's GRPO rollouts use `policy_engine` (`vdata/engines/policy.py`):
`transformers` or `vllm` serving the live policy, returning token ids. Each engine module imports its heavy
library only when the engine is built, so importing this package loads no ML library.

    from vdata.engines import EngineConfig, Sampling, Templates, create_engine
    engine = create_engine(EngineConfig(model="Qwen/Qwen2.5-VL-7B-Instruct", name="vllm"))
    texts = engine.generate([Templates().prompt(row)], n=4, sampling=Sampling(temperature=0.7))
"""

from vdata.engines import openai, scripted, transformers, vllm  # noqa: F401  (registers the engines)
from vdata.engines.base import Engine, EngineError, EngineStats, create_engine
from vdata.engines.config import EngineConfig, Sampling
from vdata.engines.policy import PolicyEngine, Rollouts, policy_engine, policy_engine_names
from vdata.engines.prompts import Prompt, Templates
from vdata.engines.registry import engine_class, engine_names, register

__all__ = [
    "Engine",
    "EngineConfig",
    "EngineError",
    "EngineStats",
    "PolicyEngine",
    "Prompt",
    "Rollouts",
    "Sampling",
    "Templates",
    "create_engine",
    "engine_class",
    "engine_names",
    "policy_engine",
    "policy_engine_names",
    "register",
]
