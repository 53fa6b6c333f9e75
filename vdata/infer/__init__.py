"""Test-time scaling (`vdata infer`): N candidates per item, picked by majority vote or gold-free verifiers,
optionally with adaptive sparse-to-dense frames; writes the predictions JSONL that `vdata eval` reads.

    from vdata.engines import EngineConfig, Sampling
    from vdata.infer import InferConfig, infer
    infer(InferConfig(data="built", out="preds.jsonl", n=8, select="majority", adaptive=True,
                      engine=EngineConfig(model="Qwen/Qwen2.5-VL-7B-Instruct", name="vllm", sampling=Sampling())))

Engines and prompts are `vdata.engines`'; answers are read by `vdata.rewards`' parsers. Importing this package
loads no ML library.
"""

from vdata.infer.run import InferConfig, InferReport, frame_subset, infer, with_frames
from vdata.infer.strategies import (
    BUILTIN_VERIFIERS,
    Selection,
    Strategy,
    get_strategy,
    parse_answer,
    register,
    similarity,
    strategy_names,
)

__all__ = [
    "BUILTIN_VERIFIERS",
    "InferConfig",
    "InferReport",
    "Selection",
    "Strategy",
    "frame_subset",
    "get_strategy",
    "infer",
    "parse_answer",
    "register",
    "similarity",
    "strategy_names",
    "with_frames",
]
