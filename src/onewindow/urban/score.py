"""The district's monthly grid score (STANDARDS, "Grid management"): by default

    处置率 × 30 + 按期处置率 × 20 + (1 − 返工率) × 20 + (1 − 超期未处置率) × 20 + (1 − 延期率) × 10

with weights a manager sets (``ScoreWeights``, newest in force; ``score_weights_set``). The
rates are the ones of ``urban.indicators`` (exact fractions); a rate with no denominator (no
case dispatched, none due) leaves its weight out, and the score is rescaled to the weights of
the figures present: Σ weight × figure ÷ Σ weight × 100, on 0–100, one decimal (half up)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.hotline.indicators import Month
from onewindow.urban.indicators import BY_CODE, Figures, Level, MonthIndicators, month_indicators
from onewindow.urban.models import ScoreWeights

# weight name → the indicator it weighs (``lower_is_better`` ones enter as 1 − rate).
WEIGHTED = (
    ("handling", "handling"),
    ("handle_on_time", "handle_on_time"),
    ("rework", "rework"),
    ("overdue_pending", "overdue_pending"),
    ("extension", "extension"),
)
WEIGHT_NAMES = tuple(name for name, _code in WEIGHTED)
DEFAULT_WEIGHTS: dict[str, int] = {
    "handling": 30,
    "handle_on_time": 20,
    "rework": 20,
    "overdue_pending": 20,
    "extension": 10,
}
WEIGHT_LABELS = {
    "handling": _("Handling rate (处置率)"),
    "handle_on_time": _("Handled on time (按期处置率)"),
    "rework": _("1 − rework rate (返工率)"),
    "overdue_pending": _("1 − overdue, not handled (超期未处置率)"),
    "extension": _("1 − extension rate (延期率)"),
}
WEIGHTS_TOTAL = 100


def weights_current() -> dict[str, int]:
    """The weights in force now (the defaults until a manager sets some). One query."""
    return weights_at(None)


def weights_at(moment: dt.datetime | None) -> dict[str, int]:
    """The weights in force at ``moment`` (the newest set no later than it). One query."""
    rows = ScoreWeights.objects.order_by("-set_at", "-id")
    if moment is not None:
        rows = rows.filter(set_at__lt=moment)
    row = rows.values(*WEIGHT_NAMES).first()
    return dict(row) if row else dict(DEFAULT_WEIGHTS)


def figure_value(figures: Figures, code: str) -> Fraction | None:
    """The figure that enters the score, on 0–1: the rate, or 1 − rate where less is better."""
    exact = figures.exact(code)
    if exact is None:
        return None
    return 1 - exact if BY_CODE[code].lower_is_better else exact


def score_exact(figures: Figures, weights: Mapping[str, int]) -> Fraction | None:
    total_weight = 0
    total = Fraction(0)
    for name, code in WEIGHTED:
        value = figure_value(figures, code)
        weight = int(weights.get(name, 0))
        if value is None or not weight:
            continue
        total += weight * value
        total_weight += weight
    if not total_weight:
        return None
    return total * 100 / total_weight


def score_of(figures: Figures, weights: Mapping[str, int]) -> Decimal | None:
    """The score of one street, unit or the district, 0–100, one decimal (half up)."""
    exact = score_exact(figures, weights)
    if exact is None:
        return None
    value = Decimal(exact.numerator) / Decimal(exact.denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoreRow:
    level: str
    key: str
    name: str
    score: Decimal | None
    figures: Figures


@dataclass
class MonthScore:
    month: Month
    weights: dict[str, int]
    district: ScoreRow
    streets: list[ScoreRow]
    units: list[ScoreRow]


def month_score(
    *,
    month: Month,
    indicators: MonthIndicators | None = None,
    weights: Mapping[str, int] | None = None,
    **kwargs: Any,
) -> MonthScore:
    """The month's score of the district, of each street and of each handling unit, with the
    weights in force at the month's end (or ``weights``)."""
    figures = indicators or month_indicators(month=month, **kwargs)
    chosen = dict(weights) if weights is not None else weights_at(month.end)

    def row(f: Figures) -> ScoreRow:
        return ScoreRow(f.level, f.key, f.name, score_of(f, chosen), f)

    return MonthScore(
        month=month,
        weights=chosen,
        district=row(figures.total),
        streets=[row(f) for f in figures.rows(Level.STREET)],
        units=[row(f) for f in figures.rows(Level.UNIT)],
    )
