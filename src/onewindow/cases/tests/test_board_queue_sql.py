"""The supervision board and the department queue are lit, counted, sorted and paged by the
database: the light in SQL gives what ``clock.light`` gives, the scoped queries carry no
DISTINCT, and each page costs the same number of queries for 5 open cases or 60."""

from __future__ import annotations

import copy
import datetime as dt
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onewindow.cases.models import Case, CaseTask
from onewindow.cases.selectors import (
    BOARD_STATES,
    supervision_board,
    supervision_board_counts,
    task_light,
    task_queue_for_user,
    tasks_with_light,
)
from onewindow.cases.services import case_accept
from onewindow.cases.transitions import CaseState, TaskState
from onewindow.cases.views.staff.board import BOARD_PAGE_SIZE
from onewindow.org.models import CentreLevel, Role
from onewindow.testing.factories import staff_with_role
from onewindow.workcal.calendar import calendar_current
from onewindow.workflow import clock
from onewindow.workflow.clock import Light

API = "/api/cases"


def board_url(**query: object) -> str:
    return reverse("cases_staff:supervision") + (
        "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    )


def more_open_cases(template: Case, count: int) -> list[Case]:
    """``count`` copies of an accepted case with its tasks, as ``case_accept`` left them."""
    tasks = list(template.tasks.all())
    made = []
    first = Case.objects.filter(number__startswith=template.number).count()
    for index in range(first, first + count):
        case = Case.objects.get(pk=template.pk)
        case.pk = None
        case.number = f"{template.number}-{index:03d}"
        case.idempotency_key = None
        case.save()
        copies = []
        for task in tasks:
            task_copy = copy.copy(task)
            task_copy.pk = None
            task_copy.case = case
            copies.append(task_copy)
        CaseTask.objects.bulk_create(copies)
        made.append(case)
    return made


def district_manager(city):
    return staff_with_role(Role.CENTRE_MANAGER, centre=city.hall)


def text(response) -> str:
    return response.content.decode()


# --- the light in SQL -------------------------------------------------------------------------


def test_the_database_gives_every_open_case_the_light_of_the_rule(city):
    now = timezone.now().replace(microsecond=500000)
    calendar = calendar_current()
    bounds = clock.light_boundaries(now, calendar)
    template = case_accept(intake=city.intake())
    cases = [template, *more_open_cases(template, 9)]
    deadlines = [
        now - dt.timedelta(days=2),
        now - dt.timedelta(microseconds=1),
        now,
        now + dt.timedelta(microseconds=1),
        bounds.yellow_until,
        bounds.yellow_until + dt.timedelta(microseconds=1),
        now + dt.timedelta(days=30),
        None,
        now - dt.timedelta(days=1),  # suspended: paused, even when overdue
        now + dt.timedelta(days=3),  # suspended
    ]
    for case, due in zip(cases, deadlines, strict=True):
        Case.objects.filter(pk=case.pk).update(due_at=due)
    Case.objects.filter(pk__in=[cases[8].pk, cases[9].pk]).update(state=CaseState.SUSPENDED)
    admin = staff_with_role(Role.ADMIN)

    rows = supervision_board(user=admin, bounds=bounds)
    expected = {}
    for case in Case.objects.all():
        expected[case.number] = clock.light(
            due=case.due_at,
            now=now,
            paused=case.state == CaseState.SUSPENDED,
            running=True,
            calendar=calendar,
        )
    assert {row.number: row.light for row in rows} == expected
    assert [row.light for row in rows] == [
        Light.RED,
        Light.RED,
        Light.YELLOW,
        Light.YELLOW,
        Light.YELLOW,
        Light.PAUSED,
        Light.PAUSED,
        Light.GREEN,
        Light.GREEN,
        Light.STOPPED,
    ]
    # Within a light: by deadline.
    assert [row.number for row in rows[:5]] == [c.number for c in cases[:5]]
    counts = supervision_board_counts(user=admin, bounds=bounds)
    assert counts.lights == {
        Light.RED: 2,
        Light.YELLOW: 3,
        Light.PAUSED: 2,
        Light.GREEN: 2,
        Light.STOPPED: 1,
    }
    assert [(d.name, d.total) for d in counts.departments] == [("区住房和建设局", 10)]
    for light, count in counts.lights.items():
        chosen = supervision_board(user=admin, bounds=bounds, light=light)
        assert [row.light for row in chosen] == [light] * count
    page = supervision_board(user=admin, bounds=bounds, offset=4, limit=3)
    assert [row.number for row in page] == [row.number for row in rows[4:7]]


def test_every_page_of_the_board_is_the_rules_order_cut_at_its_offset(city):
    """Pages cut anywhere — across the red/yellow, yellow/paused, paused/green and
    green/no-deadline seams, in ties of one deadline — hold exactly the rows of the rule's
    order (``clock.light`` per case, then deadline, then number). On PostgreSQL the page is
    the union of the four runs read in index order; elsewhere one sorted query."""
    now = timezone.now().replace(microsecond=250000)
    bounds = clock.light_boundaries(now)
    template = case_accept(intake=city.intake())
    cases = [template, *more_open_cases(template, 13)]
    tie = now + dt.timedelta(hours=3)  # one deadline shared by three yellow cases
    plan = [
        (now - dt.timedelta(days=3), CaseState.ACCEPTED),
        (now - dt.timedelta(seconds=1), CaseState.ACCEPTED),
        (tie, CaseState.ACCEPTED),
        (tie, CaseState.ACCEPTED),
        (tie, CaseState.ACCEPTED),
        (bounds.yellow_until, CaseState.ACCEPTED),
        (now - dt.timedelta(days=1), CaseState.SUSPENDED),
        (now + dt.timedelta(days=9), CaseState.SUSPENDED),
        (bounds.yellow_until + dt.timedelta(microseconds=1), CaseState.ACCEPTED),
        (now + dt.timedelta(days=20), CaseState.ACCEPTED),
        (now + dt.timedelta(days=20), CaseState.ACCEPTED),
        (None, CaseState.ACCEPTED),
        (None, CaseState.SUSPENDED),
        (now + dt.timedelta(days=40), CaseState.ACCEPTED),
    ]
    for case, (due, state) in zip(cases, plan, strict=True):
        Case.objects.filter(pk=case.pk).update(due_at=due, state=state)
    admin = staff_with_role(Role.ADMIN)

    def rank(case: Case) -> tuple[int, dt.datetime, str]:
        lit = clock.light(
            due=case.due_at, now=now, paused=case.state == CaseState.SUSPENDED, running=True
        )
        return clock.LIGHT_RANK[lit], case.due_at or now, case.number

    expected = [c.number for c in sorted(Case.objects.all(), key=rank)]
    assert len(expected) == 14
    for limit in (1, 2, 5, 14):
        for offset in range(0, 16):
            page = supervision_board(user=admin, bounds=bounds, offset=offset, limit=limit)
            assert [row.number for row in page] == expected[offset : offset + limit], (
                offset,
                limit,
            )
    with CaptureQueriesContext(connection) as queries:
        supervision_board(user=admin, bounds=bounds)
    [statement] = [q["sql"] for q in queries.captured_queries if "cases_case" in q["sql"]]
    union = connection.features.supports_slicing_ordering_in_compound
    assert ("UNION ALL" in statement) is union
    assert statement.count("UNION ALL") == (2 if union else 0)


def test_the_queue_light_is_the_tasks_deadline_else_the_cases_paused_with_the_case(city):
    now = timezone.now()
    bounds = clock.light_boundaries(now)
    department = city.joint_departments[0]
    approver = city.approvers[department.pk]
    template = case_accept(intake=city.intake())
    late, paused, fallback = more_open_cases(template, 3)
    CaseTask.objects.filter(case=template).update(due_at=now + dt.timedelta(days=30))
    CaseTask.objects.filter(case=late).update(due_at=now - dt.timedelta(hours=1))
    CaseTask.objects.filter(case=paused).update(due_at=now - dt.timedelta(hours=1))
    Case.objects.filter(pk=paused.pk).update(state=CaseState.SUSPENDED)
    # No deadline of its own: the case's (overdue here) lights the task.
    CaseTask.objects.filter(case=fallback).update(due_at=None)
    Case.objects.filter(pk=fallback.pk).update(due_at=now - dt.timedelta(minutes=5))

    tasks = list(tasks_with_light(task_queue_for_user(approver), bounds=bounds))
    assert {task.case.number: task_light(task) for task in tasks} == {
        template.number: Light.GREEN,
        late.number: Light.RED,
        paused.number: Light.PAUSED,
        fallback.number: Light.RED,
    }
    assert {task.department_id for task in tasks} == {department.pk}
    # Most urgent first by the step's deadline; a step without one last.
    assert tasks[-1].case.number == fallback.number


# --- no DISTINCT on to-one scope paths ----------------------------------------------------------


def test_the_scoped_board_and_queue_queries_have_no_distinct(city):
    template = case_accept(intake=city.intake())
    more_open_cases(template, 2)
    manager = district_manager(city)
    lead = city.leads[city.lead_department.pk]
    approver = city.approvers[city.lead_department.pk]
    with CaptureQueriesContext(connection) as queries:
        board = supervision_board(user=manager)
        counts = supervision_board_counts(user=lead)
        queue = list(tasks_with_light(task_queue_for_user(approver)))
    assert len(board) == 3 and counts.total == 3 and len(queue) == 3
    statements = [q["sql"] for q in queries.captured_queries if "cases_case" in q["sql"]]
    assert len(statements) == 3
    assert not any("DISTINCT" in sql.upper() for sql in statements)


def test_the_street_manager_sees_only_the_streets_cases_and_the_district_manager_all(city):
    from onewindow.testing.factories import CentreFactory, StreetFactory

    own = case_accept(intake=city.intake())
    other_street = CentreFactory(level=CentreLevel.STREET_CENTRE, region=StreetFactory())
    elsewhere = more_open_cases(own, 1)[0]
    Case.objects.filter(pk=elsewhere.pk).update(centre=other_street)
    street_manager = staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre)
    assert [row.number for row in supervision_board(user=street_manager)] == [own.number]
    numbers = {row.number for row in supervision_board(user=district_manager(city))}
    assert numbers == {own.number, elsewhere.number}
    assert supervision_board_counts(user=city.clerk).total == 0


