"""Every grid indicator on the hand-built November (``figscene``), per grid, community,
street, unit and worker, exactly; the score with the default and with custom weights; the
weights' validation and permission; the number of queries whatever the number of cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.org.codes import Role
from onewindow.testing.factories import staff_with_role
from onewindow.testing.grid_factories import grid_case_make
from onewindow.urban.indicators import COUNTS, Level, month_indicators
from onewindow.urban.models import ScoreWeights
from onewindow.urban.score import DEFAULT_WEIGHTS, month_score, score_of, weights_current
from onewindow.urban.services.weights import score_weights_set
from onewindow.urban.tests.figscene import MONTH, NOW, figscene

pytestmark = pytest.mark.django_db

ORDER = COUNTS  # reports … parked


def counts(*values: int) -> dict[str, int]:
    assert len(values) == len(ORDER)
    return dict(zip(ORDER, values, strict=True))


# reports valid self filed f_ot f_pub disp acc ext hand dueH hOT ovd dueC cOT rew chk chkOT park
TOTAL = counts(12, 9, 1, 9, 8, 2, 9, 8, 1, 4, 7, 4, 2, 7, 3, 2, 4, 3, 2)
G1 = counts(4, 4, 0, 4, 3, 1, 4, 3, 1, 2, 3, 1, 1, 3, 1, 1, 2, 1, 0)
G2 = counts(3, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0)
G3 = counts(5, 4, 0, 4, 4, 1, 4, 4, 0, 1, 3, 2, 1, 3, 1, 0, 1, 1, 2)
U1 = counts(4, 4, 0, 4, 3, 0, 4, 3, 1, 2, 3, 2, 0, 3, 2, 1, 3, 2, 2)
U2 = counts(5, 5, 0, 5, 5, 2, 5, 5, 0, 2, 4, 2, 2, 4, 1, 1, 1, 1, 0)


def plus(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a[k] + b[k] for k in ORDER}


@pytest.fixture
def s():
    return figscene()


def test_every_count_per_grid_community_street_unit_and_total(s):
    found = month_indicators(month=MONTH, now=NOW)
    assert found.total.counts == TOTAL
    assert [r.key for r in found.rows(Level.GRID)] == [str(g.pk) for g in (s.g1, s.g2, s.g3)]
    assert found.row(Level.GRID, s.g1.pk).counts == G1
    assert found.row(Level.GRID, s.g2.pk).counts == G2
    assert found.row(Level.GRID, s.g3.pk).counts == G3
    assert found.row(Level.GRID, s.g1.pk).name == f"{s.g1.code} {s.g1.name}"
    assert found.row(Level.COMMUNITY, s.c1.code).counts == plus(G1, G2)
    assert found.row(Level.COMMUNITY, s.c1.code).name == "西华社区"
    assert found.row(Level.COMMUNITY, s.c2.code).counts == G3
    [street] = found.rows(Level.STREET)
    assert (street.key, street.name, street.counts) == (s.street.code[:9], "彩虹街道", TOTAL)
    assert [r.name for r in found.rows(Level.UNIT)] == ["区城管执法局", "彩虹街环卫站"]
    assert found.row(Level.UNIT, s.u1.pk).counts == U1
    assert found.row(Level.UNIT, s.u2.pk).counts == U2


def test_the_rates_rounded_half_up(s):
    total = month_indicators(month=MONTH, now=NOW).total
    assert total.rates() == {
        "valid_report": Decimal("75.0"),  # 9 / 12
        "file_on_time": Decimal("88.9"),  # 8 / 9
        "dispatch_accurate": Decimal("88.9"),  # 8 / 9
        "handling": Decimal("44.4"),  # 4 / 9
        "handle_on_time": Decimal("57.1"),  # 4 / 7
        "close_on_time": Decimal("42.9"),  # 3 / 7
        "rework": Decimal("28.6"),  # 2 / 7
        "extension": Decimal("11.1"),  # 1 / 9
        "overdue_pending": Decimal("28.6"),  # 2 / 7
        "check_on_time": Decimal("75.0"),  # 3 / 4
        "missed": Decimal("22.2"),  # 2 / 9
    }
    assert total.fraction("handle_on_time") == (4, 7)


def test_the_inspectors_figures(s):
    found = month_indicators(month=MONTH, now=NOW)
    w1, w2 = found.row(Level.WORKER, s.w1.pk), found.row(Level.WORKER, s.w2.pk)
    assert [r.key for r in found.rows(Level.WORKER)] == [str(s.w1.pk), str(s.w2.pk)]
    assert w1.name == "李网格"
    # Own reports (上报数, 有效上报, 自行处置); checks and filings of the worker's grids G1 + G2.
    assert {k: w1.counts[k] for k in ("reports", "valid", "self_handled")} == {
        "reports": 5,
        "valid": 4,
        "self_handled": 1,
    }
    assert {k: w1.counts[k] for k in ("checked", "checked_on_time", "filed", "filed_public")} == {
        "checked": 3,
        "checked_on_time": 2,
        "filed": 5,
        "filed_public": 1,
    }
    assert (w1.rate("valid_report"), w1.rate("check_on_time"), w1.rate("missed")) == (
        Decimal("80.0"),
        Decimal("66.7"),
        Decimal("20.0"),
    )
    assert {k: w2.counts[k] for k in ("reports", "valid", "self_handled")} == {
        "reports": 4,
        "valid": 3,
        "self_handled": 0,
    }
    assert (w2.rate("valid_report"), w2.rate("check_on_time"), w2.rate("missed")) == (
        Decimal("75.0"),
        Decimal("100.0"),
        Decimal("25.0"),
    )


def test_a_street_prefix_and_units_limit_the_cases(s):
    c2 = month_indicators(month=MONTH, now=NOW, prefix=s.c2.code)
    assert c2.total.counts == G3
    assert [r.key for r in c2.rows(Level.GRID)] == [str(s.g3.pk)]
    only_u2 = month_indicators(month=MONTH, now=NOW, unit_ids=[s.u2.pk])
    assert only_u2.total.counts == U2
    assert month_indicators(month=MONTH.next, now=NOW).total.counts["parked"] == 2


def test_the_current_month_counts_only_the_deadlines_passed(s):
    """On 10 November case 2 (due 8 Nov) is past its deadline; case 1 was fed back; nothing
    else had a deadline by then."""
    from onewindow.urban.tests.figscene import nov

    early = month_indicators(month=MONTH, now=nov(10, 9)).total
    # Fed back by 10 Nov 09:00 in the stored facts: 1 (3 Nov), 8 (2 Nov); 2 fed back 10 Nov
    # 10:00 is stored as done and counts by its handling time.
    assert early.counts["due_to_handle"] == 7 - 2  # 5 and 13 not yet past their deadlines
    assert early.counts["overdue_pending"] == 0


def test_the_score_with_the_default_and_custom_weights(s):
    found = month_indicators(month=MONTH, now=NOW)
    # 30 × 4/9 + 20 × 4/7 + 20 × (1 − 2/7) + 20 × (1 − 2/7) + 10 × (1 − 1/9) = 62.22…
    assert score_of(found.total, DEFAULT_WEIGHTS) == Decimal("62.2")
    custom = {
        "handling": 50,
        "handle_on_time": 50,
        "rework": 0,
        "overdue_pending": 0,
        "extension": 0,
    }
    assert score_of(found.total, custom) == Decimal("50.8")  # 50 × 4/9 + 50 × 4/7
    score = month_score(month=MONTH, indicators=found)
    assert score.weights == DEFAULT_WEIGHTS and score.district.score == Decimal("62.2")
    assert [(r.name, r.score) for r in score.units] == [
        # U2: 30 × 2/5 + 20 × 2/4 + 20 × 3/4 + 20 × 2/4 + 10 × 1 = 57.0
        ("区城管执法局", Decimal("57.0")),
        # U1: 30 × 2/4 + 20 × 2/3 + 20 × 2/3 + 20 × 1 + 10 × 3/4 = 69.2 (69.1666…)
        ("彩虹街环卫站", Decimal("69.2")),
    ]
    assert [r.score for r in score.streets] == [Decimal("62.2")]


def test_a_figure_without_cases_leaves_its_weight_out(s):
    found = month_indicators(month=MONTH, now=NOW)
    g2 = found.row(Level.GRID, s.g2.pk)
    # G2: handling 1/1, on time 1/1, rework 1/1, overdue 0/1, extension 0/1 → 30+20+0+20+10.
    assert score_of(g2, DEFAULT_WEIGHTS) == Decimal("80.0")
    empty = month_indicators(month=MONTH.next.next, now=NOW).total
    assert score_of(empty, DEFAULT_WEIGHTS) is None


def test_weights_set_by_the_manager_of_grid_management(s):
    admin = staff_with_role(Role.ADMIN)
    row = score_weights_set(
        actor=admin,
        raw={
            "handling": "40",
            "handle_on_time": "20",
            "rework": "10",
            "overdue_pending": "20",
            "extension": "10",
        },
    )
    assert weights_current() == {
        "handling": 40,
        "handle_on_time": 20,
        "rework": 10,
        "overdue_pending": 20,
        "extension": 10,
    }
    log = AuditLog.objects.get(action="urban.score_weights_set")
    assert log.detail["before"] == DEFAULT_WEIGHTS and log.object_id == str(row.pk)
    score = month_score(month=MONTH, now=NOW)
    assert score.weights == DEFAULT_WEIGHTS  # set after November ended: November keeps its own
    found = month_indicators(month=MONTH, now=NOW)
    # 40 × 4/9 + 20 × 4/7 + 10 × 5/7 + 20 × 5/7 + 10 × 8/9 = 59.52…
    assert score_of(found.total, weights_current()) == Decimal("59.5")


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        (
            {
                "handling": "31",
                "handle_on_time": "20",
                "rework": "20",
                "overdue_pending": "20",
                "extension": "10",
            },
            ["weights"],
        ),
        (
            {
                "handling": "-1",
                "handle_on_time": "20",
                "rework": "20",
                "overdue_pending": "20",
                "extension": "10",
            },
            ["handling"],
        ),
        (
            {
                "handling": "30.5",
                "handle_on_time": "x",
                "rework": "",
                "overdue_pending": "20\x00",
                "extension": "101",
            },
            ["handling", "handle_on_time", "rework", "overdue_pending", "extension"],
        ),
        (
            {
                "handle_on_time": 20,
                "rework": True,
                "overdue_pending": 20,
                "extension": 10,
                "handling": 50,
                "bonus": 1,
            },
            ["rework", "bonus"],
        ),
    ],
)
def test_bad_weights_are_refused_whole(raw, fields):
    admin = staff_with_role(Role.ADMIN)
    with pytest.raises(ValidationFailed) as refused:
        score_weights_set(actor=admin, raw=raw)
    assert [e.field for e in refused.value.errors] == fields
    assert ScoreWeights.objects.count() == 0


def test_weights_need_the_grid_manager(s):
    for user in (staff_with_role(Role.CENTRE_MANAGER), staff_with_role(Role.GRID_CHIEF), s.w1):
        with pytest.raises(PermissionDenied):
            score_weights_set(actor=user, raw=dict(DEFAULT_WEIGHTS))
    assert ScoreWeights.objects.count() == 0


def test_queries_do_not_grow_with_the_cases(s, django_assert_max_num_queries):
    def run():
        return month_indicators(month=MONTH, now=NOW)

    with django_assert_max_num_queries(12):
        run()
    for n in range(20):
        grid_case_make(
            grid=[s.g1, s.g2, s.g3][n % 3],
            reported_by=s.w1,
            category=s.cases[1].category,
            reported_at=s.cases[1].reported_at,
            filed_at=s.cases[1].filed_at,
            unit=s.u1 if n % 2 else s.u2,
            dispatched_at=s.cases[1].dispatched_at,
        )
    with django_assert_max_num_queries(12):
        assert run().total.counts["reports"] == 32
