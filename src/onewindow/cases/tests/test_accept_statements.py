"""What one accept costs in SQL statements, guarded exactly (issue 8): a joint item of three
departments with five papers, through the service and through ``POST /api/cases/intake/accept``.

The service resolves nothing twice, takes the case number in one statement just before the
case's own inserts, writes every task and every paper in one statement each and one audit row;
the API reads each record of the request once, commits the look-up's audit row with the case
(one transaction) and answers from the case in memory; the applicant's SMS is queued on the
task backend after commit, never sent inside the request. A refused or replayed request keeps
exactly one audit row of each look-up it made."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CaseTask
from onewindow.cases.services import Intake, MaterialReceipt, case_accept
from onewindow.cases.tests.conftest import resident_id
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.services import ItemContent, item_save
from onewindow.core import tasks as core_tasks
from onewindow.core.models import AuditLog
from onewindow.notify.models import Notification
from onewindow.org.models import Window
from onewindow.testing.factories import (
    DepartmentFactory,
    StreetFactory,
    create_item,
    material,
)
from onewindow.workcal.calendar import calendar_current

PAPERS = [f"项目材料{n}" for n in range(1, 6)]
# The mover queues the kernel's hand-off, which runs the case machine's notifier.
NOTICE_TASK = "onewindow.workflow.tasks.event_notice_deliver"

# The service's statements, in order: the clerk's grants (the permission check, before the
# transaction), the handling scope and the pinned version (the checks), then the number and
# the writes — the number's row is locked from its statement to the commit.
SERVICE_STATEMENTS = [
    "SELECT org_roleassignment",
    "SAVEPOINT",
    "SELECT catalog_serviceitemversion",
    "INSERT cases_casenumbersequence",
    "INSERT cases_case",
    "INSERT cases_caseevent",
    "INSERT core_auditlog",
    "INSERT cases_casematerial",
    "INSERT cases_casetask",
    "RELEASE",
]
# The API adds the session and the user, then in one transaction: one read of the item's latest
# version (bringing the item, its department, and whether it names handling regions: this one
# names none, so none are read), one of the window (with its centre and region), the audited
# look-up of the ID number (the person and the look-up's audit row) and the service's writes —
# the service handed the version, not reading it again, and opening no savepoint of its own.
# One commit where there were two, and 15 statements where there were 19 (issue 8).
API_STATEMENTS = [
    "SELECT django_session",
    "SELECT auth_user",
    "SAVEPOINT",  # BEGIN outside the test's transaction
    "SELECT catalog_serviceitemversion",
    "SELECT org_window",
    "SELECT org_roleassignment",
    "SELECT applicants_person",
    "INSERT core_auditlog",
    *SERVICE_STATEMENTS[3:-1],
    "RELEASE",  # COMMIT
]
API_REGIONS_AT = API_STATEMENTS.index("SELECT catalog_serviceitemversion") + 1


def shape(sql: str) -> str:
    """``"INSERT cases_case"``: the statement's verb and its first table."""
    verb = sql.split()[0].upper()
    if verb in ("SAVEPOINT", "RELEASE"):
        return verb
    # The outermost statement's table, not one of a subquery (an ``EXISTS (SELECT … FROM …)``).
    while re.search(r"\([^()]*\)", sql):
        sql = re.sub(r"\([^()]*\)", "", sql)
    table = re.search(r'(?:INTO|FROM|UPDATE)\s+"?(\w+)"?', sql, re.IGNORECASE)
    assert table is not None, sql
    return f"{verb} {table.group(1)}"


@pytest.fixture
def joint_item(city):
    """Three departments (the lead and two joint ones) review it; five papers."""
    lead = DepartmentFactory(name="区发展和改革局")
    joint = [DepartmentFactory(name=f"会办部门{n}") for n in (1, 2)]
    item = create_item(
        name="企业投资项目核准",
        department=lead,
        materials=[material(name=name) for name in PAPERS],
    )
    content = ItemContent(
        item=item,
        materials=list(item.materials.all()),
        steps=list(item.steps.all()),
        joint_department_ids=[d.pk for d in joint],
    )
    return item_save(content=content)


@pytest.fixture
def warm_calendar():
    calendar_current()  # the process calendar is read once per process, not per accept


