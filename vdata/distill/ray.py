"""Data-parallel teacher replicas on Ray: `vdata distill --replicas N [--ray-address ADDR]`.

`ReplicatedEngine` is an engine like the others (`generate(prompts, n, sampling)`): it starts `replicas` Ray
actors, each building the configured engine (`vdata.engines.create_engine`) once (its model loaded on the actor's node), and splits every batch
into contiguous slices, one per replica, generated concurrently and joined in prompt order. The distill loop,
verifier, journal and writer stay on the driver, unchanged, so resume works as on one machine. An actor holds
`tensor_parallel` GPUs for `vllm`, one GPU for `transformers` on a cluster with GPUs (`--device cpu`: none), and
one CPU otherwise. `--batch-size` counts prompts per call across all replicas: give each replica a full batch
with `--batch-size` = replicas x the per-replica batch. Sampling seeds come from each slice's first id, so a
rerun with the same `--replicas` samples the same texts (greedy and scripted teachers: for any `--replicas`).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vdata.engines import Engine, EngineConfig, EngineError, EngineStats, create_engine
from vdata.errors import ConfigError

if TYPE_CHECKING:
    from vdata.engines import Prompt, Sampling


class _Replica:
    """One Ray actor: the configured engine, built once."""

    def __init__(self, config: EngineConfig) -> None:
        self.engine = create_engine(config)

    def ready(self) -> bool:
        return True

    def generate(self, prompts: Sequence[Prompt], n: int, sampling: Sampling) -> tuple[list[list[str]], EngineStats]:
        return self.engine.generate(prompts, n, sampling), self.engine.stats

    def close(self) -> None:
        self.engine.close()


def replicated_or_single(config: EngineConfig, replicas: int, ray_address: str | None) -> Engine:
    """The engine of `config`; with `replicas > 1` or a `ray_address`, that many copies of it on Ray."""
    if replicas > 1 or ray_address is not None:
        return ReplicatedEngine(config, replicas, ray_address)
    return create_engine(config)


class ReplicatedEngine(Engine):
    """`replicas` copies of the engine `config` on the Ray cluster at `ray_address` (None = `RAY_ADDRESS` or a
    local instance).

    `stats`: `generated_tokens` and `prompt_tokens` summed over replicas; `generate_s` and `preprocess_s` the
    mean per replica (they run side by side); `calls` the batches asked.
    """

    def __init__(self, config: EngineConfig, replicas: int, ray_address: str | None = None) -> None:
        super().__init__(config)
        from vdata.ray import session, stdout_to_stderr

        # Until `close`: Ray's messages go to stderr (stdout may carry `--json`), and a driver opened here is
        # shut down at the end (Ray prints a dead worker's message late, from a thread, while it runs).
        self._connection = contextlib.ExitStack()
        self._connection.enter_context(stdout_to_stderr())
        self._ray = ray = self._connection.enter_context(session(ray_address))
        self._actors: list[Any] = []
        try:
            num_gpus = _gpus_per_replica(config, ray.cluster_resources().get("GPU", 0))
            _check_fits(replicas, num_gpus, ray.cluster_resources())
            actor = ray.remote(_Replica).options(num_cpus=1, num_gpus=num_gpus)
            self._actors = [actor.remote(config) for _ in range(replicas)]
            self._stats = [EngineStats() for _ in self._actors]
            ray.get([a.ready.remote() for a in self._actors])
        except ray.exceptions.RayActorError as e:
            self.close()
            raise EngineError(f"a teacher replica failed to start: {e}") from None
        except BaseException:
            self.close()
            raise

    def generate(self, prompts: Sequence[Prompt], n: int, sampling: Sampling) -> list[list[str]]:
        slices = split_evenly(len(prompts), len(self._actors))
        refs = [(k, a.generate.remote(list(prompts[lo:hi]), n, sampling))
                for k, (a, (lo, hi)) in enumerate(zip(self._actors, slices, strict=True)) if hi > lo]
        out: list[list[str]] = []
        for k, ref in refs:
            texts, self._stats[k] = self._ray.get(ref)
            out.extend(texts)
        self.stats = EngineStats(
            generate_s=sum(s.generate_s for s in self._stats) / len(self._stats),
            preprocess_s=sum(s.preprocess_s for s in self._stats) / len(self._stats),
            prompt_tokens=sum(s.prompt_tokens for s in self._stats),
            generated_tokens=sum(s.generated_tokens for s in self._stats),
            calls=self.stats.calls + 1,
        )
        return out

    def close(self) -> None:
        try:
            for a in self._actors:
                with contextlib.suppress(self._ray.exceptions.RayActorError):  # already dead: nothing to free
                    self._ray.get(a.close.remote())
                self._ray.kill(a)
            self._actors = []
        finally:
            self._connection.close()


def split_evenly(total: int, parts: int) -> list[tuple[int, int]]:
    """`parts` contiguous `[lo, hi)` ranges covering `range(total)`, sizes differing by at most one.

    >>> split_evenly(5, 2)
    [(0, 3), (3, 5)]
    """
    size, extra = divmod(total, parts)
    bounds = [k * size + min(k, extra) for k in range(parts + 1)]
    return list(itertools.pairwise(bounds))


def _gpus_per_replica(config: EngineConfig, cluster_gpus: float) -> int:
    if config.name == "vllm":
        return config.tensor_parallel
    if config.name == "transformers" and config.device != "cpu" and cluster_gpus > 0:
        return 1
    return 0


def _check_fits(replicas: int, num_gpus: int, resources: dict[str, Any]) -> None:
    """Fail at start-up when the cluster cannot hold every replica at once (they would wait forever)."""
    need = {"GPU": replicas * num_gpus, "CPU": replicas}
    for kind, count in need.items():
        if count > resources.get(kind, 0):
            raise ConfigError(f"--replicas {replicas} needs {count} {kind}s; the Ray cluster has "
                              f"{resources.get(kind, 0):g}")
