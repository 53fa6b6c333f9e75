"""TRL adapter: vdata rewards with the signature of `GRPOTrainer(reward_funcs=...)`.

    from vdata.rewards.trl import reward_funcs
    trainer = GRPOTrainer(model, reward_funcs=reward_funcs(["format", "accuracy"]), train_dataset=shard_rows, ...)

Each function takes `(prompts, completions, **dataset_columns)`, rebuilds each sample from the columns (every
shard column reaches it, e.g. `task`, `answer`, `spans`), accepts plain and conversational completions (with
`reasoning_content`), and returns one float or None (not applicable; TRL ignores it) per completion. The
completion length in tokens, from `completion_ids`, is given to the sample as `completion_tokens`.

Diagnostics: TRL >= 1.0 passes `log_extra` and `log_metric` to reward functions (`GRPOTrainer` and
`RLOOTrainer`). With them, each function adds two columns to TRL's completions table (what `log_completions`
prints and sends to wandb / trackio): `<reward>/parsed`, the answer the reward read ("" when none), and
`<reward>/error`, why the completion scored 0 or None ("" when it did not), and logs the metric
`rewards/<reward>/unparsed_ratio`, the share of judged completions with no readable answer. Older TRL passes
neither and gets the same rewards without them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from vdata.rewards import Explanation, Reward, get
from vdata.rewards.adapt import completion_text

#: TRL keyword arguments that are not dataset columns.
_SKIP = {"prompts", "completions", "completion_ids", "trainer_state", "prompt", "completion", "environments"}


@dataclass(frozen=True)
class TRLReward:
    """One vdata reward with TRL's reward-function signature; picklable, named like the reward.

    `diagnostics`: log each completion's parsed answer and error through TRL's `log_extra` / `log_metric` when
    the trainer passes them.
    """

    reward: Reward
    diagnostics: bool = True

    @property
    def __name__(self) -> str:
        return self.reward.name

    def __call__(
        self,
        prompts: Sequence[Any] | None = None,
        completions: Sequence[Any] | None = None,
        completion_ids: Sequence[Sequence[int]] | None = None,
        log_extra: Callable[[str, list], None] | None = None,
        log_metric: Callable[[str, float], None] | None = None,
        **columns: Any,
    ) -> list[float | None]:
        completions = list(completions or [])
        n = len(completions)
        verdicts: list[Explanation] = []
        for i, completion in enumerate(completions):
            sample = {
                k: v[i] for k, v in columns.items() if k not in _SKIP and isinstance(v, list) and len(v) == n
            }
            if completion_ids is not None and i < len(completion_ids):
                sample["completion_tokens"] = len(completion_ids[i])
            verdicts.append(self.reward.explain(completion_text(completion), sample))
        if self.diagnostics:
            log_diagnostics(self.reward.name, verdicts, log_extra, log_metric)
        return [v.value for v in verdicts]


def log_diagnostics(
    name: str,
    verdicts: Sequence[Explanation],
    log_extra: Callable[[str, list], None] | None,
    log_metric: Callable[[str, float], None] | None,
) -> None:
    """Hand TRL the columns `<name>/parsed` and `<name>/error` (one string per completion) and the metric
    `rewards/<name>/unparsed_ratio` (judged completions with an error and no parsed answer, over judged
    completions; not logged when none was judged). Either callable may be None (TRL < 1.0)."""
    if log_extra is not None:
        log_extra(f"{name}/parsed", ["" if v.parsed is None else str(v.parsed) for v in verdicts])
        log_extra(f"{name}/error", [v.error or "" for v in verdicts])
    judged = [v for v in verdicts if v.value is not None]
    if log_metric is not None and judged:
        unparsed = sum(v.parsed is None and v.error is not None for v in judged)
        log_metric(f"rewards/{name}/unparsed_ratio", unparsed / len(judged))


def reward_funcs(names: Sequence[str | Reward], diagnostics: bool = True, **options: Any) -> list[TRLReward]:
    """TRL reward functions for `names` (reward names or built rewards); `options` go to every named reward that
    has them (e.g. `fallback=True`). `diagnostics=False` keeps the parsed answers and errors out of TRL's logs."""
    from dataclasses import fields

    out = []
    for name in names:
        if isinstance(name, Reward):
            out.append(TRLReward(name, diagnostics))
            continue
        known = {f.name for f in fields(get(name))}
        out.append(TRLReward(get(name, **{k: v for k, v in options.items() if k in known}), diagnostics))
    return out