def test_the_service_accepts_in_ten_statements(
    city, joint_item, warm_calendar, django_assert_num_queries
):
    # Every record as the API hands it over: read once, with what the service reads of it.
    item = (
        ServiceItem.objects.select_related("department")
        .prefetch_related("handled_in_regions")
        .get(pk=joint_item.pk)
    )
    window = Window.objects.select_related("centre__region").get(pk=city.intake_window.pk)
    clerk = get_user_model().objects.get(pk=city.clerk.pk)  # grants not yet read
    intake = Intake(
        item=item,
        centre=window.centre,
        window=window,
        clerk=clerk,
        person=city.person,
        materials=[MaterialReceipt(name=name, status="received") for name in PAPERS],
    )
    with django_assert_num_queries(len(SERVICE_STATEMENTS)) as captured:
        case = case_accept(intake=intake)
    assert [shape(q["sql"]) for q in captured.captured_queries] == SERVICE_STATEMENTS
    assert case.number.endswith("00001") and case.state == "accepted"
    tasks = CaseTask.objects.filter(case=case)
    assert tasks.filter(kind="review").count() == 3
    assert set(tasks.filter(kind="review").values_list("state", flat=True)) == {"open"}
    assert CaseMaterial.objects.filter(case=case).count() == 5
    assert CaseEvent.objects.filter(case=case).count() == 1
    assert AuditLog.objects.filter(action="cases.accept", object_id=str(case.pk)).count() == 1


def test_the_api_accepts_in_fifteen_statements_and_answers_a_slim_body(
    city, joint_item, warm_calendar, settings, django_assert_num_queries
):
    client = Client()
    client.force_login(city.clerk)
    body = {
        "item_id": joint_item.pk,
        "centre_id": city.street_centre.pk,
        "window_id": city.intake_window.pk,
        "applicant": {"id_type": "111", "id_number": resident_id()},
        "materials": [{"name": name, "status": "received"} for name in PAPERS],
    }
    with django_assert_num_queries(len(API_STATEMENTS)) as captured:
        response = client.post(
            "/api/cases/intake/accept",
            data=json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": "joint-1"},
        )
    assert response.status_code == 201, response.json()
    assert [shape(q["sql"]) for q in captured.captured_queries] == API_STATEMENTS
    case = Case.objects.get()
    answer = response.json()
    assert set(answer) == {
        "number",
        "state",
        "state_label",
        "revision",
        "outcome",
        "submitted_at",
        "accepted_at",
        "due_at",
        "supplement_deadline",
        "query_code",
        "links",
    }
    assert (answer["number"], answer["state"], answer["revision"]) == (case.number, "accepted", 2)
    assert answer["query_code"] == case.query_code
    assert answer["due_at"] is not None and answer["supplement_deadline"] is None
    assert answer["links"] == {
        "case": f"/api/cases/{case.number}",
        "notice": f"/staff/cases/{case.number}/notice.pdf",
        "progress": f"{settings.PUBLIC_BASE_URL}/p/{case.number}",
    }
    assert CaseTask.objects.filter(case=case, kind="review").count() == 3
    # The look-up of the ID number is audited as before, with the case's own row beside it.
    lookup = AuditLog.objects.get(action="applicants.person_lookup")
    assert (lookup.object_id, lookup.detail["found"]) == (str(case.person_id), True)
    assert AuditLog.objects.filter(action="cases.accept", object_id=str(case.pk)).count() == 1


def signed_in_clerk(city) -> Client:
    client = Client()
    client.force_login(city.clerk)
    return client


def accept_over_api(client, city, item, key: str):
    body = {
        "item_id": item.pk,
        "centre_id": city.street_centre.pk,
        "window_id": city.intake_window.pk,
        "applicant": {"id_type": "111", "id_number": resident_id()},
        "materials": [{"name": name, "status": "received"} for name in PAPERS],
    }
    return client.post(
        "/api/cases/intake/accept",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_an_item_that_names_regions_reads_them_with_one_statement_more(
    city, joint_item, warm_calendar, django_assert_num_queries
):
    joint_item.handled_in_regions.add(city.street_centre.region)
    client = signed_in_clerk(city)
    at = API_REGIONS_AT
    expected = [*API_STATEMENTS[:at], "SELECT org_region", *API_STATEMENTS[at:]]
    with django_assert_num_queries(len(expected)) as captured:
        response = accept_over_api(client, city, joint_item, "regions-1")
    assert response.status_code == 201, response.json()
    assert [shape(q["sql"]) for q in captured.captured_queries] == expected


def test_an_item_whose_regions_leave_out_the_centre_is_refused_over_the_api(city, joint_item):
    joint_item.handled_in_regions.add(StreetFactory())
    response = accept_over_api(signed_in_clerk(city), city, joint_item, "regions-2")
    assert response.status_code == 422, response.json()
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("item", "not_handled_here")
    ]
    assert Case.objects.count() == 0


