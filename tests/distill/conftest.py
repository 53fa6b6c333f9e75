"""Fixtures for distill tests: a small built dataset written with the real shard writer, scripts, a tiny model."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from tests.distill.helpers import ROWS, write_dataset, write_script
from vdata.distill import DistillConfig
from vdata.engines import EngineConfig


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "built", ROWS)


@pytest.fixture
def scripted_config(tmp_path: Path, dataset: Path):
    """`make(completions, **options)` -> a `DistillConfig` for the scripted engine over `dataset`; options that
    are `EngineConfig` fields (`batch_size`, `prompt_templates`, ...) go to its engine."""
    engine_fields = {f.name for f in fields(EngineConfig)}

    def make(completions: dict[str, list[str]], **options: Any) -> DistillConfig:
        teacher = write_script(tmp_path / f"script-{len(list(tmp_path.glob('script-*')))}.json", completions)
        options.setdefault("out", tmp_path / "out")
        engine = {k: options.pop(k) for k in list(options) if k in engine_fields}
        return DistillConfig(input=dataset, engine=EngineConfig(model=teacher, name="scripted", **engine), **options)

    return make
