"""Teacher engines behind one interface: `generate(prompts, n, sampling) -> n texts per prompt`.

`transformers` (CPU or GPU), `vllm` (offline, GPU), `openai` (any OpenAI-compatible server) and `scripted`
(completions from a JSON file, for tests). Each module imports its heavy library only when the engine is built.
"""

from vdata.distill.engines import hf, openai, scripted, vllm  # noqa: F401  (registers the engines)
from vdata.distill.engines.base import (
    Engine,
    EngineError,
    EngineStats,
    create_engine,
    engine_class,
    engine_names,
    register,
)

__all__ = ["Engine", "EngineError", "EngineStats", "create_engine", "engine_class", "engine_names", "register"]
