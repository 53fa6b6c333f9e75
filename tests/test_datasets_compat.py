"""The shards load with Hugging Face `datasets` alone: `frames` come back as PIL images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.videos import read_index
from vdata.schemas import HF_FEATURES

datasets = pytest.importorskip("datasets")


def test_the_features_metadata_is_what_datasets_would_write() -> None:
    features = datasets.Features.from_dict(HF_FEATURES)
    assert isinstance(features["frames"], datasets.List) and isinstance(features["frames"].feature, datasets.Image)
    assert features.to_dict() == HF_FEATURES


def test_load_dataset_parquet_gives_splits_and_frames_as_images(built: Path, tmp_path: Path) -> None:
    from PIL import Image

    loaded = datasets.load_dataset("parquet", data_dir=str(built), cache_dir=str(tmp_path / "cache"))
    assert {name: len(split) for name, split in loaded.items()} == {"train": 4, "test": 1}
    assert loaded["train"].features == datasets.Features.from_dict(HF_FEATURES)
    row = loaded["train"][0]
    assert all(isinstance(frame, Image.Image) for frame in row["frames"])
    assert [read_index(np.asarray(frame.convert("RGB"))) for frame in row["frames"]] == row["frame_indices"]
