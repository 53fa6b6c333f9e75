"""`vdata train sft` and `vdata train grpo`: parse flags (and `--config FILE`), run one loop, show a live table.

Flags default to None so that only the flags given override the YAML file; the defaults and their meaning live
in `SFTConfig` and `GRPOConfig`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from vdata.train.config import GRPOConfig, SFTConfig

_SFT, _GRPO = SFTConfig.__dataclass_fields__, GRPOConfig.__dataclass_fields__


def _default(fields: dict[str, Any], name: str) -> str:
    return f" (default: {fields[name].default})"


ConfigFile = Annotated[Path | None, typer.Option("--config", help="YAML file whose keys match the flags.")]
Data = Annotated[Path | None, typer.Option("--data", help="A built vdata dataset.")]
Model = Annotated[str | None, typer.Option("--model", help="Local path or hub id of a Qwen-VL-family model.")]
Out = Annotated[Path | None, typer.Option("--out", help="Run folder: log.jsonl, checkpoints/, final/.")]
Split = Annotated[str | None, typer.Option("--split", help="Split to train on." + _default(_SFT, "split"))]
MaxSteps = Annotated[
    int | None, typer.Option("--max-steps", help="Optimizer steps." + _default(_SFT, "max_steps"))
]
GradAccum = Annotated[
    int | None, typer.Option("--grad-accum", help="Micro-batches per step." + _default(_SFT, "grad_accum"))
]
Warmup = Annotated[
    int | None,
    typer.Option("--warmup-steps", help="Linear warm-up steps, then cosine decay." + _default(_SFT, "warmup_steps")),
]
WeightDecay = Annotated[
    float | None, typer.Option("--weight-decay", help="AdamW weight decay." + _default(_SFT, "weight_decay"))
]
MaxGradNorm = Annotated[
    float | None,
    typer.Option("--max-grad-norm", help="Clip the gradient norm to this." + _default(_SFT, "max_grad_norm")),
]
Seed = Annotated[int | None, typer.Option("--seed", help="Seed of data order, sampling and init." + _default(_SFT, "seed"))]
Device = Annotated[
    str | None, typer.Option("--device", help="auto, cpu, cuda or cuda:N." + _default(_SFT, "device"))
]
Dtype = Annotated[
    str | None, typer.Option("--dtype", help="auto (bf16 on GPU, fp32 on CPU), bfloat16, float32." + _default(_SFT, "dtype"))
]
Checkpointing = Annotated[
    bool | None, typer.Option("--gradient-checkpointing/--no-gradient-checkpointing", help="Save memory." + _default(_SFT, "gradient_checkpointing"))
]
MaxPixels = Annotated[
    int | None, typer.Option("--max-pixels", help="Pixel budget per frame for the processor (default: the processor's).")
]
SaveEvery = Annotated[
    int | None, typer.Option("--save-every", help="Steps between checkpoints (0 = final only)." + _default(_SFT, "save_every"))
]
Resume = Annotated[
    str | None, typer.Option("--resume", help="A checkpoint folder, or 'auto' for the latest (default: start fresh).")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the last step as JSON, no live table.")]

SFT_COLUMNS = ["step", "loss", "grad_norm", "lr", "tokens_per_s", "step_s"]
GRPO_COLUMNS = [
    "step",
    "reward",
    "reward_std",
    "zero_variance_share",
    "completion_len",
    "kl",
    "clip_ratio",
    "loss",
]


def make_app(
    friendly: Callable[[Any], Any], console: Any, print_json: Callable[[dict[str, Any]], None]
) -> typer.Typer:
    """The `train` sub-app; `friendly` turns errors into one line, `console` shows the live table."""
    app = typer.Typer(
        help="Train a video LMM on vdata shards: SFT on CoT rows, then GRPO with vdata rewards."
    )

    def run(loop: Callable[..., Any], config: Any, columns: list[str], as_json: bool) -> None:
        from vdata.train.log import jsonable, live_table

        if as_json:
            result = loop(config)
        else:
            with live_table(console, f"{config.out} (log.jsonl)", columns) as on_step:
                result = loop(config, on_step=on_step)
        last = result.records[-1] if result.records else {}
        print_json(jsonable({"out": str(result.out), "final": str(result.final), "steps": result.steps, "last": last}))

    @app.command()
    @friendly
    def sft(
        config: ConfigFile = None,
        data: Data = None,
        model: Model = None,
        out: Out = None,
        split: Split = None,
        max_steps: MaxSteps = None,
        batch_size: Annotated[
            int | None, typer.Option("--batch-size", help="Rows per step." + _default(_SFT, "batch_size"))
        ] = None,
        grad_accum: GradAccum = None,
        lr: Annotated[
            float | None, typer.Option("--lr", help="Peak learning rate." + _default(_SFT, "lr"))
        ] = None,
        warmup_steps: Warmup = None,
        weight_decay: WeightDecay = None,
        max_grad_norm: MaxGradNorm = None,
        seed: Seed = None,
        device: Device = None,
        dtype: Dtype = None,
        gradient_checkpointing: Checkpointing = None,
        max_pixels: MaxPixels = None,
        save_every: SaveEvery = None,
        resume: Resume = None,
        as_json: AsJson = False,
    ) -> None:
        """Supervised fine-tuning on `<think>{cot}</think><answer>...</answer>` (assistant tokens only)."""
        flags = {k: v for k, v in locals().items() if k in SFTConfig.__dataclass_fields__}
        from vdata.train import load_config, train_sft

        run(train_sft, load_config(SFTConfig, config, **flags), SFT_COLUMNS, as_json)

    @app.command()
    @friendly
    def grpo(
        config: ConfigFile = None,
        data: Data = None,
        model: Model = None,
        out: Out = None,
        rewards: Annotated[
            str | None,
            typer.Option(
                "--rewards", help="name:weight,... from vdata.rewards." + _default(_GRPO, "rewards")
            ),
        ] = None,
        split: Split = None,
        max_steps: MaxSteps = None,
        batch_size: Annotated[
            int | None, typer.Option("--batch-size", help="Prompts per step." + _default(_GRPO, "batch_size"))
        ] = None,
        num_generations: Annotated[
            int | None,
            typer.Option(
                "--num-generations", help="Completions per prompt (G)." + _default(_GRPO, "num_generations")
            ),
        ] = None,
        max_new_tokens: Annotated[
            int | None,
            typer.Option(
                "--max-new-tokens", help="Tokens per completion." + _default(_GRPO, "max_new_tokens")
            ),
        ] = None,
        temperature: Annotated[
            float | None, typer.Option("--temperature", help="Sampling temperature." + _default(_GRPO, "temperature"))
        ] = None,
        top_p: Annotated[float | None, typer.Option("--top-p", help="Nucleus sampling mass." + _default(_GRPO, "top_p"))] = None,
        epsilon: Annotated[
            float | None, typer.Option("--epsilon", help="Clip range." + _default(_GRPO, "epsilon"))
        ] = None,
        mu: Annotated[int | None, typer.Option("--mu", help="Optimizer steps per batch of rollouts." + _default(_GRPO, "mu"))] = None,
        beta: Annotated[
            float | None,
            typer.Option("--beta", help="k3 KL weight (0 = no reference)." + _default(_GRPO, "beta")),
        ] = None,
        scale_rewards: Annotated[
            bool | None,
            typer.Option("--scale-rewards/--no-scale-rewards", help="Divide advantages by group std." + _default(_GRPO, "scale_rewards")),
        ] = None,
        temporal_contrast: Annotated[
            bool | None,
            typer.Option("--temporal-contrast/--no-temporal-contrast", help="T-GRPO shuffled-frame bonus." + _default(_GRPO, "temporal_contrast")),
        ] = None,
        grad_accum: GradAccum = None,
        lr: Annotated[
            float | None, typer.Option("--lr", help="Peak learning rate." + _default(_GRPO, "lr"))
        ] = None,
        warmup_steps: Warmup = None,
        weight_decay: WeightDecay = None,
        max_grad_norm: MaxGradNorm = None,
        seed: Seed = None,
        device: Device = None,
        dtype: Dtype = None,
        gradient_checkpointing: Checkpointing = None,
        max_pixels: MaxPixels = None,
        save_every: SaveEvery = None,
        resume: Resume = None,
        as_json: AsJson = False,
    ) -> None:
        """GRPO with vdata rewards: B prompts x G completions, group advantages, clipped surrogate, k3 KL."""
        flags = {k: v for k, v in locals().items() if k in GRPOConfig.__dataclass_fields__}
        from vdata.train import load_config, train_grpo

        run(train_grpo, load_config(GRPOConfig, config, **flags), GRPO_COLUMNS, as_json)

    return app
