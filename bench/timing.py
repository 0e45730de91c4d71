"""Interleaved timing: a subject and its baseline measured in turn, in the same run.

Each round runs the baseline once, then the subject once (after one untimed warm-up of each),
so that a slow moment of the machine (another process, the page cache, a checkpoint) falls on
both alike. ``Figure`` holds the times of both and the query count of one subject run.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` 0…1) of ``values``; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Figure:
    """One benchmark's result: subject and baseline times in milliseconds."""

    name: str
    subject: str
    baseline: str
    subject_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    queries: int | None = None
    baseline_queries: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    skipped: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.subject_ms) if self.subject_ms else 0.0

    @property
    def p95_ms(self) -> float:
        return percentile(self.subject_ms, 0.95)

    @property
    def baseline_median_ms(self) -> float:
        return statistics.median(self.baseline_ms) if self.baseline_ms else 0.0

    @property
    def baseline_p95_ms(self) -> float:
        return percentile(self.baseline_ms, 0.95)

    @property
    def ratio(self) -> float | None:
        """Median subject / median baseline (``None`` when either is missing)."""
        if not self.subject_ms or not self.baseline_ms or self.baseline_median_ms <= 0:
            return None
        return self.median_ms / self.baseline_median_ms

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "subject": self.subject,
            "baseline": self.baseline,
            "skipped": self.skipped,
            "rounds": len(self.subject_ms),
            "median_ms": round(self.median_ms, 3),
            "p95_ms": round(self.p95_ms, 3),
            "baseline_median_ms": round(self.baseline_median_ms, 3),
            "baseline_p95_ms": round(self.baseline_p95_ms, 3),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "queries": self.queries,
            "baseline_queries": self.baseline_queries,
            "subject_ms": [round(v, 3) for v in self.subject_ms],
            "baseline_ms": [round(v, 3) for v in self.baseline_ms],
            "extra": self.extra,
        }


def _ms(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def interleaved(
    figure: Figure,
    *,
    subject: Callable[[], Any],
    baseline: Callable[[], Any],
    rounds: int,
    warmup: int = 1,
) -> Figure:
    """Fill ``figure`` with ``rounds`` alternating runs: baseline, subject, baseline …"""
    for _ in range(warmup):
        baseline()
        subject()
    for _ in range(rounds):
        figure.baseline_ms.append(_ms(baseline))
        figure.subject_ms.append(_ms(subject))
    return figure


def count_queries(run: Callable[[], Any]) -> int:
    """The SQL statements one run of ``run`` sends through Django's default connection."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)
