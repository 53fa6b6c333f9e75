"""Batches by tokens: `pack_by_tokens` cuts a sequence of samples into batches under a token budget, each
sample's count from `vdata.engines.tokens.TokenCounter` (the processor's own arithmetic, no model run).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any


def pack_by_tokens(items: Iterable[Any], budget: int, size: Any) -> Iterator[list[Any]]:
    """Consecutive `items` grouped into batches whose padded size `len(batch) x max(size(item))` stays within
    `budget` tokens (a longer item goes alone in its batch), in order.

    >>> list(pack_by_tokens([3, 3, 5, 1, 9, 2], budget=10, size=lambda n: n))
    [[3, 3], [5, 1], [9], [2]]
    """
    batch: list[Any] = []
    longest = 0
    for item in items:
        n = size(item)
        if batch and (len(batch) + 1) * max(longest, n) > budget:
            yield batch
            batch, longest = [], 0
        batch.append(item)
        longest = max(longest, n)
    if batch:
        yield batch


def split_by_tokens(items: Sequence[Any], budget: int, size: Any) -> list[list[Any]]:
    """`pack_by_tokens` as a list: the micro-batches of one step's `items`."""
    return list(pack_by_tokens(items, budget, size))
