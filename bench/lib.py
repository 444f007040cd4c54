"""The one record format every benchmark writes, and small timing helpers.

A benchmark module is `bench/bench_<name>.py`; it defines `run(ctx) -> list[dict]` whose
items come from `record()`. The runner (`python -m bench.run`) writes the list to
`bench/results/<name>.json` and adds its rows to `bench/results/SUMMARY.md`.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any, Literal


def record(
    name: str,
    value: float,
    unit: str,
    better: Literal["lower", "higher"],
    *,
    target: float | None = None,
    baseline: float | None = None,
    ratio: float | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One measured figure. `ratio` defaults to value / baseline when a baseline is given."""
    if ratio is None and baseline not in (None, 0):
        ratio = value / baseline
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "better": better,
        "target": target,
        "baseline": baseline,
        "ratio": ratio,
        "params": params or {},
    }


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation, like numpy's default."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def time_calls(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of `repeat` calls of fn, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def latency_records(
    prefix: str, samples: list[float], params: dict[str, Any], target_p95_ms: float | None = None
):
    """p50 and p95 latency records (milliseconds) for a list of seconds."""
    ms = [s * 1000 for s in samples]
    return [
        record(f"{prefix}.p50", round(statistics.median(ms), 3), "ms", "lower", params=params),
        record(
            f"{prefix}.p95", round(percentile(ms, 95), 3), "ms", "lower", target=target_p95_ms, params=params
        ),
    ]


def measure_peak_memory(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run fn once; return (result, seconds, peak Python-heap MiB traced by tracemalloc)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = fn()
    finally:
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, elapsed, peak / 2**20
