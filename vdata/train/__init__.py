"""The reference trainer: `train_sft` and `train_grpo` on vdata shards, one readable loop each.

    from vdata.train import GRPOConfig, train_grpo
    train_grpo(GRPOConfig(data="built/nextqa", model="Qwen/Qwen2.5-VL-3B-Instruct", out="runs/grpo"))

Importing this package imports no ML library; torch and transformers load when a loop starts.
"""

from vdata.train.config import GRPOConfig, SFTConfig, load_config
from vdata.train.grpo import train_grpo
from vdata.train.sft import TrainResult, train_sft

__all__ = ["GRPOConfig", "SFTConfig", "TrainResult", "load_config", "train_grpo", "train_sft"]
