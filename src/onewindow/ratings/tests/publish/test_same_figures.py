"""One definition of 差评整改率 and 满意率 (``ratings.figures``), so the four places that show them
— the rectification queue's indicators, the published results, the assessment's table (1) and
the dashboard — give the same figures for the same ratings.

October 2026, one department, eight ratings:

| rating | level | what became of it                     |
| ------ | ----- | ------------------------------------- |
| fixed  | 2     | fixed at once (``fixed``)             |
| expl.  | 1     | closed by an explanation (``closed``) |
| ledger | 2     | on the ledger (``ledger``)            |
| upheld | 1     | the appeal upheld (``upheld``)        |
| wait   | 1     | waiting for its call-back             |
| default| 5     | given by default                      |
| four   | 4     |                                       |
| three  | 3     |                                       |

差评 5 (the default is none), rectified 2, upheld 1 → 差评整改率 2 ÷ (5 − 1) = 50.0 %;
满意率 = (5, 4, 3) 3 ÷ 8 ratings (the default and the upheld one included) = 37.5 %.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from onewindow.assess.tables import Period as AssessPeriod
from onewindow.assess.tables import Unit, rating_table
from onewindow.dashboard.selectors import Period as DashboardPeriod
from onewindow.dashboard.selectors import ratings_by_department
from onewindow.org.models import Role
from onewindow.ratings import published
from onewindow.ratings.codes import Channel
from onewindow.ratings.indicators import rectification_figures
from onewindow.ratings.models import Rating, Rectification, Resolution
from onewindow.ratings.tests.conftest import rating_of
from onewindow.ratings.tests.publish.conftest import at, instant_case
from onewindow.ratings.transitions import RectificationState as S
from onewindow.testing.factories import staff_with_role

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)


def test_the_queue_the_published_page_table_1_and_the_dashboard_agree_exactly(city):
    case = instant_case(city, at(10, 5))
    made = {}
    for n, (name, level) in enumerate(
        [
            ("fixed", 2),
            ("explained", 1),
            ("ledger", 2),
            ("upheld", 1),
            ("waiting", 1),
            ("four", 4),
            ("three", 3),
        ]
    ):
        made[name] = rating_of(case, level, rated_at=at(10, 6 + n), key=f"t:{name}")
    made["default"] = rating_of(
        case, 5, rated_at=at(10, 20), key="t:default", is_default=True, channel=Channel.DEFAULT
    )
    moves = {
        "fixed": {"state": S.FIXED, "resolution": Resolution.FIXED_AT_ONCE},
        "explained": {"state": S.CLOSED, "resolution": Resolution.EXPLAINED},
        "ledger": {"state": S.LEDGER, "resolution": Resolution.LEDGER, "due_at": at(12, 30)},
        "upheld": {"state": S.UPHELD, "resolution": Resolution.APPEAL_UPHELD},
    }
    for name, fields in moves.items():
        Rectification.objects.filter(rating=made[name]).update(**fields)
    Rating.objects.filter(pk=made["upheld"].pk).update(counts_in_scores=False)
    assert Rectification.objects.get(rating=made["waiting"]).state == S.CALLBACK
    department = case.department

    queue = rectification_figures(Rating.objects.all(), month=OCTOBER, now=at(10, 31))
    public = published.by_department(OCTOBER)[department.pk]
    (table,) = rating_table(
        unit=Unit.of_centre(case.centre), period=AssessPeriod(2026, 10), now=at(11, 5)
    ).rows
    (board,) = ratings_by_department(
        user=staff_with_role(Role.ADMIN),
        period=DashboardPeriod(OCTOBER, dt.date(2026, 11, 1)),
    )

    assert (queue.bad, queue.rectified, queue.upheld) == (5, 2, 1)
    assert (public.bad, public.bad_finished, public.bad_upheld) == (5, 2, 1)
    assert (table.bad, table.rectified, table.upheld) == (5, 2, 1)
    fifty = Decimal("50.0")
    assert queue.rectified_rate == public.rectification_rate == table.rectified_share == fifty
    assert (public.ratings, table.total, sum(board.levels.values())) == (8, 8, 8)
    assert (public.satisfied, table.satisfied) == (3, 3)
    rate = Decimal("37.5")
    assert public.satisfaction_rate == table.satisfaction == board.satisfaction_rate == rate
