"""Fixtures for trainer tests: a tiny random Qwen2.5-VL and small built datasets with real JPEG keyframes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.distill.helpers import make_row, write_dataset

LETTERS = "ABC"


def cot_rows(n: int, answer: str | None = None, cot: str = "the box moves at 2.0s") -> list[dict]:
    """`n` multiple-choice rows with a short `cot`; the answer cycles A, B, C unless `answer` is given."""
    return [
        make_row(
            f"q{i}",
            "multiple_choice",
            question="What moves?",
            options=["a car", "a bus", "a cat"],
            answer=answer or LETTERS[i % 3],
            cot=cot,
        )
        for i in range(n)
    ]


@pytest.fixture(scope="session")
def tiny_model(tiny_qwen: Path) -> Path:
    """The session's tiny random Qwen2.5-VL (`tests/conftest.py`)."""
    return tiny_qwen


@pytest.fixture(scope="session")
def sft_run(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory):
    """SFT of the tiny model on 6 short CoT rows (answers A, B, C in turn) until it writes the format: the
    warm start of the GRPO test, as SFT then GRPO is the intended recipe."""
    from vdata.train import SFTConfig, train_sft

    root = tmp_path_factory.mktemp("sft")
    data = write_dataset(root / "data", cot_rows(6, cot="look"))
    config = SFTConfig(
        data=data,
        model=str(tiny_model),
        out=root / "run",
        max_steps=70,
        batch_size=6,
        lr=5e-3,
        warmup_steps=5,
        num_workers=0,
    )
    return train_sft(config)


@pytest.fixture(scope="session")
def cot_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built dataset of 6 multiple-choice rows with CoT, answers A, B, C in turn."""
    return write_dataset(tmp_path_factory.mktemp("cot"), cot_rows(6))