# --- a fixed number of queries ------------------------------------------------------------------


def board_page_queries(client, url, django_assert_num_queries, expected: int) -> str:
    client.get(url)  # the session and the process calendar warm
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return text(response)


BOARD_PAGE_QUERIES = 6
QUEUE_PAGE_QUERIES = 6
BOARD_API_QUERIES = 4
QUEUE_API_QUERIES = 5


def test_the_board_page_costs_the_same_queries_for_5_or_60_open_cases(
    client, city, django_assert_num_queries
):
    manager = district_manager(city)
    client.force_login(manager)
    template = case_accept(intake=city.intake())
    more_open_cases(template, 4)
    page = board_page_queries(client, board_url(), django_assert_num_queries, BOARD_PAGE_QUERIES)
    assert page.count('<tr class="light-row--') == 5
    more_open_cases(template, 55)
    Case.objects.filter(pk=template.pk).update(due_at=timezone.now() - dt.timedelta(hours=2))
    page = board_page_queries(client, board_url(), django_assert_num_queries, BOARD_PAGE_QUERIES)
    assert page.count('<tr class="light-row--') == BOARD_PAGE_SIZE
    counts = dict(re.findall(r'data-light="(\w+)">(\d+)<', page))
    assert counts == {"red": "1", "yellow": "0", "paused": "0", "green": "59"}
    assert '<td class="num">60</td>' in page  # the department's total
    # The overdue case comes first; page 2 holds the last ten.
    first_row = page[page.index('<tr class="light-row--') :]
    assert first_row.startswith('<tr class="light-row--red">') and template.number in first_row
    second = board_page_queries(
        client, board_url(page=2), django_assert_num_queries, BOARD_PAGE_QUERIES
    )
    assert second.count('<tr class="light-row--') == 10
    red = board_page_queries(
        client, board_url(light="red"), django_assert_num_queries, BOARD_PAGE_QUERIES
    )
    assert red.count('<tr class="light-row--red">') == 1
    assert red.count('<tr class="light-row--') == 1