def test_the_applicants_message_is_queued_after_commit_not_sent_in_the_request(
    city, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASK_BACKEND = "thread"
    started: list[tuple] = []

    class Thread:
        def __init__(self, target, args, daemon):
            self.call = (target, args, daemon)

        def start(self):
            started.append(self.call)

    monkeypatch.setattr(core_tasks.threading, "Thread", Thread)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_accept(intake=city.intake())
    event = CaseEvent.objects.get(case=case, action="accept")
    call = (NOTICE_TASK, {"machine": "cases.case", "event_id": event.pk})
    assert started == [(core_tasks._run_in_thread, call, True)]
    assert Notification.objects.count() == 0  # nothing sent inside the request
    # The intent is durable until the thread has run: a restart before that leaves it to the
    # sweep. The thread's task, run here, stores the message and clears the flag.
    assert event.notify_pending is True
    core_tasks.run_registered(*call)
    event.refresh_from_db()
    assert event.notify_pending is False
    assert Notification.objects.get().idempotency_key == f"{event.pk}:sms"


# --- the look-up and the filing share one transaction: failures keep the audit trail exact ---


def lookups() -> list[tuple[str, bool]]:
    return [
        (row.object_id, row.detail["found"])
        for row in AuditLog.objects.filter(action="applicants.person_lookup").order_by("id")
    ]


def test_an_accept_refused_for_a_missing_paper_keeps_one_audit_row_of_its_look_up(city, joint_item):
    client = signed_in_clerk(city)
    body = {
        "item_id": joint_item.pk,
        "centre_id": city.street_centre.pk,
        "window_id": city.intake_window.pk,
        "applicant": {"id_type": "111", "id_number": resident_id()},
        "materials": [
            {"name": name, "status": "missing" if name == PAPERS[0] else "received"}
            for name in PAPERS
        ],
    }
    response = client.post(
        "/api/cases/intake/accept",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": "missing-1"},
    )
    assert response.status_code == 422, response.json()
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("materials[0]", "missing")
    ]
    assert lookups() == [(str(city.person.pk), True)]
    assert Case.objects.count() == 0
    assert not AuditLog.objects.filter(action="cases.accept").exists()


def test_an_unregistered_applicant_is_refused_with_one_audit_row_of_the_look_up(city, joint_item):
    client = signed_in_clerk(city)
    body = {
        "item_id": joint_item.pk,
        "centre_id": city.street_centre.pk,
        "window_id": city.intake_window.pk,
        "applicant": {"id_type": "111", "id_number": resident_id(serial=77)},
        "materials": [{"name": name, "status": "received"} for name in PAPERS],
    }
    response = client.post(
        "/api/cases/intake/accept",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": "unknown-1"},
    )
    assert response.status_code == 422, response.json()
    assert lookups() == [("", False)]
    assert Case.objects.count() == 0


def test_a_clerk_of_another_centre_is_refused_audited_once_before_any_look_up(city, joint_item):
    # The hall's clerk may read personal data, but not accept at the street centre: refused
    # before the applicant is looked up (refuse before reveal), so no personal data is read.
    client = Client()
    client.force_login(city.hall_clerk)
    response = accept_over_api(client, city, joint_item, "elsewhere-1")
    assert response.status_code == 403, response.json()
    refusals = AuditLog.objects.filter(allowed=False, actor=city.hall_clerk)
    assert [row.action for row in refusals] == ["denied:case.accept"]
    assert lookups() == []
    assert Case.objects.count() == 0


def test_a_replay_answers_the_first_case_and_each_request_audits_its_look_up_once(city, joint_item):
    client = signed_in_clerk(city)
    first = accept_over_api(client, city, joint_item, "same-key")
    again = accept_over_api(client, city, joint_item, "same-key")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replay"] == "true"
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1
    assert lookups() == [(str(city.person.pk), True)] * 2


def test_an_unknown_centre_is_answered_before_any_look_up(city, joint_item):
    client = signed_in_clerk(city)
    body = {
        "item_id": joint_item.pk,
        "centre_id": 10**9,
        "applicant": {"id_type": "111", "id_number": resident_id(serial=77)},
        "materials": [{"name": name, "status": "received"} for name in PAPERS],
    }
    response = client.post(
        "/api/cases/intake/accept",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": "nowhere-1"},
    )
    assert response.status_code == 422, response.json()
    assert [e["field"] for e in response.json()["errors"]] == ["centre_id"]
    # Not looked up: the answer says nothing of whether the number is registered.
    assert lookups() == []
    assert Case.objects.count() == 0
