"""`vdata curate difficulty`: each sample's pass rate under the policy, K sampled answers judged by the task reward.

Prompts are the engines' per-task templates (`vdata.engines.Templates`, as distill and infer build them); each
answer is scored by `reward` (default `accuracy`: the reward each task declares in `vdata.tasks`) and passes when
it reaches `threshold`, through distill's `Verifier` (one scoring rule). The pass rate, in [0, 1], is
`passed / samples`; it goes into the row's meta as `meta.difficulty = {"pass_rate", "passed", "samples",
"mean_reward", "model", "reward", "threshold", "run"}` (`json_extract(meta, '$.difficulty.pass_rate')` in
DuckDB) and into the report's `pass_rate` column. A sample the reward cannot judge (no gold) gets a null pass
rate and is kept, with reason `unjudged`. `run` is the `signature` of the options that decide a pass rate: run
on a dataset that already carries pass rates with the same signature, the step asks nothing and only filters
(`--keep` ranges can be tried on a scored dataset without sampling again).

Filters: `keep=(lo, hi)` keeps pass rates in [lo, hi]; `drop_solved` drops pass rate 1, `drop_unsolved` drops 0
(the groups that give GRPO no gradient). Every answer set is journaled (distill's `Journal`, fsynced per batch)
before anything else happens to it, so a run killed with `kill -9` and started again asks the model nothing twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa

from vdata.curate.base import Context, Decision, Key, Step, register
from vdata.distill.journal import Journal
from vdata.distill.verify import Candidate, Verifier
from vdata.engines import EngineConfig, EngineError, Templates, create_engine
from vdata.errors import ConfigError
from vdata.schemas import parse_meta
from vdata.shards import iter_rows

JOURNAL_NAME = "difficulty.jsonl"
#: Histogram bins of the report (pass rate in [0, 1]); a value falls in the first bin whose upper end is above it.
BINS = (("0", 0.0), ("(0,0.25)", 0.25), ("[0.25,0.5)", 0.5), ("[0.5,0.75)", 0.75), ("[0.75,1)", 1.0), ("1", 1.01))


def parse_range(text: str) -> tuple[float, float]:
    """`LO:HI` pass rates, 0 <= LO <= HI <= 1, both ends kept.

    >>> parse_range("0.1:0.9")
    (0.1, 0.9)
    """
    lo, sep, hi = text.partition(":")
    try:
        bounds = (float(lo), float(hi))
    except ValueError:
        bounds = (-1.0, -1.0)
    if not sep or not 0 <= bounds[0] <= bounds[1] <= 1:
        raise ConfigError(f"--keep {text!r}: expected LO:HI with 0 <= LO <= HI <= 1, e.g. 0.1:0.9")
    return bounds


def pass_bin(rate: float | None) -> str:
    """The histogram bin of a pass rate (`unjudged` for None).

    >>> pass_bin(0.0), pass_bin(0.125), pass_bin(1.0), pass_bin(None)
    ('0', '(0,0.25)', '1', 'unjudged')
    """
    if rate is None:
        return "unjudged"
    return next(name for name, upper in BINS if rate < upper or (upper == 0.0 and rate == 0.0))


@dataclass(frozen=True)
class DifficultyOptions:
    """`engine`: the policy (`vdata.engines.EngineConfig`); `samples`: answers per sample (K >= 1); `reward`: the
    reward that judges them (a name in `vdata.rewards`); `threshold`: the reward an answer needs to pass;
    `keep`: (lo, hi) pass-rate range to keep, None = all; `drop_solved`, `drop_unsolved`."""

    engine: EngineConfig
    samples: int = 8
    reward: str = "accuracy"
    threshold: float = 0.5
    keep: tuple[float, float] | None = None
    drop_solved: bool = False
    drop_unsolved: bool = False

    def __post_init__(self) -> None:
        from vdata import rewards

        if not isinstance(self.engine, EngineConfig):
            raise ConfigError(f"engine must be a vdata.engines.EngineConfig, got {self.engine!r}")
        if self.samples < 1:
            raise ConfigError(f"-k/--samples must be >= 1, got {self.samples}")
        rewards.get(self.reward)  # an unknown reward fails here, listing the known ones
        if self.keep is not None:
            parse_range(f"{self.keep[0]}:{self.keep[1]}")


@register("difficulty")
class Difficulty(Step):
    """Pass rate per sample under a policy (see the module docstring)."""

    report_schema = pa.schema([("pass_rate", pa.float64()), ("passed", pa.int32()), ("samples", pa.int32()),
                               ("mean_reward", pa.float64())])

    def code(self) -> list[type]:
        from vdata import rewards

        return [type(self), Verifier, Journal, type(rewards.get(self.options.reward))]

    def decide(self, context: Context) -> tuple[dict[Key, Decision], dict[str, Any]]:
        opts: DifficultyOptions = self.options
        verifier = Verifier(((opts.reward, 1.0),), opts.threshold, {})
        journal = Journal(context.work / JOURNAL_NAME)
        run = signature(opts)
        stored = {}
        for _, row in context.meta(["id", "meta"]):
            previous = parse_meta(row["meta"]).get("difficulty")
            if isinstance(previous, dict) and previous.get("run") == run:
                stored[row["id"]] = previous
        asked = _ask(opts, context, journal, verifier, set(stored))
        decisions: dict[Key, Decision] = {}
        by_task: dict[str, Counter[str]] = {}
        by_source: dict[str, Counter[str]] = {}
        for key, row in context.meta(["id", "task", "source"]):
            if row["id"] in stored:
                s = stored[row["id"]]
                counts = (s["passed"], s["samples"], s["mean_reward"], s["pass_rate"] is not None)
            else:
                counts = _counts(journal.entries[row["id"]][1], opts.reward)
            decisions[key] = self._decide(*counts, run)
            rate = decisions[key].report["pass_rate"]
            by_task.setdefault(row["task"], Counter())[pass_bin(rate)] += 1
            by_source.setdefault(row["source"], Counter())[pass_bin(rate)] += 1
        order = [name for name, _ in BINS] + ["unjudged"]
        summary = {"asked": asked, "resumed": len(decisions) - asked - len(stored), "reused": len(stored),
                   "bins": order,
                   "histogram_by_task": {t: {b: c[b] for b in order if c[b]} for t, c in sorted(by_task.items())},
                   "histogram_by_source": {s: {b: c[b] for b in order if c[b]} for s, c in sorted(by_source.items())}}
        return decisions, summary

    def _decide(self, passed: int, samples: int, mean: float | None, judged: bool, run: dict[str, Any]) -> Decision:
        opts: DifficultyOptions = self.options
        rate = passed / samples if judged else None
        info = {"pass_rate": rate, "passed": passed, "samples": samples, "mean_reward": mean,
                "model": opts.engine.model, "reward": opts.reward, "threshold": opts.threshold, "run": run}
        report = {k: info[k] for k in ("pass_rate", "passed", "samples", "mean_reward")}
        reason = ""
        if rate is None:
            reason = "unjudged: the reward cannot judge this sample (no gold?)"
        elif opts.drop_solved and rate == 1.0:
            reason = "solved: every answer passed"
        elif opts.drop_unsolved and rate == 0.0:
            reason = "unsolved: no answer passed"
        elif opts.keep is not None and not opts.keep[0] <= rate <= opts.keep[1]:
            reason = f"pass_rate: {rate:.3f} outside {opts.keep[0]}:{opts.keep[1]}"
        keep = rate is None or not reason
        return Decision(keep, reason, updates={"meta": {"difficulty": info}}, report=report)


def signature(opts: DifficultyOptions) -> dict[str, Any]:
    """What decides a pass rate (policy, engine, sampling, K, reward, threshold, prompt templates): a sample whose
    `meta.difficulty.run` equals it is not asked again."""
    return {"model": opts.engine.model, "engine": opts.engine.name, "sampling": asdict(opts.engine.sampling),
            "samples": opts.samples, "reward": opts.reward, "threshold": opts.threshold,
            "max_pixels": opts.engine.max_pixels, "template_hash": Templates(opts.engine.prompt_templates).digest}


def _counts(candidates: list[Candidate], reward: str) -> tuple[int, int, float | None, bool]:
    """(answers passed, answers, mean reward, whether the reward could judge the sample) of journaled answers."""
    judged = any(c.rewards.get(reward) is not None for c in candidates)
    mean = round(sum(c.reward for c in candidates) / len(candidates), 6) if judged else None
    return sum(c.passed for c in candidates), len(candidates), mean, judged


def _ask(opts: DifficultyOptions, context: Context, journal: Journal, verifier: Verifier, skip: set[str]) -> int:
    """Ask the policy about every sample neither in the journal nor in `skip`, `engine.batch_size` samples per
    call; returns how many were asked. The engine is built only when there is something to ask."""
    total = context.count()
    todo = total - len(set(journal.entries) | skip)
    if todo <= 0:
        return 0
    templates = Templates(opts.engine.prompt_templates)
    engine = create_engine(opts.engine)
    asked = 0
    try:
        batch: list[dict[str, Any]] = []
        for row in iter_rows(context.inputs[0]):
            if row["id"] not in journal.entries and row["id"] not in skip:
                batch.append(row)
            if len(batch) >= opts.engine.batch_size:
                asked += _batch(opts, engine, templates, verifier, journal, batch)
                batch = []
                context.progress("sample answers", asked, todo)
        if batch:
            asked += _batch(opts, engine, templates, verifier, journal, batch)
        context.progress("sample answers", asked, todo)
    finally:
        engine.close()
    return asked


def _batch(opts: DifficultyOptions, engine: Any, templates: Templates, verifier: Verifier, journal: Journal,
           rows: list[dict[str, Any]]) -> int:
    prompts = [templates.prompt(row) for row in rows]
    texts = engine.generate(prompts, opts.samples, opts.engine.sampling)
    if len(texts) != len(rows) or any(len(t) != opts.samples for t in texts):
        raise EngineError(f"engine {opts.engine.name} returned {[len(t) for t in texts]} texts for {len(rows)} "
                          f"prompts x {opts.samples} samples")
    journal.append([(row["id"], row["task"], verifier.judge(t, row)) for row, t in zip(rows, texts, strict=True)])
    return len(rows)
