"""Every published figure of the hand-built October (``conftest.py``), exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.ratings import published
from onewindow.ratings.models import Resolution
from onewindow.ratings.tests.conftest import rating_of
from onewindow.ratings.tests.publish.conftest import (
    FIX_TEXT,
    at,
    build_october,
    finish,
    instant_case,
)
from onewindow.ratings.transitions import RectificationState

OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)


def test_a_department_s_october(october):
    f = published.by_department(OCTOBER)[october.department.pk]
    assert f.month == OCTOBER
    assert f.ratings == 6
    assert f.level_counts == [(5, 1), (4, 1), (3, 1), (2, 1), (1, 2)]
    assert f.defaults == 1
    assert f.upheld == 1
    assert f.satisfied == 3
    assert f.satisfaction_rate == Decimal("50.0")
    assert (f.completed, f.completed_rated) == (5, 4)
    assert f.active_rate == Decimal("80.0")
    # r3 fixed at once (closed), r4 waiting for its call-back, r6's appeal upheld:
    # 1 ÷ (3 − 1) (ratings.figures).
    assert (f.bad, f.bad_finished, f.bad_upheld) == (3, 1, 1)
    assert f.rectification_rate == Decimal("50.0")


def test_the_other_department_and_the_month_boundary_in_local_time(october):
    figures = published.by_department(OCTOBER)
    lift = figures[october.city.lead_department.pk]
    assert (lift.ratings, lift.satisfaction_rate) == (1, Decimal("100.0"))
    assert (lift.completed, lift.active_rate) == (0, None)
    assert (lift.bad, lift.rectification_rate) == (0, None)
    assert set(figures) == {october.department.pk, october.city.lead_department.pk}

    november = published.by_department(NOVEMBER)[october.department.pk]
    assert (november.ratings, november.levels[5]) == (1, 1)
    assert (november.completed, november.completed_rated, november.active_rate) == (
        1,
        1,
        Decimal("100.0"),
    )


def test_twelve_months_of_a_department_and_of_an_item(october):
    months = published.months_of(NOVEMBER, department_id=october.department.pk)
    assert [m.month for m in months[:3]] == [NOVEMBER, OCTOBER, dt.date(2026, 9, 1)]
    assert months[-1].month == dt.date(2025, 12, 1)
    assert len(months) == 12
    assert [m.ratings for m in months] == [1, 6] + [0] * 10
    assert months[1].rectification_rate == Decimal("50.0")
    assert months[2].satisfaction_rate is None

    item_months = published.months_of(OCTOBER, item_id=october.item.pk)
    assert item_months[0].ratings == 6
    assert item_months[0].active_rate == Decimal("80.0")
    by_item = published.by_item(OCTOBER, NOVEMBER, department_id=october.department.pk)
    assert list(by_item) == [october.item.pk]
    assert by_item[october.item.pk].ratings == 7
    assert by_item[october.item.pk].completed == 6


def test_the_fixes_made_carry_only_the_published_text(october):
    fixes = published.fixes(OCTOBER, department_id=october.department.pk)
    assert [(f.closed_on, f.item_id, f.item_name, f.resolution, f.text) for f in fixes] == [
        (
            dt.date(2026, 10, 31),
            october.item.pk,
            "城乡居民养老保险待遇核定",
            "fixed_at_once",
            FIX_TEXT,
        )
    ]
    # The upheld appeal is no fix; the lift's department has none; November has none.
    assert published.fixes(OCTOBER, department_id=october.city.lead_department.pk) == []
    assert published.fixes(NOVEMBER) == []
    assert published.fixes(OCTOBER, item_id=october.item.pk) == fixes


def test_an_explanation_is_published_as_given(city):
    case = instant_case(city, at(10, 3))
    rating = rating_of(case, 2, rated_at=at(10, 3))
    finish(
        rating,
        RectificationState.CLOSED,
        closed_at=at(10, 4),
        resolution=Resolution.EXPLAINED,
        explanation="  须现场核验原件。  ",
    )
    (fix,) = published.fixes(OCTOBER)
    assert (fix.resolution, fix.text) == ("explained", "须现场核验原件。")


def test_rates_round_half_up_to_one_decimal():
    assert published.rate(2, 3) == Decimal("66.7")
    assert published.rate(1, 8) == Decimal("12.5")
    assert published.rate(1, 6) == Decimal("16.7")
    assert published.rate(0, 0) is None
    assert published.rate(0, 4) == Decimal("0.0")


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "run",
    [
        lambda o: published.by_department(OCTOBER),
        lambda o: published.months_of(OCTOBER, department_id=o.department.pk),
        lambda o: published.by_item(OCTOBER, NOVEMBER, department_id=o.department.pk),
        lambda o: published.fixes(OCTOBER),
    ],
    ids=["by_department", "months_of", "by_item", "fixes"],
)
def test_the_queries_do_not_grow_with_the_ratings(city, run):
    first = instant_case(city, at(10, 2))
    rating_of(first, 2, rated_at=at(10, 2))
    few = build_october(city)
    one = _queries(lambda: run(few))
    for n in range(8):
        case = instant_case(city, at(10, 3 + n))
        rating = rating_of(case, 1 + n % 5, rated_at=at(10, 3 + n))
        if rating.is_bad:
            finish(
                rating,
                RectificationState.CLOSED,
                closed_at=at(10, 4 + n),
                resolution=Resolution.FIXED_AT_ONCE,
                fix_summary=f"整改{n}",
            )
    assert _queries(lambda: run(few)) == one


def test_an_instant_item_finished_on_the_spot_counts_as_completed_for_the_active_rate(city):
    """An instant case ends ``decided`` (cases.transitions), never ``delivered``: it is completed
    at ``decided_at`` (``ratings.figures.completed``, as ``selectors.case_completed_at``)."""
    from onewindow.cases.models import Case
    from onewindow.cases.services.intake import case_complete_instant
    from onewindow.cases.transitions import CaseState
    from onewindow.ratings.selectors import case_completed_at

    def on_the_spot(day: int):
        case = case_complete_instant(
            intake=city.intake(
                city.instant, window=city.instant_window, materials=city.receipts(city.instant)
            )
        )
        Case.objects.filter(pk=case.pk).update(decided_at=at(10, day))
        case.refresh_from_db()
        assert (case.state, case.delivered_at) == (CaseState.DECIDED, None)
        assert case_completed_at(case) == at(10, day)
        return case

    rated = on_the_spot(3)
    on_the_spot(4)  # completed, not rated
    rating_of(rated, 4, rated_at=at(10, 3, 11))
    f = published.by_department(OCTOBER)[rated.department.pk]
    assert (f.completed, f.completed_rated, f.active_rate) == (2, 1, Decimal("50.0"))
