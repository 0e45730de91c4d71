"""Every figure of the three tables of the hand-built month (``conftest.py``), worked out by hand.

Working days (November 2026 has no holiday; the day of acceptance is not counted):
A1 2 Nov → 5 Nov: 3 · A2 2 Nov → 9 Nov: 5 · A3 3 Nov → 10 Nov: 5 · A5 28 Oct → 4 Nov: 5 ·
C1 16 Nov → 18 Nov: 2. Promised: A1 6, A2 5, A3 3, A5 5, C1 2.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from onewindow.assess.codes import Figure
from onewindow.assess.selectors import cases_behind
from onewindow.assess.tables import (
    Period,
    Unit,
    efficiency_table,
    rating_table,
    staff_table,
)
from onewindow.ratings.models import CallbackResult, Rating, Rectification
from onewindow.ratings.services.rectify import (
    rectification_appeal,
    rectification_uphold_appeal,
    rectification_verify,
)

NOVEMBER = Period(2026, 11)


def D(text: str) -> Decimal:
    return Decimal(text)


def by_department(table):
    return {row.department: row for row in table.rows}


def test_periods_are_calendar_months_in_the_project_time_zone():
    assert str(NOVEMBER.start) == "2026-11-01 00:00:00+08:00"
    assert str(NOVEMBER.end) == "2026-12-01 00:00:00+08:00"
    assert Period.parse("2026-11") == NOVEMBER
    assert Period.parse("2026-13") is None and Period.parse("x") is None
    assert Period.parse("") is None
    assert Period(2026, 12).next == Period(2027, 1)
    assert Period(2026, 1).previous == Period(2025, 12)


def test_table_1_department_ratings(month, django_assert_num_queries):
    with django_assert_num_queries(1):
        table = rating_table(unit=Unit.of_centre(month.centre), period=NOVEMBER)
    rows = by_department(table)
    assert set(rows) == {"区住房和建设局", "区社会保险基金管理局", "区市场监督管理局"}
    a, b, c = rows["区住房和建设局"], rows["区社会保险基金管理局"], rows["区市场监督管理局"]
    # A: R1 5, R2 4, R3 1 (not called back: overdue), R4 2 (appeal upheld: still counted here).
    assert (a.total, a.levels, a.defaulted, a.bad, a.rectified, a.rectify_overdue) == (
        4,
        {5: 1, 4: 1, 3: 0, 2: 1, 1: 1},
        0,
        2,
        0,
        1,
    )
    assert (a.satisfaction, a.rectified_share) == (D("50.0"), D("0.0"))
    # B: R5 2 (fixed and closed), R6 5 (default).
    assert (b.total, b.levels, b.defaulted, b.bad, b.rectified, b.rectify_overdue) == (
        2,
        {5: 1, 4: 0, 3: 0, 2: 1, 1: 0},
        1,
        1,
        1,
        0,
    )
    assert (b.satisfaction, b.rectified_share) == (D("50.0"), D("100.0"))
    assert (c.total, c.levels, c.bad, c.satisfaction, c.rectified_share) == (
        1,
        {5: 0, 4: 0, 3: 1, 2: 0, 1: 0},
        0,
        D("100.0"),
        None,
    )
    t = table.total
    assert (t.total, t.levels, t.defaulted, t.bad, t.rectified, t.rectify_overdue) == (
        7,
        {5: 2, 4: 1, 3: 1, 2: 2, 1: 1},
        1,
        3,
        1,
        1,
    )
    assert t.satisfaction == D("57.1")  # 4 / 7


def test_table_2_efficiency_and_e_supervision(month, django_assert_num_queries):
    with django_assert_num_queries(3):
        table = efficiency_table(unit=Unit.of_centre(month.centre), period=NOVEMBER)
    rows = by_department(table)
    a, b, c = rows["区住房和建设局"], rows["区社会保险基金管理局"], rows["区市场监督管理局"]
    # A: accepted A1 A2 A3 A4 A6 (A6 at 23:30 on 30 Nov; A7 at 00:30 on 1 Dec is December's);
    # 补正 A3 (sent back) and A4 (asked at the window); decided A1 A2 A3 A5 (A6 on 1 Dec).
    assert (a.accepted, a.supplement, a.instant) == (5, 2, 0)
    assert (a.decided, a.on_time, a.yellow, a.red) == (4, 3, 2, 1)
    assert (a.timed, a.working_days, a.promised_days) == (4, 18, 19)
    assert (a.on_time_share, a.average_days, a.average_promised) == (D("75.0"), D("4.5"), D("4.8"))
    assert (a.supplement_share, a.instant_share, a.instant_target_met) == (
        D("40.0"),
        D("0.0"),
        False,
    )
    assert (b.accepted, b.supplement, b.instant, b.decided, b.on_time, b.yellow, b.red) == (
        2,
        0,
        2,
        2,
        2,
        0,
        0,
    )
    assert (b.timed, b.average_days, b.instant_share, b.instant_target_met) == (
        0,
        None,
        D("100.0"),
        True,
    )
    assert (c.accepted, c.decided, c.on_time, c.yellow, c.red, c.timed, c.working_days) == (
        1,
        1,
        1,
        1,
        0,
        1,
        2,
    )
    assert (c.on_time_share, c.average_days, c.average_promised) == (
        D("100.0"),
        D("2.0"),
        D("2.0"),
    )
    t = table.total
    assert (t.accepted, t.decided, t.on_time, t.yellow, t.red, t.supplement, t.instant) == (
        8,
        7,
        6,
        3,
        1,
        2,
        2,
    )
    assert (t.on_time_share, t.average_days, t.average_promised) == (
        D("85.7"),
        D("4.0"),
        D("4.2"),
    )
    assert (t.supplement_share, t.instant_share, t.instant_target_met, table.target) == (
        D("25.0"),
        D("25.0"),
        False,
        30,
    )


def test_table_3_staff_ranking_with_the_default_weights(month, django_assert_num_queries):
    with django_assert_num_queries(5):
        table = staff_table(unit=Unit.of_centre(month.centre), period=NOVEMBER)
    rows = {r.user_id: r for r in table.rows}
    c1, c2 = rows[month.clerk.pk], rows[month.clerk2.pk]
    p, p2 = rows[month.approver.pk], rows[month.lead.pk]
    assert set(rows) == {c1.user_id, c2.user_id, p.user_id, p2.user_id}
    assert c1.name == "王小明"
    # C1: took in A1 A2 A6 B1 B2; rated R1 5, R2 4, R5 2 (R4 upheld: out; R6 default: apart).
    assert (c1.taken_in, c1.returned, c1.handled, c1.rated, c1.defaulted, c1.excluded) == (
        5,
        0,
        0,
        3,
        1,
        1,
    )
    assert (c1.rating_average, c1.points_sum, c1.on_time_share) == (D("3.67"), 21, None)
    # C2: took in A3 (sent back) A4 C1; rated R3 1, R7 3.
    assert (c2.taken_in, c2.returned, c2.handled, c2.rated, c2.rating_average) == (
        3,
        1,
        0,
        2,
        D("2.00"),
    )
    # P: finished A1 (on time), A3 (late), A5 (on time); rated (back office) R1 5, R3 1.
    assert (p.taken_in, p.handled, p.handled_on_time, p.on_time_share, p.rating_average) == (
        0,
        3,
        2,
        D("66.7"),
        D("3.00"),
    )
    assert (p2.handled, p2.handled_on_time, p2.rated, p2.rating_average) == (1, 1, 0, None)
    # Scores (weights 30/30/20/20 over the figures each has; most work: C1's 5):
    # C1 (30·100 + 20·100 + 20·70) / 70 = 91.43 · C2 (30·60 + 20·66.67 + 20·30) / 70 = 53.33
    # P (30·60 + 30·66.67 + 20·50) / 80 = 60 · P2 (30·20 + 30·100) / 60 = 60 (less work: after P)
    assert [(r.user_id, r.score, r.rank) for r in table.rows] == [
        (c1.user_id, D("91.4"), 1),
        (p.user_id, D("60.0"), 2),
        (p2.user_id, D("60.0"), 3),
        (c2.user_id, D("53.3"), 4),
    ]
    assert table.star is c1
    # Window 02: C1's two instant cases → 91.4; window 01: C1 3 and C2 3 → (91.4 + 53.3) / 2.
    assert [(w.number, w.cases, w.score, w.rank) for w in table.windows] == [
        ("02", 2, D("91.4"), 1),
        ("01", 6, D("72.4"), 2),
    ]


def test_weights_change_the_scores(month):
    table = staff_table(
        unit=Unit.of_centre(month.centre),
        period=NOVEMBER,
        weights={"volume": 0, "on_time": 0, "accuracy": 0, "rating": 100},
    )
    assert {r.user_id: r.score for r in table.rows} == {
        month.clerk.pk: D("70.0"),
        month.clerk2.pk: D("30.0"),
        month.approver.pk: D("50.0"),
        month.lead.pk: D("0.0"),
    }


def test_an_upheld_appeal_takes_the_rating_out_of_the_scores(month):
    unit = Unit.of_centre(month.centre)
    before = {r.user_id: r.score for r in staff_table(unit=unit, period=NOVEMBER).rows}
    # The loop: called back, appealed by the rated clerk, upheld by the centre manager.
    fix = Rectification.objects.get(rating=month.ratings["R3"])
    fix = rectification_verify(
        rectification=fix,
        actor=month.manager,
        callback_result=CallbackResult.REACHED,
        finding="评价人承认误评",
        expected_revision=fix.revision,
    )
    fix = rectification_appeal(
        rectification=fix,
        actor=month.clerk2,
        reason="评价人误评：当天未到窗口办理",
        expected_revision=fix.revision,
    )
    rectification_uphold_appeal(
        rectification=fix,
        actor=month.manager,
        decision="核实属误评，不计分",
        expected_revision=fix.revision,
    )
    assert not Rating.objects.get(pk=month.ratings["R3"].pk).counts_in_scores
    table = staff_table(unit=unit, period=NOVEMBER)
    after = {r.user_id: r for r in table.rows}
    assert before[month.clerk2.pk] == D("53.3") and before[month.approver.pk] == D("60.0")
    c2, p = after[month.clerk2.pk], after[month.approver.pk]
    assert (c2.rated, c2.excluded, c2.rating_average, c2.score) == (1, 1, D("3.00"), D("61.9"))
    assert (p.rated, p.excluded, p.rating_average, p.score) == (1, 1, D("5.00"), D("72.5"))
    assert [r.user_id for r in table.rows] == [
        month.clerk.pk,
        month.approver.pk,
        month.clerk2.pk,
        month.lead.pk,
    ]
    # Table 1 still shows it: the record and the published counts are unchanged.
    ratings = rating_table(unit=unit, period=NOVEMBER)
    assert ratings.total.total == 7 and ratings.total.levels[1] == 1


def test_the_district_counts_every_centre(month):
    district = Unit.of_region(month.centre.region.parent)
    efficiency = efficiency_table(unit=district, period=NOVEMBER)
    assert (efficiency.total.accepted, efficiency.total.instant, efficiency.total.decided) == (
        9,
        3,
        8,
    )
    ratings = rating_table(unit=district, period=NOVEMBER)
    assert ratings.total.total == 8  # R9 at the hall
    staff = {r.user_id: r for r in staff_table(unit=district, period=NOVEMBER).rows}
    assert staff[month.approver.pk].handled == 4  # B3's step at the hall
    assert staff[month.city.hall_clerk.pk].taken_in == 1
    street = Unit.of_region(month.centre.region)
    assert efficiency_table(unit=street, period=NOVEMBER).total.accepted == 8


def test_another_month_is_empty(month):
    unit = Unit.of_centre(month.centre)
    assert rating_table(unit=unit, period=Period(2026, 9)).rows == []
    assert efficiency_table(unit=unit, period=Period(2026, 9)).total.accepted == 0
    assert staff_table(unit=unit, period=Period(2026, 9)).rows == []


def numbers(month, queryset):
    names = {case.pk: name for name, case in month.cases.items()}
    return sorted(names[c.pk] for c in queryset)


@pytest.mark.parametrize(
    ("figure", "department", "user", "expected"),
    [
        (Figure.RATED, "a", None, ["A1", "A2", "A3", "A5"]),
        (Figure.BAD, None, None, ["A3", "A5", "B1"]),
        (Figure.RATED_5, None, None, ["A1", "B2"]),
        (Figure.DEFAULTED, None, None, ["B2"]),
        (Figure.RECTIFIED, None, None, ["B1"]),
        (Figure.RECTIFY_OVERDUE, None, None, ["A3"]),
        (Figure.ACCEPTED, "a", None, ["A1", "A2", "A3", "A4", "A6"]),
        (Figure.SUPPLEMENT, "a", None, ["A3", "A4"]),
        (Figure.INSTANT, None, None, ["B1", "B2"]),
        (Figure.DECIDED, "a", None, ["A1", "A2", "A3", "A5"]),
        (Figure.ON_TIME, None, None, ["A1", "A2", "A5", "B1", "B2", "C1"]),
        (Figure.YELLOW, None, None, ["A2", "A5", "C1"]),
        (Figure.RED, None, None, ["A3"]),
        (Figure.TAKEN_IN, None, "clerk", ["A1", "A2", "A6", "B1", "B2"]),
        (Figure.RETURNED, None, "clerk2", ["A3"]),
        (Figure.HANDLED, None, "approver", ["A1", "A3", "A5"]),
        (Figure.HANDLED_ON_TIME, None, "approver", ["A1", "A5"]),
        (Figure.STAFF_RATED, None, "clerk", ["A1", "A2", "B1"]),
        (Figure.TAKEN_IN, None, None, []),
    ],
)
def test_every_figure_drills_down_to_its_cases(month, figure, department, user, expected):
    department_id = month.dept_a.pk if department == "a" else None
    user_id = getattr(month, user).pk if user else None
    found = cases_behind(
        unit=Unit.of_centre(month.centre),
        period=NOVEMBER,
        figure=figure,
        department_id=department_id,
        user_id=user_id,
    )
    assert numbers(month, found) == expected


def test_a_past_month_counts_the_rectifications_overdue_at_its_end_whatever_came_later(month):
    """R3 was not called back by its deadline and still open on 30 November: overdue for
    November, even once it is called back on 2 December (the times, not today's state). A
    rectification called back in time, or opened after the month, is not."""
    from onewindow.assess.tests.conftest import at

    r3 = Rectification.objects.get(rating=month.ratings["R3"])
    assert r3.callback_due_at < NOVEMBER.end and r3.callback_at is None

    def overdue(now):
        table = rating_table(unit=Unit.of_centre(month.centre), period=NOVEMBER, now=now)
        found = cases_behind(
            unit=Unit.of_centre(month.centre),
            period=NOVEMBER,
            figure=Figure.RECTIFY_OVERDUE,
            department_id=None,
            user_id=None,
        )
        return table.total.rectify_overdue, numbers(month, found)

    assert overdue(at("2026-12-05")) == (1, ["A3"])
    Rectification.objects.filter(pk=r3.pk).update(
        state="verified", callback_at=at("2026-12-02"), callback_result=CallbackResult.REACHED
    )
    assert overdue(at("2026-12-05")) == (1, ["A3"])
    # Called back on 30 November, after its deadline but before the month's end: not open then.
    Rectification.objects.filter(pk=r3.pk).update(callback_at=at("2026-11-30"))
    assert overdue(at("2026-12-05")) == (0, [])
