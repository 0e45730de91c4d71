"""A small hand-built month (November 2026) of grid cases with exact facts, for the indicator,
score, export, assessment and page tests (``docs/grid-indicators.md`` works it through).

Street S with communities C1 (grids G1, G2) and C2 (grid G3); units U1, U2; grid worker W1
posted to G1 and G2, W2 to G3. Fifteen cases; ``NOW`` is after the month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from onewindow.grid.models import GridPost
from onewindow.hotline.indicators import Month
from onewindow.testing.factories import CommunityFactory, StreetFactory
from onewindow.testing.grid_factories import (
    category_make,
    grid_case_make,
    grid_make,
    grid_worker_make,
    unit_make,
)
from onewindow.urban.codes import Source
from onewindow.urban.models import GridCase, GridCaseEvent
from onewindow.urban.transitions import CaseState as S

MONTH = Month(2026, 11)
NOW = timezone.make_aware(dt.datetime(2026, 12, 15, 9, 0))


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour, minute))


def nov(day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return at(11, day, hour, minute)


@dataclass
class FigScene:
    street: Any
    c1: Any
    c2: Any
    g1: Any
    g2: Any
    g3: Any
    u1: Any
    u2: Any
    w1: Any
    w2: Any
    cases: dict[int, GridCase] = field(default_factory=dict)


def figscene() -> FigScene:
    street = StreetFactory(name="彩虹街道")
    c1 = CommunityFactory(parent=street, name="西华社区")
    c2 = CommunityFactory(parent=street, name="华贵社区")
    g1, g2 = grid_make(community=c1, sequence=1), grid_make(community=c1, sequence=2)
    g3 = grid_make(community=c2, sequence=1, lon=113.24, lat=23.12)
    u1 = unit_make(name="彩虹街环卫站")
    u2 = unit_make(name="区城管执法局")
    w1, w2 = grid_worker_make(g1), grid_worker_make(g3)
    get_user_model().objects.filter(pk=w1.pk).update(first_name="李网格")
    get_user_model().objects.filter(pk=w2.pk).update(first_name="王网格")
    GridPost.objects.create(grid=g2, user=w1, since=dt.date(2026, 1, 1))
    category = category_make(units=(u1,))
    s = FigScene(street, c1, c2, g1, g2, g3, u1, u2, w1, w2)

    def case(n: int, grid: Any, **facts: Any) -> GridCase:
        facts.setdefault("source", Source.INSPECTOR)
        made = grid_case_make(category=category, grid=grid, number=f"WG2026TEST{n:04d}", **facts)
        s.cases[n] = made
        return made

    def filed(day: int, due: dt.datetime | None, when: dt.datetime | None = None) -> dict[str, Any]:
        return {"filed_at": when or nov(day, 10, 30), "file_due_at": due}

    # 1: on time all the way.
    case(
        1,
        g1,
        reported_by=w1,
        reported_at=nov(2),
        **filed(2, nov(2, 11)),
        unit=u1,
        dispatched_at=nov(2, 11),
        dispatch_accurate=True,
        due_at=nov(3, 17),
        handled_at=nov(3, 9),
        handled_on_time=True,
        checked_at=nov(3, 11),
        checked_on_time=True,
        closed_at=nov(4),
        closed_on_time=True,
        state=S.CLOSED,
    )
    # 2: filed late, dispatched wrongly, extended, handled late, checked late, reworked.
    case(
        2,
        g1,
        reported_by=w1,
        reported_at=nov(5),
        **filed(5, nov(5, 11), nov(5, 12)),
        unit=u1,
        dispatched_at=nov(5, 13),
        dispatch_accurate=False,
        extension_count=1,
        due_at=nov(8, 17),
        handled_at=nov(10),
        handled_on_time=False,
        checked_at=nov(10, 15),
        checked_on_time=False,
        closed_at=nov(11),
        closed_on_time=False,
        rework_count=1,
        state=S.CLOSED,
    )
    # 3: not filed.
    case(3, g2, reported_by=w1, reported_at=nov(6), refusal="不属于立案范围", state=S.NOT_FILED)
    # 4: handled on the spot (自行处置).
    case(
        4,
        g2,
        reported_by=w1,
        reported_at=nov(7),
        source=Source.SELF_HANDLED,
        closed_at=nov(7, 10, 5),
        state=S.CLOSED,
    )
    # 5: a citizen's, verified, at the unit past its deadline (12 Nov), not handled.
    case(
        5,
        g1,
        source=Source.PUBLIC,
        reported_at=nov(8),
        verified_true=True,
        **filed(8, nov(8, 11)),
        unit=u2,
        dispatched_at=nov(8, 11),
        dispatch_accurate=True,
        due_at=nov(12, 17),
        state=S.HANDLING,
    )
    # 6: from 12345, no filing deadline; handled on time, not checked, its deadline passed.
    case(
        6,
        g3,
        source=Source.HOTLINE,
        reported_at=nov(9),
        **filed(9, None),
        unit=u2,
        dispatched_at=nov(9, 11),
        dispatch_accurate=True,
        due_at=nov(11, 17),
        handled_at=nov(10),
        handled_on_time=True,
        check_due_at=nov(10, 11),
        state=S.TO_CHECK,
    )
    # 7: parked on 15 Nov (still parked).
    case(
        7,
        g3,
        reported_by=w2,
        reported_at=nov(10),
        **filed(10, nov(10, 11)),
        unit=u1,
        dispatched_at=nov(10, 11),
        dispatch_accurate=True,
        due_at=nov(20, 17),
        paused_since=nov(15),
        parked_at=nov(15),
        state=S.PARKED,
    )
    GridCaseEvent.objects.create(
        case=s.cases[7], action="park", at=nov(15), from_state=S.HANDLING, to_state=S.PARKED
    )
    # 8: reported, filed and dispatched in October; handled, checked, closed in November.
    case(
        8,
        g3,
        reported_by=w2,
        reported_at=at(10, 28),
        filed_at=at(10, 28, 11),
        file_due_at=at(10, 28, 12),
        unit=u1,
        dispatched_at=at(10, 29),
        dispatch_accurate=True,
        due_at=nov(3, 17),
        handled_at=nov(2),
        handled_on_time=True,
        checked_at=nov(2, 14),
        checked_on_time=True,
        closed_at=nov(3),
        closed_on_time=True,
        state=S.CLOSED,
    )
    # 9: dispatched on 20 Nov, due in December.
    case(
        9,
        g3,
        reported_by=w2,
        reported_at=nov(20),
        **filed(20, nov(20, 11)),
        unit=u2,
        dispatched_at=nov(20, 11),
        dispatch_accurate=True,
        due_at=at(12, 2, 17),
        state=S.HANDLING,
    )
    # 10: waiting to be filed.
    case(10, g3, reported_by=w2, reported_at=nov(25), file_due_at=nov(25, 11), state=S.TO_FILE)
    # 11: a citizen's, waiting to be verified.
    case(11, g2, source=Source.PUBLIC, reported_at=nov(26), state=S.TO_VERIFY)
    # 12: dispatched, then void.
    case(
        12,
        g1,
        reported_by=w1,
        reported_at=nov(12),
        **filed(12, nov(12, 11)),
        unit=u1,
        dispatched_at=nov(12, 11),
        dispatch_accurate=True,
        state=S.VOID,
    )
    # 13: parked on 5 Nov, back on 7 Nov, deadline moved to 28 Nov, not handled.
    case(
        13,
        g3,
        reported_by=w2,
        reported_at=nov(3),
        **filed(3, nov(3, 11)),
        unit=u2,
        dispatched_at=nov(3, 11),
        dispatch_accurate=True,
        due_at=nov(28, 17),
        parked_at=nov(5),
        state=S.HANDLING,
    )
    GridCaseEvent.objects.create(
        case=s.cases[13], action="park", at=nov(5), from_state=S.HANDLING, to_state=S.PARKED
    )
    GridCaseEvent.objects.create(
        case=s.cases[13], action="unpark", at=nov(7), from_state=S.PARKED, to_state=S.HANDLING
    )
    # 14: parked in October, still parked.
    case(
        14,
        g3,
        reported_by=w2,
        reported_at=at(10, 1),
        filed_at=at(10, 1, 11),
        unit=u1,
        dispatched_at=at(10, 1, 12),
        dispatch_accurate=True,
        due_at=at(10, 20, 17),
        paused_since=at(10, 10),
        parked_at=at(10, 10),
        state=S.PARKED,
    )
    GridCaseEvent.objects.create(
        case=s.cases[14], action="park", at=at(10, 10), from_state=S.HANDLING, to_state=S.PARKED
    )
    # 15: reworked once, then handled, checked and closed on time.
    case(
        15,
        g2,
        reported_by=w1,
        reported_at=nov(13),
        **filed(13, nov(13, 11)),
        unit=u2,
        dispatched_at=nov(13, 11),
        dispatch_accurate=True,
        due_at=nov(16, 17),
        rework_count=1,
        handled_at=nov(16),
        handled_on_time=True,
        checked_at=nov(16, 14),
        checked_on_time=True,
        closed_at=nov(17),
        closed_on_time=True,
        state=S.CLOSED,
    )
    return s
