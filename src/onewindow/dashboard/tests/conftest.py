"""A hand-built set of cases for the dashboard, on the small city of the case tests: their
dates, windows, departments and deadlines placed by hand, so every figure is known."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from onewindow.cases.models import Case
from onewindow.cases.services import case_accept
from onewindow.cases.tests.conftest import city  # noqa: F401  (the fixture)
from onewindow.cases.transitions import CaseState
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Wednesday morning: the dashboard's "this month" is November 2026, its twelve months
# December 2025 to November 2026.
MOMENT = dt.datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@dataclass
class Scene:
    city: Any
    manager: Any
    cases: dict[str, Case]


def place(case: Case, **fields: Any) -> Case:
    fields.setdefault("submitted_at", fields["accepted_at"])
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def hand_built(town: Any) -> dict[str, Case]:
    """Six cases of the street centre (window 01 unless said):

    - ``green``: accepted Mon 2 Nov 09:30, open, due 28 Nov;
    - ``red``: accepted Mon 2 Nov 09:45, open, due 17 Nov (overdue);
    - ``midnight``: accepted Sun 1 Nov 00:30 local (31 Oct in UTC) at window 02, decided 3 Nov;
    - ``delivered``: accepted Tue 15 Sep 14:10, decided 20 Sep, completed 8 Oct;
    - ``joint_red``: of 联办部门1, accepted Wed 18 Nov 08:15, open, overdue by an hour;
    - ``old``: accepted 1 Jan 2024, completed the same year (outside every period).
    """

    def accepted() -> Case:
        return case_accept(intake=town.intake())

    window_two = town.instant_window
    return {
        "green": place(
            accepted(), accepted_at=at("2026-11-02T09:30"), due_at=at("2026-11-28T17:30")
        ),
        "red": place(accepted(), accepted_at=at("2026-11-02T09:45"), due_at=at("2026-11-17T17:30")),
        "midnight": place(
            accepted(),
            accepted_at=at("2026-11-01T00:30"),
            window=window_two,
            decided_at=at("2026-11-03T11:00"),
            state=CaseState.DECIDED,
        ),
        "delivered": place(
            accepted(),
            accepted_at=at("2026-09-15T14:10"),
            decided_at=at("2026-09-20T10:00"),
            delivered_at=at("2026-10-08T10:00"),
            state=CaseState.DELIVERED,
        ),
        "joint_red": place(
            accepted(),
            department=town.joint_departments[0],
            accepted_at=at("2026-11-18T08:15"),
            due_at=at("2026-11-18T09:00"),
        ),
        "old": place(
            accepted(),
            accepted_at=at("2024-01-01T10:00"),
            decided_at=at("2024-01-05T10:00"),
            delivered_at=at("2024-01-06T10:00"),
            state=CaseState.DELIVERED,
        ),
    }


@pytest.fixture
def frozen():
    with time_machine.travel(MOMENT, tick=False):
        yield MOMENT


@pytest.fixture
def scene(city, frozen) -> Scene:  # noqa: F811
    manager = staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre)
    return Scene(city=city, manager=manager, cases=hand_built(city))
