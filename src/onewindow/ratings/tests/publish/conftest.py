"""A hand-built October 2026 for the published figures (local time, Asia/Shanghai).

区社会保险基金管理局 (the instant item's department), October:

| case | completed            | ratings in October     | rectification         |
|------|----------------------|------------------------|-----------------------|
| c1   | 10-05                | 5 (SMS)                |                       |
| c2   | 10-10                | 4 (default)            |                       |
| c3   | 10-31 23:40          | 2 at 10-31 23:30       | closed, fixed at once |
| c4   | 10-20                | 1 (case), 3 (visit)    | callback (open)       |
| c5   | 11-01 00:10 (Nov.)   | 5 at 11-01 00:10 (Nov.) |                      |
| c6   | 10-15                | 1                      | upheld (not counted)  |

→ 6 ratings (5:1 4:1 3:1 2:1 1:2), 满意率 3/6 = 50.0 %; completed 5 (c1–c4, c6), with an active
rating 4 (c2's only rating is a default) → 主动评价率 80.0 %; 差评 3, rectified 1 (closed),
1 upheld (out of the denominator) → 差评整改率 1/2 = 50.0 %. The lift's department: one
rating (5) of an accepted case, nothing completed → 满意率 100.0 %, 主动评价率 none. In UTC,
c5's instants fall in October: the month is local.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from onewindow.cases.models import Case
from onewindow.cases.services.intake import case_accept, case_complete_instant
from onewindow.cases.transitions import CaseState
from onewindow.ratings.codes import Channel, Occasion
from onewindow.ratings.models import Rectification, Resolution
from onewindow.ratings.tests.conftest import City, city, rating_of
from onewindow.ratings.transitions import RectificationState

__all__ = ["City", "October", "city", "october"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIX_TEXT = "窗口增设叫号提示屏，等候超过15分钟主动引导至自助区。"
EXPLANATION = "该事项须现场核验原件，已在办事指南中说明。"


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class October:
    city: City
    cases: dict[str, Any]
    ratings: dict[str, Any]
    department: Any
    item: Any


def instant_case(city: City, delivered_at: dt.datetime) -> Any:
    case = case_complete_instant(
        intake=city.intake(
            city.instant, window=city.instant_window, materials=city.receipts(city.instant)
        )
    )
    # An instant item is finished on the spot: decided and handed over at the same moment.
    Case.objects.filter(pk=case.pk).update(
        state=CaseState.DELIVERED, decided_at=delivered_at, delivered_at=delivered_at
    )
    case.refresh_from_db()
    return case


def finish(rating: Any, state: str, *, closed_at: dt.datetime, **fields: Any) -> None:
    Rectification.objects.filter(rating=rating).update(state=state, closed_at=closed_at, **fields)


def build_october(city: City) -> October:
    c = {
        "c1": instant_case(city, at(10, 5)),
        "c2": instant_case(city, at(10, 10)),
        "c3": instant_case(city, at(10, 31, 23, 40)),
        "c4": instant_case(city, at(10, 20)),
        "c5": instant_case(city, at(11, 1, 0, 10)),
        "c6": instant_case(city, at(10, 15)),
    }
    r = {
        "r1": rating_of(c["c1"], 5, rated_at=at(10, 6)),
        "r2": rating_of(c["c2"], 4, rated_at=at(10, 17), is_default=True, channel=Channel.DEFAULT),
        "r3": rating_of(c["c3"], 2, rated_at=at(10, 31, 23, 30)),
        "r4": rating_of(c["c4"], 1, rated_at=at(10, 21)),
        "r4v": rating_of(
            c["c4"],
            3,
            occasion=Occasion.VISIT,
            channel=Channel.PAD,
            rated_at=at(10, 20),
            key=f"visit:{c['c4'].pk}:1",
        ),
        "r5": rating_of(c["c5"], 5, rated_at=at(11, 1, 0, 10)),
        "r6": rating_of(c["c6"], 1, rated_at=at(10, 16), counts_in_scores=False),
    }
    finish(
        r["r3"],
        RectificationState.CLOSED,
        closed_at=at(10, 31, 23, 50),
        resolution=Resolution.FIXED_AT_ONCE,
        fix_summary=FIX_TEXT,
        finding="申请人陈大文反映等候时间长。",
    )
    finish(
        r["r6"],
        RectificationState.UPHELD,
        closed_at=at(10, 25),
        resolution=Resolution.APPEAL_UPHELD,
        appeal_reason="恶意差评",
    )
    lift_case = case_accept(intake=city.intake())
    r["lift"] = rating_of(lift_case, 5, rated_at=at(10, 8))
    c["lift"] = lift_case
    return October(
        city=city, cases=c, ratings=r, department=city.instant.department, item=city.instant
    )


@pytest.fixture
def october(city: City) -> October:
    return build_october(city)
