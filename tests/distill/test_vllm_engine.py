"""The `vllm` engine on a GPU with a local model: `VDATA_VLLM_MODEL=/path/to/Qwen2.5-VL-3B-Instruct pytest -m gpu`.

Skipped without CUDA, without vLLM or without a model already on disk (tests never download weights).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.distill.helpers import ROWS
from vdata.distill import DistillConfig, distill
from vdata.engines import EngineConfig, Sampling
from vdata.shards import read_table

pytestmark = pytest.mark.gpu


def test_vllm_distill_end_to_end(tmp_path: Path, dataset: Path):
    torch = pytest.importorskip("torch")
    pytest.importorskip("vllm")
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    model = os.environ.get("VDATA_VLLM_MODEL")
    if not model or not Path(model).is_dir():
        pytest.skip("set VDATA_VLLM_MODEL to a local vision-language model folder")
    engine = EngineConfig(model, "vllm", sampling=Sampling(temperature=0.7, max_new_tokens=128))
    report = distill(DistillConfig(input=dataset, out=tmp_path / "out", engine=engine, samples=2, keep_rejected=True))
    assert report.items == len(ROWS) and report.generated_tokens > 0
    assert len(read_table(report.out, columns=["id"])) >= len(ROWS)
