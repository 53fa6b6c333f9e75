"""Token counts from the processor's arithmetic equal the real processor's, for every debug architecture; batches
packed to a token budget."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.distill.helpers import make_row
from vdata.train.tokens import pack_by_tokens

pytest.importorskip("torch")


@pytest.mark.parametrize("arch", ["qwen2-vl", "qwen2.5-vl", "qwen3-vl"])
def test_counted_prompt_tokens_equal_the_processors(arch: str, tmp_path_factory: pytest.TempPathFactory):
    from vdata.engines import Templates
    from vdata.engines.tokens import TokenCounter
    from vdata.train.debug_model import build_debug_model
    from vdata.train.model import encode_prompts, load_processor

    processor = load_processor(str(build_debug_model(tmp_path_factory.mktemp(arch), arch=arch)))
    prompt = Templates().prompt(make_row("mc", "multiple_choice", question="What moves?", options=["a", "b"],
                                         answer="B"))
    for n in (6, 5, 2):  # an odd count is padded to the temporal patch; Qwen3-VL writes each frame's time
        cut = dataclasses.replace(prompt, frames=prompt.frames[:n], timestamps_s=prompt.timestamps_s[:n],
                                  frame_indices=prompt.frame_indices[:n])
        for max_pixels in (None, 56 * 56 * 2):
            real = encode_prompts(processor, [cut], max_pixels)["input_ids"].shape[1]
            assert TokenCounter(processor, max_pixels).prompt_tokens(cut) == real, (n, max_pixels)


def test_batches_are_packed_to_the_budget_in_order():
    assert list(pack_by_tokens([4, 4, 4, 12, 1, 1], budget=12, size=lambda n: n)) == [[4, 4, 4], [12], [1, 1]]


def test_sft_packs_micro_batches_by_tokens(tiny_model: Path, cot_data: Path, tmp_path: Path):
    from vdata.train import SFTConfig, train_sft

    options = dict(data=cot_data, model=str(tiny_model), max_steps=1, batch_size=4, lr=1e-3, num_workers=1)
    one = train_sft(SFTConfig(out=tmp_path / "one", **options)).records[0]
    packed = train_sft(SFTConfig(out=tmp_path / "packed", max_tokens_per_batch=800, **options)).records[0]
    assert one["micro_batches"] == 1 and packed["micro_batches"] > 1  # each row is ~380 tokens: two per batch
    assert packed["loss"] == pytest.approx(one["loss"], rel=1e-4)  # the same token-level mean, split differently


def test_counted_tokens_of_an_image_sample_equal_the_processors(tiny_model: Path):
    from tests.train.test_mixed_media import image_rows
    from vdata.engines import Templates
    from vdata.engines.tokens import TokenCounter
    from vdata.train.model import encode_prompts, load_processor

    processor = load_processor(str(tiny_model))
    prompt = Templates().prompt(image_rows(1, images=3)[0])
    assert prompt.media == "image"
    for max_pixels in (None, 56 * 56 * 2):
        real = encode_prompts(processor, [prompt], max_pixels)["input_ids"].shape[1]
        assert TokenCounter(processor, max_pixels).prompt_tokens(prompt) == real
