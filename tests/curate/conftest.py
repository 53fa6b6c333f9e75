"""Session fixtures for curate tests: generated videos, their near-duplicates, datasets built from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.curate.media import build_dataset, derive, textured_video

#: Kinds of near-duplicate `derive` makes of the first video.
KINDS = ("crf", "resize", "crop", "cut")


@pytest.fixture(scope="session")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`v0`..`v3`: distinct 4-second videos; `v0_crf`, `v0_resize`, `v0_crop`, `v0_cut`: near-duplicates of v0."""
    root = tmp_path_factory.mktemp("curate-videos")
    out = {f"v{s}": textured_video(root / f"v{s}.mp4", seed=s) for s in range(4)}
    out.update({f"v0_{k}": derive(out["v0"], root / f"v0_{k}.mp4", k) for k in KINDS})
    return out


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, videos: dict[str, Path]) -> dict[str, Path]:
    """`all`: every video, one caption sample each; `a`: v0, v1 and two questions on v1; `b`: v0_crf, v2 and
    a repeat of one of a's questions on v1."""
    root = tmp_path_factory.mktemp("curate-built")
    mc = {"task": "multiple_choice", "options": ["red", "blue"], "answer": "A"}
    return {
        "all": build_dataset(list(videos.values()), root / "all"),
        "a": build_dataset([videos["v0"], videos["v1"]], root / "a", extra=[
            {"video": str(videos["v1"]), "id": "q1", "question": "What colour is the square?", **mc},
            {"video": str(videos["v1"]), "id": "q2", "question": "Is the square moving?", **mc}]),
        "b": build_dataset([videos["v0_crf"], videos["v2"]], root / "b", extra=[
            {"video": str(videos["v1"]), "id": "q1", "question": "what colour is the square", **mc}]),
    }
