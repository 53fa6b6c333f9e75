"""Teacher distillation (`vdata distill`): chain-of-thought traces from a teacher, kept when a reward verifies them.

    from vdata.distill import DistillConfig, distill
    from vdata.engines import EngineConfig
    report = distill(DistillConfig(input="built", out="distilled", samples=4,
                                   engine=EngineConfig(model="Qwen/Qwen2.5-VL-7B-Instruct", name="vllm")))

The teacher is an engine (`vdata.engines`: engines, prompt templates, one `EngineConfig`); the rewards
(`vdata.rewards`) are the verifier. Importing this package loads no ML library.
"""

from vdata.distill.config import KEEP_MODES, DistillConfig, parse_thresholds
from vdata.distill.run import DistillReport, Progress, distill
from vdata.distill.verify import REJECTED_SPLIT, Candidate, Verifier

__all__ = [
    "KEEP_MODES",
    "REJECTED_SPLIT",
    "Candidate",
    "DistillConfig",
    "DistillReport",
    "Progress",
    "Verifier",
    "distill",
    "parse_thresholds",
]
