"""Evaluation during training: greedy answers of the current model on held-out rows (`eval_split`), scored by
`vdata eval`'s per-sample scoring (`vdata.eval.score.score`, the task layer's metrics), as log fields."""

from __future__ import annotations

from typing import Any

from vdata.train.config import SFTConfig


def held_out(config: SFTConfig) -> list[Any]:
    """The first `eval_rows` rows of `eval_split` as `Sample`s (prompt and decoded keyframes); raises when none."""
    import itertools

    from vdata.errors import ConfigError
    from vdata.shards import iter_rows
    from vdata.train.data import Prepare

    rows = list(itertools.islice(iter_rows(config.data, split=config.eval_split), config.eval_rows))
    if not rows:
        raise ConfigError(f"--eval-split {config.eval_split}: no rows in {config.data}")
    prepare = Prepare()
    return [prepare(row) for row in rows]


def evaluate(model: Any, processor: Any, samples: list[Any], config: SFTConfig, device: Any) -> dict[str, float]:
    """`eval/TASK/METRIC` (mean over the task's samples, in [0, 1]) and `eval/parse_failure_rate` of greedy
    completions (`eval_max_new_tokens` tokens) of `model` for `samples`, `batch_size` prompts at a time."""
    import torch

    from vdata.eval.score import score
    from vdata.train.model import encode_prompts, special_ids, to_device
    from vdata.train.rollout import media_token_ids

    eos, pad = special_ids(processor)
    was_training = model.training
    model.eval()
    texts: list[str] = []
    for i in range(0, len(samples), config.batch_size):
        batch = samples[i : i + config.batch_size]
        inputs = to_device(encode_prompts(processor, [s.prompt for s in batch], config.max_pixels,
                                          [s.images for s in batch]), device)
        with torch.no_grad():
            # rank 0 generates alone (under FSDP on the gathered weights): no per-token sync with other processes
            out = model.generate(**inputs, do_sample=False, max_new_tokens=config.eval_max_new_tokens,
                                 eos_token_id=eos, pad_token_id=pad, suppress_tokens=media_token_ids(model),
                                 synced_gpus=False)
        texts += processor.batch_decode(out[:, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    model.train(was_training)
    values: dict[str, list[float]] = {}
    failures, judged = 0, 0
    for text, sample in zip(texts, samples, strict=True):
        scored = score(text, sample.row)
        if scored is None:
            continue
        judged += 1
        failures += scored.parse_failed
        for metric, value in scored.values.items():
            values.setdefault(f"eval/{sample.row['task']}/{metric}", []).append(value)
    out = {key: sum(v) / len(v) for key, v in sorted(values.items())}
    out["eval/parse_failure_rate"] = failures / judged if judged else float("nan")
    return out
