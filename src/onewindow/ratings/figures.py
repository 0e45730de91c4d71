"""The one definition of each rating figure, as database expressions every page aggregates with:
the rectification queue's indicators (``ratings.indicators``), the published results
(``ratings.published``), the assessment's table (1) (``assess.tables``) and the dashboard
(``dashboard.selectors``). The rules are written out in ratings/README.md ("The figures").

Over ratings (``Rating`` rows; ``path`` prefixes the fields for a query from another model):

- ``bad()`` — 差评: an active rating (never a default) of level 1 or 2;
- ``bad_upheld()`` — 差评 whose appeal was upheld (rectification ``upheld``): out of the
  rate's denominator;
- ``bad_rectified()`` — 差评 whose rectification is ``fixed`` (at once, or on the ledger
  before the second call-back) or ``closed`` (explained, or called back after the fix);
- 差评整改率 = ``bad_rectified ÷ (bad − bad_upheld)`` (``rectified_rate``);
- ``satisfied()`` — levels 3–5; 满意率 = ``satisfied ÷ all ratings`` (``satisfaction_rate``),
  defaults and upheld ones included: the record. Only the scores leave an upheld one out.

Over cases: ``completed(...)`` and ``completed_at()`` — a case is completed when handed over
(``delivered``, at ``delivered_at``), or, an instant item, when finished on the spot
(``decided`` or ``delivered``, at ``decided_at``) — the rule of ``selectors.case_completed_at``
for one case; 主动评价率 = completed cases with an active rating ÷ completed cases.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case as Switch
from django.db.models import DateTimeField, F, Q, When

from onewindow.cases.transitions import CaseState
from onewindow.catalog.codes import CaseType
from onewindow.ratings.codes import BAD_LEVELS, SATISFIED_LEVELS
from onewindow.ratings.transitions import RectificationState

RECTIFIED_STATES = (RectificationState.FIXED, RectificationState.CLOSED)


def bad(path: str = "") -> Q:
    """差评: an active rating of level 1–2 (a default is never a bad rating)."""
    return Q(**{f"{path}level__in": sorted(BAD_LEVELS), f"{path}is_default": False})


def bad_upheld(path: str = "") -> Q:
    """A bad rating whose appeal was upheld: it leaves the 差评整改率's denominator."""
    return bad(path) & Q(**{f"{path}rectification__state": RectificationState.UPHELD})


def bad_rectified(path: str = "") -> Q:
    """A bad rating whose rectification is fixed or closed."""
    return bad(path) & Q(**{f"{path}rectification__state__in": RECTIFIED_STATES})


def satisfied(path: str = "") -> Q:
    """满意 for 满意率: levels 3–5, whatever the channel (defaults too)."""
    return Q(**{f"{path}level__in": sorted(SATISFIED_LEVELS)})


def percent(part: int, whole: int) -> Decimal | None:
    """``part ÷ whole`` in percent, one decimal (half up); ``None`` when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def rectified_rate(*, rectified: int, bad: int, upheld: int) -> Decimal | None:
    """差评整改率 in percent: rectified ÷ (bad − upheld)."""
    return percent(rectified, bad - upheld)


def satisfaction_rate(*, satisfied: int, total: int) -> Decimal | None:
    """满意率 in percent: levels 3–5 ÷ all ratings."""
    return percent(satisfied, total)


_INSTANT = Q(item_version__snapshot__case_type=CaseType.INSTANT)


def completed(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> Q:
    """Cases completed in ``[since, until)`` (either bound optional): handed over, or an
    instant item finished on the spot (at ``decided_at``)."""

    def bounds(field: str) -> dict[str, dt.datetime]:
        out = {}
        if since is not None:
            out[f"{field}__gte"] = since
        if until is not None:
            out[f"{field}__lt"] = until
        return out

    handed = Q(state=CaseState.DELIVERED, delivered_at__isnull=False, **bounds("delivered_at"))
    on_the_spot = Q(
        state__in=[CaseState.DELIVERED, CaseState.DECIDED],
        decided_at__isnull=False,
        **bounds("decided_at"),
    )
    return (handed & ~_INSTANT) | (on_the_spot & _INSTANT)


def completed_at() -> Switch:
    """The moment a completed case was completed (``completed`` picks the cases)."""
    return Switch(
        When(_INSTANT, then=F("decided_at")),
        default=F("delivered_at"),
        output_field=DateTimeField(),
    )


__all__ = [
    "RECTIFIED_STATES",
    "SATISFIED_LEVELS",
    "bad",
    "bad_rectified",
    "bad_upheld",
    "completed",
    "completed_at",
    "percent",
    "rectified_rate",
    "satisfaction_rate",
    "satisfied",
]
