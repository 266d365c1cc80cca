"""Pure statistics for the benchmark (no Django): percentiles and the comparison of query counts."""

import math


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100): a value that was measured, never an interpolation."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ratio(value: float, floor: float) -> float | None:
    return round(value / floor, 1) if floor > 0 else None


def count_growth(small: int | None, large: int | None) -> str:
    """'constant', 'grows' (more queries on the larger data set: a query per row somewhere) or 'shrinks'."""
    if small is None or large is None:
        return "n/a"
    if large == small:
        return "constant"
    return "grows" if large > small else "shrinks"
