"""`vdata train sft` and `vdata train grpo`: one flag per field of `SFTConfig` / `GRPOConfig` (`--config FILE` for
YAML), run one loop, show the live progress.

The flags are made from the config dataclasses' fields (type, help line, default), so `--help` lists every key
and the defaults live in one place; flags default to None so that only the flags given override the YAML file.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Annotated, Any

import typer

from vdata.train.config import GRPOConfig, SFTConfig

SFT_COLUMNS = ["step", "loss", "grad_norm", "lr", "tokens_per_s", "step_s"]
GRPO_COLUMNS = ["step", "reward", "reward_std", "zero_variance_share", "completion_len", "kl", "clip_ratio", "loss"]


def config_parameters(cls: type[SFTConfig]) -> list[inspect.Parameter]:
    """One keyword parameter per field of `cls`: `Annotated[T | None, typer.Option(--flag, help=...)] = None`;
    booleans get `--flag/--no-flag`, the help ends with `(default: X)` when there is a default."""
    hints = typing.get_type_hints(cls)
    params = []
    for f in fields(cls):
        kind = hints[f.name]
        base = next((a for a in typing.get_args(kind) if a is not type(None)), kind)
        flag = "--" + f.name.replace("_", "-")
        decls = [f"{flag}/--no-{flag[2:]}"] if base is bool else [flag]
        help_text = f.metadata.get("help", "")
        if f.default not in (MISSING, None):
            help_text += f" (default: {f.default})"
        elif f.default is None and type(None) not in typing.get_args(kind):  # None is no value: the user gives it
            help_text += " (required: the flag or a --config key)"
        annotation = Annotated[base | None, typer.Option(*decls, help=help_text)]  # type: ignore[valid-type]
        params.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation))
    return params


def make_app(
    friendly: Callable[[Any], Any], console: Any, print_json: Callable[[dict[str, Any]], None]
) -> typer.Typer:
    """The `train` sub-app; `friendly` turns errors into one line, `console` shows the live progress."""
    app = typer.Typer(help="Train a video LMM on vdata shards: SFT on CoT rows, then GRPO with vdata rewards.")

    def run(name: str, loop_name: str, cls: type[SFTConfig], columns: list[str], **kwargs: Any) -> None:
        import os

        import vdata.train
        from vdata.train import distributed
        from vdata.train.config import load_config, write_config
        from vdata.train.log import jsonable, live_table

        config_file, as_json = kwargs.pop("config"), kwargs.pop("as_json")
        config = load_config(cls, config_file, **kwargs)
        if config.num_processes > 1 and distributed.world_size() == 1:  # start the processes, each runs this again
            raise typer.Exit(distributed.relaunch(name, write_config(config, config.out), config.num_processes))
        loop = getattr(vdata.train, loop_name)
        if os.environ.get("RANK", "0") != "0":  # another process of a launch: rank 0 reports
            loop(config)
            return
        if as_json:
            result = loop(config)
        else:
            with live_table(console, f"{config.out} (log.jsonl)", columns, config.max_steps) as on_step:
                result = loop(config, on_step=on_step)
        last = result.records[-1] if result.records else {}
        print_json(jsonable({"out": str(result.out), "final": str(result.final), "steps": result.steps, "last": last}))

    common = [
        inspect.Parameter(
            "config",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[Path | None, typer.Option("--config", help="YAML file: the flags' keys or TRL's names (default: none, flags only).")],
        ),
        inspect.Parameter(
            "as_json",
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[bool, typer.Option("--json", help="Print the last step as JSON, no live progress.")],
        ),
    ]

    def command(name: str, loop_name: str, cls: type[SFTConfig], columns: list[str], doc: str) -> None:
        def body(**kwargs: Any) -> None:
            run(name, loop_name, cls, columns, **kwargs)

        body.__signature__ = inspect.Signature(common + config_parameters(cls))  # type: ignore[attr-defined]
        body.__annotations__ = {p.name: p.annotation for p in body.__signature__.parameters.values()}  # type: ignore[attr-defined]
        body.__doc__ = doc
        body.__name__ = name
        app.command(name)(friendly(body))

    command("sft", "train_sft", SFTConfig, SFT_COLUMNS,
            "Supervised fine-tuning on `<think>{cot}</think><answer>...</answer>` (assistant tokens only).")
    command("grpo", "train_grpo", GRPOConfig, GRPO_COLUMNS,
            "GRPO with vdata rewards: B prompts x G completions, group advantages, clipped surrogate, k3 KL.")
    return app


def debug_model_command(friendly: Callable[[Any], Any], print_json: Callable[[dict[str, Any]], None]) -> Any:
    """The `vdata debug-model` command (registered by `vdata.cli`)."""

    @friendly
    def debug_model(
        out: Annotated[Path, typer.Argument(help="Folder to write the model, tokenizer and processor to.")],
        arch: Annotated[str, typer.Option("--arch", help="qwen2-vl, qwen2.5-vl or qwen3-vl.")] = "qwen2.5-vl",
        size: Annotated[str, typer.Option("--size", help="tiny (CPU tests) or small (~220M, GPU throughput).")] = "tiny",
        seed: Annotated[int, typer.Option("--seed", help="Seed of the random weights.")] = 0,
    ) -> None:
        """Write a randomly initialised Qwen-VL model with a locally built tokenizer and processor (no download)."""
        from vdata.train.debug_model import build_debug_model
        from vdata.train.model import count_parameters, load_model

        path = build_debug_model(out, arch=arch, size=size, seed=seed)
        parameters = count_parameters(load_model(str(path), "cpu", None, trainable=False))
        print_json({"out": str(path), "arch": arch, "size": size, "parameters": parameters})

    return debug_model