def test_the_queue_page_costs_the_same_queries_for_5_or_60_tasks(
    client, city, django_assert_num_queries
):
    approver = city.approvers[city.lead_department.pk]
    client.force_login(approver)
    url = reverse("cases_staff:queue")
    template = case_accept(intake=city.intake())
    more_open_cases(template, 4)
    page = board_page_queries(client, url, django_assert_num_queries, QUEUE_PAGE_QUERIES)
    assert page.count('<tr id="task-') == 5
    more_open_cases(template, 55)
    page = board_page_queries(client, url, django_assert_num_queries, QUEUE_PAGE_QUERIES)
    assert page.count('<tr id="task-') == 25
    assert '<span class="count">60</span>' in page


def test_the_board_and_queue_apis_are_paged_in_a_fixed_number_of_queries(
    city, django_assert_num_queries
):
    lead = city.leads[city.lead_department.pk]
    approver = city.approvers[city.lead_department.pk]
    board, queue = Client(), Client()
    board.force_login(lead)
    queue.force_login(approver)
    template = case_accept(intake=city.intake())
    more_open_cases(template, 4)
    for client, path, expected in (
        (board, "/supervision", BOARD_API_QUERIES),
        (queue, "/queue", QUEUE_API_QUERIES),
    ):
        client.get(f"{API}{path}")
        with django_assert_num_queries(expected):
            assert len(client.get(f"{API}{path}").json()) == 5
    more_open_cases(template, 55)
    Case.objects.filter(pk=template.pk).update(due_at=timezone.now() - dt.timedelta(hours=2))
    for client, path, expected in (
        (board, "/supervision", BOARD_API_QUERIES),
        (queue, "/queue", QUEUE_API_QUERIES),
    ):
        with django_assert_num_queries(expected):
            assert len(client.get(f"{API}{path}").json()) == 50
    first = board.get(f"{API}/supervision?limit=2").json()
    assert [(r["number"], r["light"]) for r in first] == [
        (template.number, "red"),
        (f"{template.number}-001", "green"),
    ]
    assert set(first[0]) == {
        "number",
        "item_name",
        "department",
        "centre",
        "state",
        "state_label",
        "due_at",
        "paused_since",
        "light",
    }
    assert len(board.get(f"{API}/supervision?offset=55&limit=200").json()) == 5
    assert board.get(f"{API}/supervision?offset=60").json() == []
    for query, field in (
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("offset=-1", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("limit=ten", "limit"),
    ):
        refused = board.get(f"{API}/supervision?{query}")
        assert refused.status_code == 422, query
        assert [e["field"] for e in refused.json()["errors"]] == [field]


def test_the_partial_indexes_hold_exactly_the_open_cases_and_the_open_steps():
    indexes = {index.name: index for index in [*Case._meta.indexes, *CaseTask._meta.indexes]}

    def states(name: str) -> set[str]:
        condition = indexes[name].condition
        assert condition is not None
        return set(dict(condition.children)["state__in"])

    for name in (
        "case_open_due_idx",
        "case_open_department_due_idx",
        "case_open_dept_state_due_idx",
    ):
        assert states(name) == set(BOARD_STATES), name
    for name in ("task_open_department_due_idx", "task_open_dept_role_due_idx"):
        assert states(name) == {TaskState.OPEN, TaskState.CLAIMED}, name
    assert indexes["case_open_department_due_idx"].fields == ["department", "due_at"]
    assert indexes["task_open_department_due_idx"].fields == ["department", "due_at"]
    # Every column the counts by light and the scope read, so that they are index-only.
    assert indexes["case_open_dept_state_due_idx"].fields == [
        "department",
        "state",
        "due_at",
        "number",
        "centre",
    ]
    assert indexes["task_open_dept_role_due_idx"].fields == [
        "department",
        "role",
        "due_at",
        "state",
        "assignee",
    ]
