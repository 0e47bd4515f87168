"""Metrics for the golden suites."""

from __future__ import annotations

import math
from collections.abc import Sequence


def first_hit_rank(ranked: Sequence[tuple[str, str]], relevant: set[tuple[str, str]]) -> int | None:
    for rank, key in enumerate(ranked, start=1):
        if key in relevant:
            return rank
    return None


def recall_at(ranked: Sequence[tuple[str, str]], relevant: set[tuple[str, str]], k: int) -> float:
    """1.0 when any relevant article is in the top k (hit rate, as a question has one answer)."""
    return 1.0 if any(key in relevant for key in ranked[:k]) else 0.0


def reciprocal_rank(ranked: Sequence[tuple[str, str]], relevant: set[tuple[str, str]]) -> float:
    rank = first_hit_rank(ranked, relevant)
    return 1.0 / rank if rank else 0.0


def ndcg_at(ranked: Sequence[tuple[str, str]], relevant: set[tuple[str, str]], k: int = 10) -> float:
    gains = [1.0 / math.log2(rank + 1) for rank, key in enumerate(ranked[:k], start=1) if key in relevant]
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return sum(gains) / ideal if ideal else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = (len(ordered) - 1) * q
    low, high = math.floor(index), math.ceil(index)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
