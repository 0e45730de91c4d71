"""Staff pages of the case flow: who may open and act on each page, and what it shows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.applicants.models import Person
from onewindow.cases.models import Case, CaseTask, MaterialStatus, TaskOutcome
from onewindow.cases.services import (
    MaterialReceipt,
    case_accept,
    case_complete_instant,
    task_claim,
    task_complete,
)
from onewindow.cases.tests.conftest import resident_id
from onewindow.cases.transitions import CaseState, TaskState
from onewindow.core.models import AuditLog
from onewindow.org.models import CentreLevel, Role
from onewindow.testing.factories import CentreFactory, StreetFactory, create_item, staff_with_role

DEFERRED = "房屋安全鉴定报告"
VOTES = "业主表决意见书"


def other_street_clerk():
    centre = CentreFactory(level=CentreLevel.STREET_CENTRE, region=StreetFactory(), name="另一街道")
    return staff_with_role(Role.INTAKE_CLERK, centre=centre)


def url(name: str, *args: object) -> str:
    return reverse(f"cases_staff:{name}", args=args)


def at_window(client, city, window=None) -> None:
    window = window or city.intake_window
    response = client.post(
        url("intake_desk_choose"), {"desk": f"{city.street_centre.pk}:{window.pk}"}
    )
    assert response.status_code == 302


def identified(client, city, window=None) -> None:
    client.force_login(city.clerk)
    at_window(client, city, window)
    response = client.post(url("intake_identify"), {"id_type": "111", "id_number": resident_id()})
    assert response.status_code == 302


def checklist_post(city, key: str, decision: str = "accept", **rows: dict) -> dict:
    """The intake form as the browser sends it: every paper received unless ``rows`` says."""
    data = {"idempotency_key": key, "decision": decision, "output_method": "window"}
    papers = city.lift.versions.order_by("-number").first().snapshot["materials"]
    for index, paper in enumerate(papers):
        row = {"status": "received", "receive_form": "paper", "copies": "1", "problem": ""}
        row.update(rows.get(paper["name"], {}))
        for name, value in row.items():
            data[f"m{index}-{name}"] = value
    return data


def accepted(city) -> Case:
    return case_accept(intake=city.intake())


def text(response) -> str:
    return response.content.decode()


# --- anonymous ------------------------------------------------------------------------------

GET_PAGES = [
    ("home", ()),
    ("intake", ()),
    ("intake_desk", ()),
    ("intake_items", ()),
    ("intake_item", (1,)),
    ("intake_done", ("X1",)),
    ("queue", ()),
    ("case_detail", ("X1",)),
    ("case_receipt", ("X1",)),
    ("case_notice", ("X1",)),
    ("output", ()),
    ("supervision", ()),
]
POST_ACTIONS = [
    ("intake_desk_choose", ()),
    ("intake_identify", ()),
    ("intake_register", ()),
    ("intake_reset", ()),
    ("intake_item", (1,)),
    ("queue_claim", (1,)),
    ("case_task_claim", ("X1", 1)),
    ("case_task_complete", ("X1", 1)),
    ("case_papers_arrived", ("X1",)),
    ("output_deliver", ("X1",)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), GET_PAGES)
def test_anonymous_pages_go_to_the_login(client, name, args):
    response = client.get(url(name, *args))
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/?next=/staff/")


@pytest.mark.parametrize(("name", "args"), POST_ACTIONS)
def test_anonymous_actions_go_to_the_login_and_change_nothing(client, city, name, args):
    case = accepted(city)
    before = (Case.objects.count(), case.revision, list(case.tasks.values_list("state", flat=True)))
    response = client.post(url(name, *args), {"revision": 1})
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/")
    case.refresh_from_db()
    after = (Case.objects.count(), case.revision, list(case.tasks.values_list("state", flat=True)))
    assert after == before


# --- home -----------------------------------------------------------------------------------


def test_home_links_only_the_pages_a_role_allows(client, city):
    client.force_login(city.clerk)
    page = text(client.get(reverse("staff:home")))
    assert url("intake") in page and url("output") in page
    assert url("queue") not in page and url("supervision") not in page

    client.force_login(city.approvers[city.lead_department.pk])
    page = text(client.get(reverse("staff:home")))
    assert url("queue") in page
    assert url("intake") not in page and url("output") not in page


def test_home_case_number_box_opens_the_case(client, city):
    case = accepted(city)
    client.force_login(city.clerk)
    response = client.get(url("home"), {"number": case.number})
    assert response["Location"] == url("case_detail", case.number)


# --- intake ---------------------------------------------------------------------------------


def test_intake_needs_an_intake_role_and_the_refusal_is_audited(client, city):
    approver = city.approvers[city.lead_department.pk]
    client.force_login(approver)
    assert client.get(url("intake")).status_code == 403
    assert AuditLog.objects.filter(actor=approver, action="denied:case.accept").count() == 1
    response = client.post(url("intake_identify"), {"id_type": "111", "id_number": resident_id()})
    assert response.status_code == 403
    assert not AuditLog.objects.filter(action="applicants.person_lookup").exists()


def test_intake_desk_is_chosen_from_the_clerks_own_centres(client, city):
    client.force_login(city.clerk)
    page = text(client.get(url("intake")))
    assert "街道中心" in page and "区政务服务中心" not in page  # two windows: choose one
    hall_window = city.hall.windows.create(number="05", kind="intake")
    response = client.post(url("intake_desk_choose"), {"desk": f"{city.hall.pk}:{hall_window.pk}"})
    assert response.status_code == 422
    assert "cases_staff_desk" not in client.session
    at_window(client, city)
    assert client.session["cases_staff_desk"] == {
        "centre": city.street_centre.pk,
        "window": city.intake_window.pk,
    }
    page = text(client.get(url("intake")))
    assert 'name="id_number"' in page and "autofocus" in page


def test_reading_the_id_shows_the_masked_profile_and_every_earlier_case(client, city):
    earlier = accepted(city)
    other = create_item(name="门楼牌号编制", department=city.joint_departments[0])
    other_case = case_accept(intake=city.intake(item=other))
    identified(client, city)
    lookup = AuditLog.objects.get(action="applicants.person_lookup")
    assert lookup.detail["purpose"] == "窗口受理"
    assert lookup.detail["found"] is True
    page = text(client.get(url("intake")))
    assert "陈大文" in page
    assert resident_id() not in page  # masked only
    assert city.person.id_number_masked in page
    # Newest first, across departments.
    assert page.index(other_case.number) < page.index(earlier.number)
    assert "联办部门1" in page and "区住房和建设局" in page


def test_unknown_id_offers_a_short_registration(client, city):
    client.force_login(city.clerk)
    at_window(client, city)
    new_id = resident_id(serial=5)
    response = client.post(url("intake_identify"), {"id_type": "111", "id_number": new_id})
    assert response.status_code == 200
    page = text(response)
    assert 'action="' + url("intake_register") + '"' in page
    assert f'value="{new_id}"' in page
    response = client.post(
        url("intake_register"),
        {"id_type": "111", "id_number": new_id, "name": "", "phone": "123"},
    )
    assert response.status_code == 422
    assert Person.objects.count() == 1
    response = client.post(
        url("intake_register"),
        {
            "id_type": "111",
            "id_number": new_id,
            "name": "李小梅",
            "phone": "13900139000",
            "identity_check": "card_read",
        },
    )
    assert response.status_code == 302
    assert Person.objects.filter(name="李小梅").count() == 1
    assert "李小梅" in text(client.get(url("intake")))


def test_a_bad_id_number_is_shown_beside_the_field(client, city):
    client.force_login(city.clerk)
    at_window(client, city)
    response = client.post(url("intake_identify"), {"id_type": "111", "id_number": "440103123"})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in text(response)
    assert 'value="440103123"' in text(response)


def test_item_search_lists_the_items_this_centre_may_accept_and_names_the_others_apart(
    client, city
):
    hall_only = create_item(name="电梯使用登记（区级）", handled_at_levels=["district_hall"])
    identified(client, city)
    response = client.get(url("intake_items"), {"q": "电梯"}, HTTP_HX_REQUEST="true")
    page = text(response)
    results, elsewhere = page.split('class="item-elsewhere"')
    assert "既有住宅增设电梯" in results and "电梯使用登记" not in results
    assert url("intake_item", city.lift.pk) in results
    # Not a result the arrow keys reach: a link to its page, which says where it is accepted.
    assert "电梯使用登记（区级）" in elsewhere and "item-result" not in elsewhere
    assert url("intake_item", hall_only.pk) in elsewhere
    assert "<html" not in page  # a fragment for htmx


def test_accept_makes_one_case_even_when_the_form_is_sent_twice(client, city):
    identified(client, city)
    form_page = text(client.get(url("intake_item", city.lift.pk)))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form_page).group(1)
    data = checklist_post(city, key)
    first = client.post(url("intake_item", city.lift.pk), data)
    second = client.post(url("intake_item", city.lift.pk), data)
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert first["Location"] == second["Location"] == url("intake_done", case.number)
    assert (case.state, case.person, case.window) == (
        CaseState.ACCEPTED,
        city.person,
        city.intake_window,
    )
    done = text(client.get(first["Location"]))
    assert case.number in done and case.query_code in done
    assert timezone.localtime(case.due_at).strftime("%Y-%m-%d") in done
    assert url("case_receipt", case.number) in done


def test_missing_papers_are_shown_beside_them_and_nothing_typed_is_lost(client, city):
    identified(client, city)
    data = checklist_post(
        city,
        "k-missing",
        **{
            VOTES: {"status": "faulty", "problem": "缺三户签名"},
            DEFERRED: {"status": "deferred"},
        },
    )
    response = client.post(url("intake_item", city.lift.pk), data)
    assert response.status_code == 422
    page = text(response)
    assert Case.objects.count() == 0
    votes = page[page.index('id="paper-1"') : page.index('id="paper-2"')]
    assert '<span lang="en" class="en">业主表决意见书 is missing or faulty.</span>' in votes
    assert 'class="field-error"' in votes
    assert 'value="缺三户签名"' in votes
    deferred = page[page.index('id="paper-2"') :]
    assert "field-error" in deferred[: deferred.index("</li>")]
    assert 'value="deferred" checked' in deferred
    # The promise is asked for beside its checkbox.
    assert page.count('class="field-error" role="alert"') >= 3


def test_deferred_paper_with_promise_is_accepted(client, city):
    identified(client, city)
    due = timezone.localdate() + dt.timedelta(days=3)
    data = checklist_post(
        city, "k-deferred", **{DEFERRED: {"status": "deferred", "due_date": due.isoformat()}}
    )
    data["promise_signed"] = "on"
    response = client.post(url("intake_item", city.lift.pk), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.materials.get(name=DEFERRED).due_date == due
    assert case.tasks.filter(state=TaskState.OPEN).count() == 9


def test_request_papers_and_refuse_at_the_window(client, city):
    identified(client, city)
    deadline = timezone.localdate() + dt.timedelta(days=5)
    data = checklist_post(city, "k-sup", decision="supplement", **{VOTES: {"status": "missing"}})
    data["deadline"] = deadline.isoformat()
    assert client.post(url("intake_item", city.lift.pk), data).status_code == 302
    case = Case.objects.get(idempotency_key="k-sup")
    assert (case.state, case.supplement_deadline) == (CaseState.SUPPLEMENT_REQUESTED, deadline)

    data = checklist_post(city, "k-ref", decision="refuse")
    response = client.post(url("intake_item", city.lift.pk), data)
    assert response.status_code == 422  # reasons are required
    assert not Case.objects.filter(idempotency_key="k-ref").exists()
    data["reasons"] = "不属于本中心受理范围"
    assert client.post(url("intake_item", city.lift.pk), data).status_code == 302
    refused = Case.objects.get(idempotency_key="k-ref")
    assert refused.state == CaseState.REFUSED
    assert refused.events.get().reason == "不属于本中心受理范围"


def test_complete_now_only_at_a_window_holding_the_seal(client, city):
    identified(client, city, window=city.instant_window)
    page = text(client.get(url("intake_item", city.instant.pk)))
    assert 'value="instant"' in page
    version = city.instant.versions.order_by("-number").first()
    data = {"idempotency_key": "k-inst", "decision": "instant", "output_method": "window"}
    for index, _paper in enumerate(version.snapshot["materials"]):
        data.update({f"m{index}-status": "received", f"m{index}-receive_form": "paper"})
        data[f"m{index}-copies"] = "1"
    assert client.post(url("intake_item", city.instant.pk), data).status_code == 302
    assert Case.objects.get().state == CaseState.DECIDED

    at_window(client, city)  # window 01 holds no seal
    page = text(client.get(url("intake_item", city.instant.pk)))
    assert 'value="instant"' not in page
    data["idempotency_key"] = "k-inst-2"
    response = client.post(url("intake_item", city.instant.pk), data)
    assert response.status_code == 400
    assert "does not hold the seal" in text(response)
    assert Case.objects.count() == 1


def test_result_page_of_someone_elses_case_is_hidden(client, city):
    case = accepted(city)
    client.force_login(other_street_clerk())
    assert client.get(url("intake_done", case.number)).status_code == 404
    assert client.get(url("case_receipt", case.number)).status_code == 404


def test_receipt_pdf_for_the_accepting_centre(client, city):
    case = accepted(city)
    client.force_login(city.clerk)
    response = client.get(url("case_receipt", case.number))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_every_receipt_download_is_an_audited_read(client, city):
    """The receipt names the applicant (name, masked ID): a download is a read of personal
    data, audited each time with who, the case and the purpose; a refused one reads nothing."""
    case = accepted(city)
    client.force_login(city.clerk)
    for _ in range(2):
        assert client.get(url("case_receipt", case.number)).status_code == 200
    rows = AuditLog.objects.filter(action="cases.document_read").order_by("id")
    assert [(r.actor, r.object_type, r.object_id, r.object_repr, r.allowed) for r in rows] == [
        (city.clerk, "cases.case", str(case.pk), case.number, True)
    ] * 2
    assert rows[0].detail == {
        "purpose": "receipt",
        "case_number": case.number,
        "applicant_type": "natural",
        "applicant_document_masked": case.person.id_number_masked,
    }
    assert case.person.id_number_masked.count("*") == 8
    assert client.get(url("case_notice", case.number)).status_code == 200
    assert (
        AuditLog.objects.filter(action="cases.document_read").latest("id").detail["purpose"]
        == "notice"
    )
    client.force_login(other_street_clerk())
    assert client.get(url("case_receipt", case.number)).status_code == 404
    assert AuditLog.objects.filter(action="cases.document_read").count() == 3


# --- queue ----------------------------------------------------------------------------------


def test_queue_shows_the_departments_tasks_with_their_light(client, city):
    case = accepted(city)
    department = city.joint_departments[2]
    client.force_login(city.approvers[department.pk])
    page = text(client.get(url("queue")))
    assert case.number in page
    assert page.count('<tr id="task-') == 1
    assert "light--green" in page
    assert "联办部门3" in page

    client.force_login(city.clerk)
    assert client.get(url("queue")).status_code == 403


def test_queue_claim_with_htmx_and_the_filters(client, city):
    case = accepted(city)
    department = city.joint_departments[2]
    approver = city.approvers[department.pk]
    task = case.tasks.get(department=department)
    client.force_login(approver)
    response = client.post(
        url("queue_claim", task.pk), {"revision": task.revision}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert text(response).lstrip().startswith(f'<tr id="task-{task.pk}"')
    task.refresh_from_db()
    assert (task.state, task.assignee) == (TaskState.CLAIMED, approver)
    assert case.number in text(client.get(url("queue"), {"show": "mine"}))
    assert case.number not in text(client.get(url("queue"), {"show": "unclaimed"}))


def test_claim_of_another_departments_task_is_hidden_and_changes_nothing(client, city):
    case = accepted(city)
    task = case.tasks.get(department=city.joint_departments[0])
    outsider = city.approvers[city.joint_departments[1].pk]
    client.force_login(outsider)
    assert client.post(url("queue_claim", task.pk), {"revision": 1}).status_code == 404
    task.refresh_from_db()
    assert (task.state, task.assignee, task.revision) == (TaskState.OPEN, None, 1)
    assert AuditLog.objects.filter(actor=outsider, action="denied:case.work").count() == 1


def test_queue_query_count_does_not_grow_with_rows(client, city, django_assert_max_num_queries):
    approver = city.approvers[city.lead_department.pk]
    client.force_login(approver)
    for _ in range(3):
        accepted(city)
    client.get(url("queue"))  # warm the session
    with django_assert_max_num_queries(9):
        response = client.get(url("queue"))
    assert text(response).count('<tr id="task-') == 3
    for _ in range(8):
        accepted(city)
    with django_assert_max_num_queries(9):
        response = client.get(url("queue"))
    assert text(response).count('<tr id="task-') == 11


# --- case detail ----------------------------------------------------------------------------


def test_case_page_is_hidden_from_outsiders_and_the_refusal_is_audited(client, city):
    case = accepted(city)
    outsider = staff_with_role(Role.DEPT_APPROVER, department=city.instant.department)
    client.force_login(outsider)
    assert client.get(url("case_detail", case.number)).status_code == 404
    assert AuditLog.objects.filter(actor=outsider, action="denied:case.view").count() == 1
    client.force_login(other_street_clerk())
    assert client.get(url("case_detail", case.number)).status_code == 404
    # A clerk of the district hall does not see a street centre's case; its manager does.
    client.force_login(city.hall_clerk)
    assert client.get(url("case_detail", case.number)).status_code == 404
    client.force_login(staff_with_role(Role.CENTRE_MANAGER, centre=city.hall))
    assert client.get(url("case_detail", case.number)).status_code == 200


def test_joint_departments_see_each_others_opinions(client, city):
    case = accepted(city)
    first, second = city.joint_departments[:2]
    task = case.tasks.get(department=first)
    task_claim(task=task, actor=city.approvers[first.pk])
    task.refresh_from_db()
    task_complete(
        task=task, actor=city.approvers[first.pk], outcome=TaskOutcome.REJECT, opinion="影响采光"
    )
    client.force_login(city.approvers[second.pk])
    page = text(client.get(url("case_detail", case.number)))
    assert "影响采光" in page
    assert page.count('class="task-row') == 11  # 9 reviews + decide + complete
    assert "陈大文" in page and city.person.id_number_masked in page
    assert resident_id() not in page
    assert AuditLog.objects.filter(
        action="applicants.person_profile", detail__case_number=case.number
    ).exists()


def test_claim_and_approve_on_the_case_page(client, city):
    case = accepted(city)
    department = city.joint_departments[3]
    approver = city.approvers[department.pk]
    task = case.tasks.get(department=department)
    client.force_login(approver)
    page = text(client.get(url("case_detail", case.number)))
    assert url("case_task_claim", case.number, task.pk) in page
    response = client.post(url("case_task_claim", case.number, task.pk), {"revision": 1})
    assert response.status_code == 302
    page = text(client.get(url("case_detail", case.number)))
    assert 'name="revision" value="2"' in page
    response = client.post(
        url("case_task_complete", case.number, task.pk),
        {"outcome": "approve", "opinion": "同意", "revision": 2},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.state, task.outcome, task.opinion) == (TaskState.DONE, "approve", "同意")


def test_stale_revision_gets_the_message_and_changes_nothing(client, city):
    case = accepted(city)
    department = city.joint_departments[3]
    approver = city.approvers[department.pk]
    task = case.tasks.get(department=department)
    task_claim(task=task, actor=approver)
    client.force_login(approver)
    response = client.post(
        url("case_task_complete", case.number, task.pk),
        {"outcome": "approve", "opinion": "同意，无意见", "revision": 1},
    )
    assert response.status_code == 409
    page = text(response)
    # The page is drawn afresh and says so (views/staff/backoffice.py CASE_CHANGED).
    # Neutral: the approver's own other page may have moved it, not only a colleague.
    assert "此办件已在别处更新（可能是同事，或您在另一个页面）。" in page
    assert "同事已先行处理" not in page
    assert "同意，无意见</textarea>" in page
    task.refresh_from_db()
    assert (task.state, task.opinion, task.revision) == (TaskState.CLAIMED, "", 2)


def test_wrong_department_cannot_complete_and_nothing_changes(client, city):
    case = accepted(city)
    task = case.tasks.get(department=city.joint_departments[0])
    task_claim(task=task, actor=city.approvers[city.joint_departments[0].pk])
    client.force_login(city.approvers[city.joint_departments[1].pk])
    response = client.post(
        url("case_task_complete", case.number, task.pk),
        {"outcome": "approve", "opinion": "同意", "revision": 2},
    )
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.state == TaskState.CLAIMED and task.outcome == ""


def test_send_back_for_papers_then_the_window_marks_them_arrived(client, city):
    case = accepted(city)
    department = city.joint_departments[0]
    approver = city.approvers[department.pk]
    task = case.tasks.get(department=department)
    task_claim(task=task, actor=approver)
    client.force_login(approver)
    client.post(
        url("case_task_complete", case.number, task.pk),
        {"outcome": "supplement", "opinion": "请补充结构图纸", "revision": 2},
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED
    # The department cannot mark papers arrived: that is the intake centre's.
    response = client.post(
        url("case_papers_arrived", case.number), {"revision": case.revision, "papers": [VOTES]}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED

    client.force_login(city.clerk)
    page = text(client.get(url("case_detail", case.number)))
    assert url("case_papers_arrived", case.number) in page
    assert "请补充结构图纸" in page
    stale = client.post(
        url("case_papers_arrived", case.number), {"revision": case.revision - 1, "papers": [VOTES]}
    )
    assert stale.status_code == 409
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED
    response = client.post(
        url("case_papers_arrived", case.number), {"revision": case.revision, "papers": [VOTES]}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert case.pauses.get().ended_at is not None


# --- output desk ----------------------------------------------------------------------------


def instant_case(city) -> Case:
    return case_complete_instant(intake=city.intake(item=city.instant, window=city.instant_window))


def test_output_desk_lists_results_and_papers_to_give_back(client, city):
    case = instant_case(city)
    client.force_login(city.output_clerk)
    page = text(client.get(url("output")))
    assert case.number in page
    assert "申请表 × 1" in page and "身份证 × 1" in page
    client.force_login(city.approvers[city.lead_department.pk])
    assert client.get(url("output")).status_code == 403


def test_hand_over_needs_the_id_check_and_keeps_what_was_typed(client, city):
    case = instant_case(city)
    client.force_login(city.output_clerk)
    response = client.post(
        url("output_deliver", case.number),
        {"method": "window", "note": "本人领取", "revision": case.revision},
    )
    assert response.status_code == 422
    assert "Check the collector&#x27;s ID card" in text(response)
    assert 'value="本人领取"' in text(response)
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED
    response = client.post(
        url("output_deliver", case.number),
        {"method": "window", "collector_id_checked": "on", "revision": case.revision},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED
    event = case.events.get(action="deliver")
    assert event.data["papers_returned"] == ["申请表", "身份证"]


def test_hand_over_by_another_centre_is_hidden_and_changes_nothing(client, city):
    case = instant_case(city)
    client.force_login(other_street_clerk())
    assert case.number not in text(client.get(url("output")))
    response = client.post(
        url("output_deliver", case.number),
        {"method": "window", "collector_id_checked": "on", "revision": case.revision},
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED


def test_output_desk_query_count(client, city, django_assert_max_num_queries):
    client.force_login(city.output_clerk)
    instant_case(city)
    client.get(url("output"))
    with django_assert_max_num_queries(8):
        response = client.get(url("output"))
    assert text(response).count('class="panel output-case"') == 1
    for _ in range(6):
        instant_case(city)
    with django_assert_max_num_queries(8):
        response = client.get(url("output"))
    assert text(response).count('class="panel output-case"') == 7


# --- supervision ----------------------------------------------------------------------------


def test_supervision_board_counts_lights_per_department(client, city):
    accepted(city)
    paused = accepted(city)
    task = paused.tasks.get(department=city.joint_departments[0])
    approver = city.approvers[city.joint_departments[0].pk]
    task_claim(task=task, actor=approver)
    task.refresh_from_db()
    task_complete(
        task=task, actor=approver, outcome=TaskOutcome.RETURN_FOR_SUPPLEMENT, opinion="补图纸"
    )
    overdue = accepted(city)
    Case.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    manager = staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre)
    client.force_login(manager)
    page = text(client.get(url("supervision")))
    counts = dict(re.findall(r'data-light="(\w+)">(\d+)<', page))
    assert counts == {"red": "1", "yellow": "0", "paused": "1", "green": "1"}
    assert '<th scope="row">区住房和建设局</th>' in page
    page = text(client.get(url("supervision"), {"light": "red"}))
    assert overdue.number in page and paused.number not in page

    client.force_login(city.clerk)
    assert client.get(url("supervision")).status_code == 403


def test_case_materials_shown_with_status(client, city):
    receipts = city.receipts(
        **{
            DEFERRED: MaterialReceipt(
                name=DEFERRED,
                status=MaterialStatus.DEFERRED,
                due_date=timezone.localdate() + dt.timedelta(days=2),
            )
        }
    )
    case = case_accept(intake=city.intake(materials=receipts, promise_signed=True))
    client.force_login(city.clerk)
    page = text(client.get(url("case_detail", case.number)))
    assert "paper-list__item--deferred" in page
    assert CaseTask.objects.filter(case=case).count() == 11


def test_details_given_before_are_offered_again_fill_once(client, city):
    from onewindow.applicants.services import person_prefill

    identified(client, city)
    first = client.get(url("intake_details"))
    assert first.status_code == 200
    assert 'name="workplace" value=""' in text(first)
    saved = client.post(
        url("intake_details"), {"workplace": "荔湾区某某公司", "marital_status": "已婚"}
    )
    assert saved.status_code == 302
    assert person_prefill(person=city.person, actor=city.clerk, purpose="测试") == {
        "marital_status": "已婚",
        "workplace": "荔湾区某某公司",
    }
    # Next visit: the values come back, and each read of them is audited.
    reads = AuditLog.objects.filter(action="applicants.person_prefill_read").count()
    again = client.get(url("intake_details"))
    assert 'name="workplace" value="荔湾区某某公司"' in text(again)
    assert AuditLog.objects.filter(action="applicants.person_prefill_read").count() == reads + 1
    # A blank field does not erase what was remembered; a too-long one is refused.
    client.post(url("intake_details"), {"workplace": ""})
    refused = client.post(url("intake_details"), {"workplace": "长" * 1001})
    assert refused.status_code == 422
    assert person_prefill(person=city.person, actor=city.clerk, purpose="测试")["workplace"] == (
        "荔湾区某某公司"
    )


def test_details_page_needs_an_identified_applicant_at_a_desk(client, city):
    client.force_login(city.clerk)
    assert client.get(url("intake_details")).status_code == 302
    client.force_login(city.approvers[city.lead_department.pk])
    response = client.post(url("intake_details"), {"workplace": "越权"})
    assert response.status_code == 403
    assert AuditLog.objects.filter(action="applicants.person_prefill_update").count() == 0


def test_claim_never_redirects_to_another_site(client, city):
    case = accepted(city)
    department = city.joint_departments[3]
    task = case.tasks.get(department=department)
    client.force_login(city.approvers[department.pk])
    response = client.post(
        url("queue_claim", task.pk),
        {"revision": task.revision, "next": "https://evil.example/"},
    )
    assert (response.status_code, response["Location"]) == (302, url("queue"))
    second = case.tasks.get(department=city.joint_departments[4])
    client.force_login(city.approvers[city.joint_departments[4].pk])
    response = client.post(
        url("queue_claim", second.pk), {"revision": second.revision, "next": "/staff/?show=mine"}
    )
    assert response["Location"] == "/staff/?show=mine"


def test_a_malformed_case_number_in_the_home_box_gets_a_message(client, city):
    client.force_login(city.clerk)
    response = client.get(url("home"), {"number": "a/b"})
    assert response.status_code == 200
    assert "不是有效的办件号，请输入受理回执上的办件号。" in text(response)


def test_withdraw_on_the_case_page(client, city):
    case = accepted(city)
    client.force_login(city.approvers[city.lead_department.pk])
    page = text(client.get(url("case_detail", case.number)))
    assert url("case_withdraw", case.number) not in page  # a department does not take it
    assert client.post(url("case_withdraw", case.number), {"reason": "越权"}).status_code == 404
    client.force_login(city.clerk)
    assert url("case_withdraw", case.number) in text(client.get(url("case_detail", case.number)))
    stale = client.post(
        url("case_withdraw", case.number), {"reason": "申请人撤回", "revision": case.revision - 1}
    )
    assert stale.status_code == 409
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    done = client.post(
        url("case_withdraw", case.number), {"reason": "申请人撤回", "revision": case.revision}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN


def test_the_board_warns_when_next_years_holidays_are_not_loaded(client, city):
    from onewindow.workcal.calendar import calendar_gaps
    from onewindow.workcal.models import CalendarOverride

    client.force_login(staff_with_role(Role.CENTRE_MANAGER, centre=city.street_centre))
    gaps = calendar_gaps(timezone.localdate())
    # (On 2026-11-23 the bundled calendar lacks 2027, so the warning shows.)
    assert ("calendar_year" in text(client.get(url("supervision")))) is bool(gaps)
    for year in gaps:
        CalendarOverride.objects.create(
            day=dt.date(year, 1, 1), is_working_day=False, reason="元旦"
        )
    assert "calendar_year" not in text(client.get(url("supervision")))
