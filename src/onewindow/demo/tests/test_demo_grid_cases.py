"""The demo's grid cases go through the real services and show the grid flow at every step:
each state its number of cases, the enforcement team's tasks, and the staff pages open."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from onewindow.demo.generator import build_demo_city
from onewindow.demo.grid_cases import PLANS, build_demo_grid_cases
from onewindow.demo.grids import build_demo_grids
from onewindow.enforcement.models import EnforcementTask, Inspection, RectificationNotice
from onewindow.urban.codes import RequestDecision, Source
from onewindow.urban.models import CasePhoto, CaseRequest, GridCase, GridCaseEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)  # a Thursday, 18:00 in Guangzhou
# The day after the longest holidays (the demo's late and red cases must stay late and red),
# and a Saturday night.
AFTER_HOLIDAYS = [
    NOW,
    dt.datetime(2026, 10, 8, 2, 0, tzinfo=dt.UTC),  # 国庆 over: Thursday 10:00
    dt.datetime(2026, 2, 24, 1, 30, tzinfo=dt.UTC),  # 春节 over: Tuesday 09:30
    dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC),  # Saturday 23:00
]


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = []


@pytest.fixture
def built():
    build_demo_city(seed=3, scale=0.05)
    build_demo_grids(seed=3)
    return build_demo_grid_cases(seed=3, now=NOW)


@pytest.mark.parametrize("now", AFTER_HOLIDAYS, ids=["thursday", "national-day", "spring", "sat"])
def test_every_step_of_the_flow_has_its_cases(now):
    build_demo_city(seed=3, scale=0.05)
    build_demo_grids(seed=3)
    built = build_demo_grid_cases(seed=3, now=now)
    assert built == len(PLANS) == GridCase.objects.count() == 23
    states = collections.Counter(GridCase.objects.values_list("state", flat=True))
    assert states == {
        "closed": 10,  # nine handled by the units and one handled on the spot
        "to_close": 1,
        "to_check": 1,
        "handling": 6,  # four with a unit, two with the enforcement team
        "to_dispatch": 1,
        "to_file": 2,
        "not_filed": 1,
        "to_verify": 1,
    }
    assert GridCase.objects.filter(source=Source.SELF_HANDLED).count() == 1
    assert GridCase.objects.filter(source=Source.PUBLIC).count() == 2
    # All of it is in grid01's street, every case has its photo and none is after now.
    assert all(c.region_code.startswith("440103001") for c in GridCase.objects.all())
    assert CasePhoto.objects.values("case").distinct().count() == 23
    assert GridCaseEvent.objects.filter(at__gt=now).count() == 0
    # Two closed cases were handled late, one went back once for rework.
    closed = GridCase.objects.filter(state="closed", source=Source.INSPECTOR)
    assert sorted(closed.values_list("handled_on_time", flat=True)) == [False, False] + [True] * 7
    assert GridCaseEvent.objects.filter(action="rework").count() == 1
    # The old case under the bridge is overdue (red) whatever the day.
    old = GridCase.objects.get(description="桥底堆放废弃床垫和纸箱。")
    assert old.stages.get().due_at < now - dt.timedelta(hours=24)
    assert list(CaseRequest.objects.values_list("kind", "decision")) == [
        ("extension", RequestDecision.PENDING)
    ]


def test_the_enforcement_team_has_one_task_inspected_and_noticed_and_one_to_inspect(built):
    tasks = list(EnforcementTask.objects.order_by("opened_at"))
    assert [t.state for t in tasks] == ["notified", "open"]
    inspection = Inspection.objects.get()
    assert inspection.task == tasks[0]
    assert inspection.party.kind == "company" and len(inspection.party.uscc) == 18
    assert RectificationNotice.objects.get().task == tasks[0]
    # The inspected one's case stopped the work (its first stage done), the other's has not.
    first = GridCase.objects.get(number=tasks[0].origin)
    assert [s.done_at is not None for s in first.stages.order_by("order")] == [True, False, False]
    assert {t.origin for t in tasks} == set(
        GridCase.objects.filter(category__code="E0301").values_list("number", flat=True)
    )


def test_the_demo_logins_find_the_cases_at_their_desks(built, client):
    users = get_user_model().objects
    pages = {
        "gridchief01": "/staff/urban/supervision/",
        "griddispatch01": "/staff/urban/command/",
        "approver_hw01": "/staff/urban/unit/",
        "grid01": "/staff/urban/tasks/",
        "zf01": "/staff/enforcement/",
    }
    for username, page in pages.items():
        client.force_login(users.get(username=username))
        response = client.get(page)
        assert response.status_code == 200, (username, page)
        html = response.content.decode()
        assert "WG2026" in html or "ZF2026" in html, (username, page)


def test_without_the_demo_grid_users_nothing_is_made(db):
    assert build_demo_grid_cases(seed=3, now=NOW) == 0
    assert GridCase.objects.count() == 0
