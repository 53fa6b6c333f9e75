"""Weighted reward lists: the one `NAME[:WEIGHT],...` parser and the one default list, for every stage.

`vdata train grpo --rewards`, `vdata distill --verify` and `vdata infer --verifier` all read their lists here,
so `accuracy:-1` means the same thing everywhere (the reward `accuracy` with weight -1). Rewards are combined
by `vdata.rewards.score` (the one weighted sum).
"""

from __future__ import annotations

import math
import re

from vdata.errors import ConfigError

#: The default reward list of every stage: `format` (one `<think>` then one `<answer>`) and `accuracy` (the
#: sample's task reward), weighted 1:4 so a well-formatted wrong answer scores 0.2 of the best.
DEFAULT_REWARDS = "format:1,accuracy:4"

_WEIGHT = re.compile(r"\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*")


def parse_weights(
    spec: str, flag: str = "--rewards", positive: bool = False, known: bool = True
) -> tuple[tuple[str, float], ...]:
    """`format:1,accuracy:4` -> ((name, weight), ...); a missing weight is 1.

    The weight is what follows the last `:` when it is a number (`video-r1/accuracy:2`, `accuracy:-1`).
    `positive` rejects weights <= 0 (a verifier's mean); `known` checks each name against the reward
    registry now, so a typo fails at start-up. Errors name `flag` and the whole spec.

    >>> parse_weights("format:0.5, accuracy, accuracy_neg:-1", known=False)
    (('format', 0.5), ('accuracy', 1.0), ('accuracy_neg', -1.0))
    """
    out = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, sep, weight = part.rpartition(":")
        if not sep:
            name, weight = part, "1"
        elif not _WEIGHT.fullmatch(weight):
            raise ConfigError(f"{flag} {spec!r}: weight of {name.strip()!r} must be a number, got {weight!r}")
        name, w = name.strip(), float(weight)
        if not math.isfinite(w):
            raise ConfigError(f"{flag} {spec!r}: weight of {name!r} must be finite, got {weight}")
        if positive and w <= 0:
            raise ConfigError(f"{flag} {spec!r}: weight of {name!r} must be > 0, got {weight}")
        if known:
            from vdata.rewards.base import reward_class

            reward_class(name)
        out.append((name, w))
    if not out:
        raise ConfigError(f"{flag} {spec!r}: name at least one reward, e.g. {DEFAULT_REWARDS}")
    return tuple(out)
