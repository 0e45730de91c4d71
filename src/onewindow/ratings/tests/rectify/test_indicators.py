"""The indicators on a hand-built month: 差评整改率, 实名差评回访率, the counts beside them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from onewindow.ratings.indicators import month_bounds, percent, rectification_figures
from onewindow.ratings.models import Rating, Rectification
from onewindow.ratings.services import rectify
from onewindow.ratings.tests.rectify.conftest import fresh, rating_of

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)


def at(day: int, hour: int = 10, month: int = 11) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour, 0))


def test_the_figures_of_a_hand_built_month(instant_case, lead, manager, city):
    n = iter(range(100))

    def bad(level: int = 1, when: dt.datetime | None = None) -> Rectification:
        rating = rating_of(instant_case, level, rated_at=when or at(10), key=f"k:{next(n)}")
        return Rectification.objects.get(rating=rating)

    def verify(r: Rectification) -> None:
        rectify.rectification_verify(
            rectification=r,
            actor=lead,
            callback_result="not_reached",
            finding="已核查",
            expected_revision=fresh(r).revision,
            now=at(11),
        )

    bad()  # left to be called back: overdue
    on_ledger = bad(2)
    verify(on_ledger)
    rectify.rectification_ledger(
        rectification=on_ledger,
        actor=lead,
        days=5,
        plan="整改",
        expected_revision=fresh(on_ledger).revision,
        now=at(11),
    )  # due 2026-11-18: overdue on the 30th
    fixed = bad()
    verify(fixed)
    rectify.rectification_fix_now(
        rectification=fixed, actor=lead, fix_summary="已改", expected_revision=fresh(fixed).revision
    )
    explained = bad()
    verify(explained)
    rectify.rectification_explain(
        rectification=explained,
        actor=lead,
        explanation="已说明",
        expected_revision=fresh(explained).revision,
    )
    upheld = bad(2)
    verify(upheld)
    rectify.rectification_appeal(
        rectification=upheld,
        actor=city.clerk,
        reason="恶意",
        expected_revision=fresh(upheld).revision,
    )
    rectify.rectification_uphold_appeal(
        rectification=upheld,
        actor=manager,
        decision="成立",
        expected_revision=fresh(upheld).revision,
    )
    # Not counted: a good rating, a default one, a bad one of October, one of December.
    rating_of(instant_case, 5, rated_at=at(12), key="good")
    rating_of(instant_case, 3, rated_at=at(12), key="default", is_default=True)
    bad(when=at(31, 23, month=10))
    bad(when=at(1, 0, month=12))

    figures = rectification_figures(Rating.objects.all(), month=dt.date(2026, 11, 17), now=at(30))
    assert (
        figures.month,
        figures.bad,
        figures.upheld,
        figures.due,
        figures.rectified,
        figures.named,
        figures.called_back,
        figures.overdue,
    ) == (NOV, 5, 1, 4, 2, 5, 4, 2)
    assert figures.rectified_rate == Decimal("50.0")
    assert figures.callback_rate == Decimal("80.0")
    # Another scope: nothing.
    empty = rectification_figures(Rating.objects.none(), month=NOV, now=at(30))
    assert (empty.bad, empty.rectified_rate, empty.callback_rate) == (0, None, None)


def test_month_bounds_and_percent():
    assert month_bounds(dt.date(2026, 12, 9)) == (
        at(1, 0, month=12),
        timezone.make_aware(dt.datetime(2027, 1, 1)),
    )
    assert percent(2, 3) == Decimal("66.7")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(0, 0) is None
