"""Teacher distillation (`vdata distill`): chain-of-thought traces from a teacher, kept when a reward verifies them.

    from vdata.distill import DistillConfig, distill
    report = distill(DistillConfig(input="built", out="distilled", teacher="Qwen/Qwen2.5-VL-7B-Instruct",
                                   engine="vllm", samples=4))

Engines (`vdata.distill.engines`) turn prompts into texts; prompts (`vdata.distill.prompts`) come from per-task
template files; the rewards (`vdata.rewards`) are the verifier. Importing this package loads no ML library.
"""

from vdata.distill.config import (
    DEFAULT_VERIFY,
    KEEP_MODES,
    DistillConfig,
    Sampling,
    parse_thresholds,
    parse_verify,
)
from vdata.distill.engines import Engine, EngineError, create_engine, engine_names, register
from vdata.distill.prompts import Prompt, Templates
from vdata.distill.run import DistillReport, Progress, distill
from vdata.distill.verify import REJECTED_SPLIT, Candidate, Verifier

__all__ = [
    "DEFAULT_VERIFY",
    "KEEP_MODES",
    "REJECTED_SPLIT",
    "Candidate",
    "DistillConfig",
    "DistillReport",
    "Engine",
    "EngineError",
    "Progress",
    "Prompt",
    "Sampling",
    "Templates",
    "Verifier",
    "create_engine",
    "distill",
    "engine_names",
    "parse_thresholds",
    "parse_verify",
    "register",
]
