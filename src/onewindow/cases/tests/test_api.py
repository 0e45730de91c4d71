"""The case flow through the HTTP API only: the lift item with eight departments, the instant
item, idempotent intake, racing and stale writes, and who may see and touch a case."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.cases.models import Case, CaseEvent, CaseTask
from onewindow.cases.tests.conftest import resident_id
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import DepartmentFactory, staff_with_role

DEFERRED = "房屋安全鉴定报告"
API = "/api/cases"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, url, body, key=None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        f"{API}{url}", data=json.dumps(body), content_type="application/json", headers=headers
    )


def intake_body(city, item=None, window=None, statuses=None, **extra):
    item = item or city.lift
    statuses = statuses or {}
    return {
        "item_id": item.pk,
        "centre_id": city.street_centre.pk,
        "window_id": (window or city.intake_window).pk,
        # The window's way of naming the applicant: the ID number (an audited look-up).
        "applicant": {"id_type": "111", "id_number": resident_id()},
        "materials": [
            {"name": m.name, "status": "received", **statuses.get(m.name, {})}
            for m in item.materials.all()
        ],
        **extra,
    }


def lift_with_deferred_paper(city):
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    return intake_body(
        city,
        statuses={DEFERRED: {"status": "deferred", "due_date": due}},
        promise_signed=True,
    )


def accept(city, key="k-1", body=None):
    response = post(client_for(city.clerk), "/intake/accept", body or intake_body(city), key)
    assert response.status_code == 201, response.json()
    return response.json()


def get_case(user, number):
    return client_for(user).get(f"{API}/{number}")


def work(user, task_id, outcome="approve", opinion="同意"):
    client = client_for(user)
    claimed = post(client, f"/tasks/{task_id}/claim", {})
    assert claimed.status_code == 200, claimed.json()
    revision = claimed.json()["revision"]
    return post(
        client,
        f"/tasks/{task_id}/complete",
        {"outcome": outcome, "opinion": opinion, "expected_revision": revision},
    )


def queue_task(user, number):
    response = client_for(user).get(f"{API}/queue")
    assert response.status_code == 200
    rows = [row for row in response.json() if row["case_number"] == number]
    assert len(rows) == 1
    return rows[0]


def test_lift_item_through_the_api(city):
    answer = accept(city, body=lift_with_deferred_paper(city))
    number = answer["number"]
    assert (answer["state"], answer["revision"]) == ("accepted", 2)
    # The intake answer is slim; the whole case is one link away.
    assert answer["links"]["case"] == f"{API}/{number}"
    created = client_for(city.clerk).get(answer["links"]["case"]).json()
    assert (created["state"], created["revision"], created["light"]) == ("accepted", 2, "green")
    assert created["item"]["version"] == 2
    assert [(m["name"], m["status"]) for m in created["materials"]] == [
        ("既有住宅增设电梯申请表", "received"),
        ("业主表决意见书", "received"),
        (DEFERRED, "deferred"),
    ]
    reviews = [t for t in created["tasks"] if t["kind"] == "review"]
    assert len(reviews) == 9
    assert {t["state"] for t in reviews} == {"open"}
    assert [t["department"]["name"] for t in reviews if t["is_lead"]] == ["区住房和建设局"]
    assert {t["state"] for t in created["tasks"] if t["kind"] != "review"} == {"waiting"}
    # The applicant appears masked only.
    assert created["person"]["name_masked"] == "陈*文"
    assert created["person"]["id_number_masked"] == city.person.id_number_masked
    assert created["person"]["phone_masked"] == city.person.phone_masked
    assert "陈大文" not in json.dumps(created, ensure_ascii=False)

    # Seven joint departments approve from their queues; the eighth asks for papers (补正).
    asking, *approving = city.joint_departments
    for department in approving:
        approver = city.approvers[department.pk]
        row = queue_task(approver, number)
        assert (row["department"]["id"], row["item_name"]) == (department.pk, "既有住宅增设电梯")
        done = work(approver, row["id"])
        assert (done.status_code, done.json()["state"]) == (200, "done")
    asker = city.approvers[asking.pk]
    asking_task = queue_task(asker, number)["id"]
    sent_back = work(asker, asking_task, outcome="supplement", opinion="请补充结构图纸")
    assert sent_back.status_code == 200
    suspended = get_case(asker, number).json()
    assert (suspended["state"], suspended["light"]) == ("suspended", "paused")
    assert suspended["paused_since"] is not None
    assert [(p["kind"], p["reason"]) for p in suspended["pauses"]] == [
        ("supplement", "请补充结构图纸")
    ]
    # Every department sees the others' opinions.
    assert sorted({t["opinion"] for t in suspended["tasks"] if t["kind"] == "review"}) == [
        "",
        "同意",
        "请补充结构图纸",
    ]

    # The papers arrive at the window: the clock resumes.
    clerk = client_for(city.clerk)
    received = post(
        clerk,
        f"/{number}/papers-received",
        {"materials": [{"name": "业主表决意见书"}], "expected_revision": suspended["revision"]},
    )
    assert (received.status_code, received.json()["state"]) == (200, "accepted")
    assert received.json()["pauses"][0]["ended_at"] is not None
    rejected = post(
        client_for(asker),
        f"/tasks/{asking_task}/complete",
        {"outcome": "reject", "opinion": "不同意：影响消防通道"},
    )
    assert (rejected.status_code, rejected.json()["outcome"]) == (200, "reject")

    lead_department = city.lead_department
    lead_review = queue_task(city.approvers[lead_department.pk], number)
    assert lead_review["is_lead"] is True
    assert work(city.approvers[lead_department.pk], lead_review["id"]).status_code == 200

    # The decision step: the 容缺 paper has not arrived, so no decision yet.
    lead = city.leads[lead_department.pk]
    decide = queue_task(lead, number)
    assert (decide["kind"], decide["state"]) == ("decide", "open")
    too_early = work(lead, decide["id"], opinion="同意")
    assert too_early.status_code == 409
    assert too_early.json()["code"] == "materials_outstanding"
    assert DEFERRED in too_early.json()["message_en"]
    papers = post(clerk, f"/{number}/papers-received", {"materials": [{"name": DEFERRED}]})
    assert papers.status_code == 200
    decided = post(
        client_for(lead),
        f"/tasks/{decide['id']}/complete",
        {"outcome": "approve", "opinion": "经协调消防通道不受影响，同意"},
    )
    assert decided.status_code == 200
    complete = queue_task(city.approvers[lead_department.pk], number)
    assert complete["kind"] == "complete"
    assert work(city.approvers[lead_department.pk], complete["id"], opinion="办结").status_code == (
        200
    )
    case = get_case(city.output_clerk, number).json()
    assert (case["state"], case["outcome"], case["light"]) == ("decided", "approved", "stopped")

    delivered = post(
        client_for(city.output_clerk),
        f"/{number}/deliver",
        {"method": "window", "collector_id_checked": True, "expected_revision": case["revision"]},
    )
    assert delivered.status_code == 200
    body = delivered.json()
    assert body["state"] == "delivered"
    assert body["delivered_at"] is not None
    moves = [e["action"] for e in body["events"] if e["from_state"] != e["to_state"]]
    assert moves == ["accept", "suspend", "resume", "decide", "deliver"]
    assert body["events"][-1]["data"]["papers_returned"] == [
        "既有住宅增设电梯申请表",
        "业主表决意见书",
        DEFERRED,
    ]
    assert Case.objects.count() == 1


def test_instant_item_finished_at_the_window(city):
    body = intake_body(city, item=city.instant, window=city.instant_window)
    response = post(client_for(city.clerk), "/intake/complete-instant", body, "instant-1")
    assert response.status_code == 201
    case = response.json()
    assert (case["state"], case["outcome"]) == ("decided", "approved")
    assert get_case(city.clerk, case["number"]).json()["tasks"] == []
    delivered = post(
        client_for(city.clerk),
        f"/{case['number']}/deliver",
        {"method": "window", "collector_id_checked": True},
    )
    assert delivered.json()["state"] == "delivered"
    assert [e["action"] for e in delivered.json()["events"]] == ["complete_instant", "deliver"]


def test_supplement_notice_and_refusal_at_intake(city):
    client = client_for(city.clerk)
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    body = intake_body(
        city,
        statuses={"业主表决意见书": {"status": "missing"}},
        deadline=deadline,
        note="请带齐材料",
    )
    notice = post(client, "/intake/supplement", body, "s-1")
    assert notice.status_code == 201
    assert (notice.json()["state"], notice.json()["due_at"]) == ("supplement_requested", None)
    assert notice.json()["supplement_deadline"] == deadline
    refused = post(client, "/intake/refuse", intake_body(city, reasons="不属于本机关职权"), "r-1")
    assert refused.status_code == 201
    assert refused.json()["state"] == "refused"
    events = get_case(city.clerk, refused.json()["number"]).json()["events"]
    assert events[0]["reason"] == "不属于本机关职权"
    assert Case.objects.count() == 2


@pytest.mark.parametrize("key", [None, "", "x" * 65])
def test_intake_without_a_usable_idempotency_key_is_refused(city, key):
    response = post(client_for(city.clerk), "/intake/accept", intake_body(city), key)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "idempotency_key_required"
    assert body["message_en"].startswith("Send an Idempotency-Key header (1 to 64 characters)")
    assert body["message"]  # the Chinese text, whatever the translation
    assert Case.objects.count() == 0


def test_a_replayed_key_returns_the_same_case(city):
    client = client_for(city.clerk)
    first = post(client, "/intake/accept", intake_body(city), "portal-7f3a")
    again = post(client, "/intake/accept", intake_body(city), "portal-7f3a")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replay"] == "true"
    assert "Idempotent-Replay" not in first.headers
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1
    assert Case.objects.get().idempotency_key == "portal-7f3a"
    assert CaseTask.objects.count() == 11
    assert CaseEvent.objects.filter(action="accept").count() == 1

    other_item = intake_body(city, item=city.instant, window=city.instant_window)
    reused = post(client, "/intake/complete-instant", other_item, "portal-7f3a")
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_the_second_of_two_claims_gets_409(city):
    number = accept(city)["number"]
    first = city.approvers[city.lead_department.pk]
    second = staff_with_role(Role.DEPT_APPROVER, department=city.lead_department)
    task_id = queue_task(first, number)["id"]
    assert post(client_for(first), f"/tasks/{task_id}/claim", {}).status_code == 200
    late = post(client_for(second), f"/tasks/{task_id}/claim", {})
    assert late.status_code == 409
    assert late.json()["code"] == "transition_not_allowed"
    task = CaseTask.objects.get(pk=task_id)
    assert (task.state, task.assignee_id) == ("claimed", first.pk)
    assert CaseEvent.objects.filter(action="task_claim").count() == 1


def test_a_stale_revision_gets_409_stale_and_changes_nothing(city):
    number = accept(city)["number"]
    approver = city.approvers[city.lead_department.pk]
    task = queue_task(approver, number)
    client = client_for(approver)
    claimed = post(client, f"/tasks/{task['id']}/claim", {"expected_revision": task["revision"]})
    assert claimed.json()["revision"] == task["revision"] + 1
    stale = post(
        client,
        f"/tasks/{task['id']}/complete",
        {"outcome": "approve", "opinion": "同意", "expected_revision": task["revision"]},
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"
    assert stale.json()["message_en"].startswith("Someone else changed this case")
    assert CaseTask.objects.get(pk=task["id"]).state == "claimed"

    lead = client_for(city.leads[city.lead_department.pk])
    case = get_case(city.leads[city.lead_department.pk], number).json()
    suspend = {"kind": "hearing", "reason": "听证", "expected_revision": case["revision"]}
    assert post(lead, f"/{number}/suspend", suspend).json()["state"] == "suspended"
    again = post(lead, f"/{number}/resume", {"result": "x", "expected_revision": case["revision"]})
    assert (again.status_code, again.json()["code"]) == (409, "stale")
    assert Case.objects.get().state == "suspended"


def test_a_move_the_state_does_not_allow_gets_409(city):
    number = accept(city)["number"]
    response = post(
        client_for(city.output_clerk),
        f"/{number}/deliver",
        {"method": "window", "collector_id_checked": True},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert Case.objects.get().state == "accepted"


def test_another_department_gets_404_everywhere_and_nothing_changes(city):
    number = accept(city)["number"]
    case = Case.objects.get()
    task = case.tasks.get(kind="review", department=city.lead_department)
    colleague = city.approvers[city.lead_department.pk]
    outsider = staff_with_role(Role.DEPT_LEAD, department=DepartmentFactory(name="区教育局"))
    before = (case.state, case.revision, case.events.count(), case.pauses.count())
    client = client_for(outsider)
    attempts = [
        client.get(f"{API}/{number}"),
        post(client, f"/tasks/{task.pk}/claim", {}),
        post(client, f"/tasks/{task.pk}/complete", {"outcome": "approve", "opinion": "越权"}),
        post(client, f"/tasks/{task.pk}/assign", {"assignee_id": colleague.pk}),
        post(client, f"/{number}/suspend", {"kind": "hearing", "reason": "越权"}),
        post(client, f"/{number}/resume", {"result": "越权"}),
        post(client, f"/{number}/papers-received", {"materials": [{"name": DEFERRED}]}),
        post(client, f"/{number}/deliver", {"method": "window", "collector_id_checked": True}),
    ]
    assert [r.status_code for r in attempts] == [404] * 8
    assert {r.json()["code"] for r in attempts} == {"not_found"}
    # The same answer as for a case that does not exist.
    missing = client.get(f"{API}/NO-SUCH-CASE")
    assert (missing.status_code, missing.json()) == (404, attempts[0].json())

    case.refresh_from_db()
    task.refresh_from_db()
    assert (case.state, case.revision, case.events.count(), case.pauses.count()) == before
    assert (task.state, task.assignee_id, task.revision) == ("open", None, 1)
    denials = AuditLog.objects.filter(actor=outsider, allowed=False)
    # Each request is refused at the look-up of the case it names, before its input is read:
    # "not yours" (case.view) and "does not exist" (not_found) are each audited once.
    assert sorted(denials.values_list("action", flat=True)) == [
        *["denied:case.view"] * 8,
        "denied:not_found",
    ]
    # Intake at a centre that is not theirs: forbidden (a centre is no secret), audited.
    refused = post(client, "/intake/accept", intake_body(city), "outsider-1")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert Case.objects.count() == 1
    assert denials.filter(action="denied:case.accept").count() == 1


def test_anonymous_gets_401_and_nothing_is_created(city):
    number = accept(city)["number"]
    client = Client()
    assert client.get(f"{API}/{number}").status_code == 401
    assert client.get(f"{API}/queue").status_code == 401
    assert client.get(f"{API}/supervision").status_code == 401
    assert post(client, "/intake/accept", intake_body(city), "anon-1").status_code == 401
    assert post(client, f"/{number}/suspend", {"kind": "hearing", "reason": "x"}).status_code == (
        401
    )
    assert Case.objects.count() == 1
    assert Case.objects.get().state == "accepted"


def test_session_writes_need_the_csrf_token(city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.clerk)
    response = post(client, "/intake/accept", intake_body(city), "csrf-1")
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert Case.objects.count() == 0


def test_a_malformed_body_gets_422_with_field_names(city):
    client = client_for(city.clerk)
    body = intake_body(city)
    del body["item_id"]
    body["materials"][0]["copies"] = -1
    body["materials"][1]["status"] = "lost"
    response = post(client, "/intake/accept", body, "bad-1")
    assert response.status_code == 422
    assert response.json()["code"] == "request_invalid"
    fields = sorted(error["field"] for error in response.json()["errors"])
    assert fields == ["item_id", "materials.0.copies", "materials.1.status"]
    assert Case.objects.count() == 0

    # Unknown records and the domain's own checks answer 422 in the platform's error format.
    unknown = post(
        client,
        "/intake/accept",
        intake_body(city, window=city.intake_window)
        | {
            "item_id": 999999,
            "applicant": {"id_type": "111", "id_number": resident_id(serial=999)},
        },
        "bad-2",
    )
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["item_id", "applicant.id_number"]
    missing = post(
        client,
        "/intake/accept",
        intake_body(city, statuses={"业主表决意见书": {"status": "missing"}}),
        "bad-3",
    )
    assert missing.status_code == 422
    assert missing.json()["code"] == "materials_incomplete"
    assert [(e["field"], e["code"]) for e in missing.json()["errors"]] == [
        ("materials[1]", "missing")
    ]
    assert Case.objects.count() == 0


def test_queue_and_supervision_are_for_their_roles(city, django_assert_max_num_queries):
    for index in range(3):
        accept(city, key=f"q-{index}")
    lead = city.leads[city.lead_department.pk]
    approver = city.approvers[city.lead_department.pk]
    client = client_for(approver)
    client.get(f"{API}/queue")  # warm the session and permission caches
    with django_assert_max_num_queries(6):  # the same for 3 rows or 300
        rows = client.get(f"{API}/queue").json()
    assert [(r["kind"], r["state"], r["light"]) for r in rows] == [("review", "open", "green")] * 3
    board = client_for(lead).get(f"{API}/supervision")
    assert board.status_code == 200
    assert sorted(r["number"] for r in board.json()) == sorted(
        Case.objects.values_list("number", flat=True)
    )
    assert {r["light"] for r in board.json()} == {"green"}
    clerk = client_for(city.clerk)
    assert clerk.get(f"{API}/queue").status_code == 403
    assert client.get(f"{API}/supervision").status_code == 403
    assert (
        AuditLog.objects.filter(
            actor__in=[city.clerk, approver],
            action__in=["denied:case.work", "denied:case.supervise"],
        ).count()
        == 2
    )


def test_case_detail_in_a_fixed_number_of_queries(city, django_assert_max_num_queries):
    number = accept(city)["number"]
    client = client_for(city.clerk)
    client.get(f"{API}/{number}")
    with django_assert_max_num_queries(11):  # fixed, whatever the number of tasks
        assert client.get(f"{API}/{number}").status_code == 200


def test_a_lead_assigns_a_task_to_a_colleague(city):
    number = accept(city)["number"]
    lead_department = city.lead_department
    approver = city.approvers[lead_department.pk]
    colleague = staff_with_role(Role.DEPT_APPROVER, department=lead_department)
    task = queue_task(approver, number)
    response = post(
        client_for(approver), f"/tasks/{task['id']}/assign", {"assignee_id": colleague.pk}
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["assignee"]) == (
        "claimed",
        colleague.get_full_name() or colleague.username,
    )
    unknown = post(client_for(approver), f"/tasks/{task['id']}/assign", {"assignee_id": 999999})
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "assignee_id")


def test_openapi_lists_the_case_endpoints():
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/cases/intake/accept", "post"),
        ("/api/cases/intake/supplement", "post"),
        ("/api/cases/intake/refuse", "post"),
        ("/api/cases/intake/complete-instant", "post"),
        ("/api/cases/{number}", "get"),
        ("/api/cases/queue", "get"),
        ("/api/cases/supervision", "get"),
        ("/api/cases/tasks/{task_id}/claim", "post"),
        ("/api/cases/tasks/{task_id}/complete", "post"),
        ("/api/cases/tasks/{task_id}/assign", "post"),
        ("/api/cases/{number}/suspend", "post"),
        ("/api/cases/{number}/resume", "post"),
        ("/api/cases/{number}/papers-received", "post"),
        ("/api/cases/{number}/deliver", "post"),
    ]:
        assert method in paths[path], path
    accept_op = paths["/api/cases/intake/accept"]["post"]
    assert [p["name"] for p in accept_op["parameters"]] == ["Idempotency-Key"]
    assert {"200", "201", "400", "403", "404", "409", "422"} <= set(accept_op["responses"])


def test_withdraw_through_the_api(city):
    body = accept(city)
    number = body["number"]
    approver = client_for(city.approvers[city.lead_department.pk])
    refused = post(approver, f"/{number}/withdraw", {"reason": "越权"})
    assert refused.status_code == 404  # a department does not take withdrawals; hidden
    empty = post(client_for(city.clerk), f"/{number}/withdraw", {"reason": " "})
    assert (empty.status_code, empty.json()["code"]) == (422, "reason_required")
    done = post(client_for(city.clerk), f"/{number}/withdraw", {"reason": "申请人撤回"})
    assert done.status_code == 200
    assert done.json()["state"] == "withdrawn"
    assert set(Case.objects.get().tasks.values_list("state", flat=True)) == {"cancelled"}
    again = post(client_for(city.clerk), f"/{number}/withdraw", {"reason": "再次"})
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")


def test_only_the_intake_answers_that_file_the_case_carry_the_query_code(city):
    client = client_for(city.clerk)
    accepted = post(client, "/intake/accept", intake_body(city), "code-1")
    replayed = post(client, "/intake/accept", intake_body(city), "code-1")
    instant = post(
        client,
        "/intake/complete-instant",
        intake_body(city, item=city.instant, window=city.instant_window),
        "code-2",
    )
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    supplement = post(
        client,
        "/intake/supplement",
        intake_body(city, statuses={"业主表决意见书": {"status": "missing"}}, deadline=deadline),
        "code-3",
    )
    refused = post(
        client, "/intake/refuse", intake_body(city, reasons="不属于本机关职权"), "code-4"
    )
    answers = [accepted, replayed, instant, supplement, refused]
    assert [a.status_code for a in answers] == [201, 200, 201, 201, 201]
    for answer in answers:
        case = Case.objects.get(number=answer.json()["number"])
        assert answer.json()["query_code"] == case.query_code
    # Every other answer about the case leaves the code out.
    number = accepted.json()["number"]
    code = Case.objects.get(number=number).query_code
    detail = get_case(city.clerk, number)
    assert detail.status_code == 200
    assert "query_code" not in detail.json()
    delivered = post(
        client,
        f"/{instant.json()['number']}/deliver",
        {"method": "window", "collector_id_checked": True},
    )
    assert delivered.status_code == 200
    assert "query_code" not in delivered.json()
    approver = city.approvers[city.joint_departments[0].pk]
    queue = client_for(approver).get(f"{API}/queue")
    assert queue.status_code == 200
    for response in (detail, delivered, queue):
        assert code not in response.content.decode()
        assert "query_code" not in response.content.decode()


def test_the_openapi_schema_names_the_query_code_only_in_the_intake_answers():
    schema = Client().get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    assert "query_code" not in components["CaseOut"]["properties"]
    assert "query_code" in components["IntakeCaseOut"]["required"]
    accept_op = schema["paths"]["/api/cases/intake/accept"]["post"]
    for status in ("200", "201"):
        body = accept_op["responses"][status]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/IntakeCaseOut"}
    detail_op = schema["paths"]["/api/cases/{number}"]["get"]
    body = detail_op["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CaseOut"}
