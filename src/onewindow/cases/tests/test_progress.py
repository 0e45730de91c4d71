"""The public progress page and API: the case as the applicant follows it, no personal data,
one "not found" answer for a wrong number or a wrong code, and a cap on guessing."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone, translation

from onewindow.cases.events import CASE_EVENTS
from onewindow.cases.models import MaterialStatus, TaskOutcome
from onewindow.cases.progress import NOT_FOUND_MESSAGE
from onewindow.cases.services import (
    case_accept,
    case_deliver,
    case_request_supplement,
    task_claim,
    task_complete,
)
from onewindow.cases.tests.conftest import resident_id
from onewindow.cases.transitions import CaseState

PAGE = "/progress/"
API = "/api/progress"
JSON = "application/json"
PERSONAL = ["陈大文", "13800138000", "138****8000"]


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def label(action: str) -> str:
    with translation.override("zh-hans"):
        return CASE_EVENTS.public_label(action)


def finish_back_office(city, case) -> None:
    """Every review, the decision and the completion step approve."""
    lead = city.lead_department
    for task in case.tasks.filter(kind="review").order_by("id"):
        user = city.approvers[task.department_id]
        task_claim(task=task, actor=user)
        task.refresh_from_db()
        task_complete(task=task, actor=user, outcome=TaskOutcome.APPROVE, opinion="同意")
    for kind, user in (("decide", city.leads[lead.pk]), ("complete", city.approvers[lead.pk])):
        task = case.tasks.get(kind=kind)
        task_claim(task=task, actor=user)
        task.refresh_from_db()
        task_complete(task=task, actor=user, outcome=TaskOutcome.APPROVE, opinion="同意办结")


def delivered_lift_case(city):
    case = case_accept(intake=city.intake())
    finish_back_office(city, case)
    case.refresh_from_db()
    case_deliver(case=case, actor=city.output_clerk, method="window", collector_id_checked=True)
    case.refresh_from_db()
    return case


def assert_no_personal_data(text: str, city) -> None:
    for value in [*PERSONAL, resident_id(), city.person.id_number_masked]:
        assert value not in text


def test_page_of_an_accepted_case(client, city):
    case = case_accept(intake=city.intake())
    response = client.post(PAGE, {"number": case.number, "code": case.query_code.lower()})
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    html = response.content.decode()
    assert "既有住宅增设电梯" in html
    assert zh(CaseState.ACCEPTED.label) in html
    assert timezone.localtime(case.due_at).strftime("%Y-%m-%d") in html
    assert label("accept") in html
    # The window's move is placed at the accepting centre (not the item's department).
    assert " · 街道中心</span>" in html
    with translation.override("zh-hans"):
        nothing_to_do = translation.gettext("Nothing to do now; we will tell you at each step.")
    assert nothing_to_do in html
    assert_no_personal_data(html, city)


def test_page_of_a_case_waiting_for_papers_says_what_to_bring_by_when(client, city):
    deadline = timezone.localdate() + dt.timedelta(days=10)
    wanting = city.receipts(**{"业主表决意见书": MaterialStatus.MISSING})
    case = case_request_supplement(intake=city.intake(materials=wanting), deadline=deadline)
    html = client.post(PAGE, {"number": case.number, "code": case.query_code}).content.decode()
    assert zh(CaseState.SUPPLEMENT_REQUESTED.label) in html
    assert label("request_supplement") in html
    assert deadline.isoformat() in html
    assert "progress-next" in html
    assert_no_personal_data(html, city)


def test_page_of_a_delivered_case_lists_every_public_step_in_order(
    client, city, django_assert_max_num_queries
):
    case = delivered_lift_case(city)
    with django_assert_max_num_queries(8):
        response = client.post(PAGE, {"number": case.number, "code": case.query_code})
    html = response.content.decode()
    assert zh(CaseState.DELIVERED.label) in html
    actions = list(
        case.events.filter(public=True).order_by("at", "id").values_list("action", flat=True)
    )
    assert (actions[0], actions[-1]) == ("accept", "deliver")
    positions = [html.index(label(a)) for a in ("accept", "decide", "deliver")]
    assert positions == sorted(positions)
    assert html.count('class="timeline__step') == len(actions)
    assert "同意办结" not in html  # opinions stay inside the administration
    assert_no_personal_data(html, city)


def test_wrong_code_and_unknown_number_get_the_same_answer(client, city):
    case = case_accept(intake=city.intake())
    wrong_code = client.post(PAGE, {"number": case.number, "code": "ZZZZZZ"})
    unknown_number = client.post(PAGE, {"number": case.number + "9", "code": case.query_code})
    message = zh(NOT_FOUND_MESSAGE)
    for response in (wrong_code, unknown_number):
        assert response.status_code == 404
        html = response.content.decode()
        assert message in html
        assert "既有住宅增设电梯" not in html
    api_wrong_code = client.post(
        API, content_type=JSON, data={"number": case.number, "code": "ZZZZZZ"}
    )
    api_unknown = client.post(
        API, content_type=JSON, data={"number": "123", "code": case.query_code}
    )
    assert api_wrong_code.status_code == api_unknown.status_code == 404
    assert api_wrong_code.json() == api_unknown.json()
    assert api_wrong_code.json()["code"] == "not_found"


def test_the_api_takes_the_code_in_a_post_body_and_refuses_it_in_the_address(client, city):
    """A query code in a URL is kept by browser histories, proxies and server logs: the look-up
    is a POST with a JSON body; the old GET answers 400 pointing to it, and looks nothing up
    (not even counted as a guess)."""
    case = case_accept(intake=city.intake())
    right = {"number": case.number, "code": case.query_code}
    refused = client.get(API, right)
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "progress_by_post"
    assert body["message_en"] == (
        "Send the case number and query code as JSON in the body of a POST to /api/progress: "
        "a query code in an address is kept by browser histories and server logs."
    )
    assert body["message"].startswith("请用 POST")
    assert body["errors"] == []
    assert "既有住宅增设电梯" not in refused.content.decode()
    for _ in range(6):  # more than the pair limit (5): a refused GET counts nothing
        assert client.get(API, {"number": case.number, "code": "ZZZZZZ"}).status_code == 400
    found = client.post(API, content_type=JSON, data=right)
    assert (found.status_code, found.json()["number"]) == (200, case.number)
    as_form = client.post(API, right)  # a form body is not JSON
    assert (as_form.status_code, as_form.json()["code"]) == (415, "unsupported_media_type")
    wrong_type = client.post(API, content_type=JSON, data={"number": case.number, "code": 123})
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (422, "request_invalid")


def test_the_openapi_document_lists_the_post_look_up_and_its_errors_in_the_one_format(db, client):
    operations = client.get("/api/openapi.json").json()["paths"]["/api/progress"]
    post, get = operations["post"], operations["get"]
    assert post["operationId"] == "onewindow_cases_api_public_progress_lookup_by_code"
    assert "requestBody" in post and post["parameters"] == []  # nothing in the address
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for status in ("400", "404", "413", "415", "422", "429"):
        assert post["responses"][status]["content"]["application/json"]["schema"] == error
    assert set(get["responses"]) == {"400"}
    assert get["responses"]["400"]["content"]["application/json"]["schema"] == error
    assert get["parameters"] == []


def test_empty_form_shows_no_error(client, city):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert zh(NOT_FOUND_MESSAGE) not in response.content.decode()


def test_api_returns_the_same_progress_as_json(client, city):
    case = delivered_lift_case(city)
    response = client.post(
        API, content_type=JSON, data={"number": case.number, "code": case.query_code}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert set(data) == {
        "number",
        "item_name",
        "state",
        "state_label",
        "submitted_at",
        "due_at",
        "finished",
        "next_for_applicant",
        "steps",
        "papers_to_bring",
        "outcome",
        "outcome_label",
        "outcome_explanation",
        "outcome_reason",
    }
    assert (data["number"], data["item_name"], data["state"], data["finished"]) == (
        case.number,
        "既有住宅增设电梯",
        "delivered",
        True,
    )
    events = list(case.events.filter(public=True).order_by("at", "id"))
    assert [s["label"] for s in data["steps"]] == [label(e.action) for e in events]
    places = {e.action: step["department"] for e, step in zip(events, data["steps"], strict=True)}
    assert places["accept"] == "街道中心"  # the window's move: the accepting centre
    assert places["decide"] == "区住房和建设局"  # the department's move
    assert_no_personal_data(json.dumps(data, ensure_ascii=False), city)


def test_api_for_a_case_waiting_for_papers(client, city):
    wanting = city.receipts(**{"业主表决意见书": MaterialStatus.MISSING})
    deadline = timezone.localdate() + dt.timedelta(days=5)
    case = case_request_supplement(intake=city.intake(materials=wanting), deadline=deadline)
    data = client.post(
        API, content_type=JSON, data={"number": case.number, "code": case.query_code}
    ).json()
    assert (data["state"], data["due_at"], data["finished"]) == (
        "supplement_requested",
        None,
        False,
    )
    assert deadline.isoformat() in data["next_for_applicant"]
    assert [s["label"] for s in data["steps"]] == [label("request_supplement")]


# --- Papers still to bring and the outcome (#7, point 16) ----------------------------------


def page_papers(html: str) -> list[tuple[str, str]]:
    """(name, meta line) of every paper listed under "Papers still to bring"."""
    import re

    return [
        (name, " ".join(meta.split()))
        for name, meta in re.findall(
            r'<span class="progress-papers__name">(.*?)</span>\s*'
            r'<span class="progress-papers__meta">(.*?)</span>',
            html,
            re.S,
        )
    ]


def decided_lift_case(city, *, decision: str):
    """Every review approves; the lead's decision step decides ``decision``."""
    case = case_accept(intake=city.intake())
    lead = city.lead_department
    for task in case.tasks.filter(kind="review").order_by("id"):
        user = city.approvers[task.department_id]
        task_claim(task=task, actor=user)
        task.refresh_from_db()
        task_complete(task=task, actor=user, outcome=TaskOutcome.APPROVE, opinion="同意")
    task = case.tasks.get(kind="decide")
    task_claim(task=task, actor=city.leads[lead.pk])
    task.refresh_from_db()
    task_complete(task=task, actor=city.leads[lead.pk], outcome=decision, opinion="内部意见甲")
    task = case.tasks.get(kind="complete")
    task_claim(task=task, actor=city.approvers[lead.pk])
    task.refresh_from_db()
    # 办结 carries the decision out (ADR 0007): the same outcome.
    task_complete(task=task, actor=city.approvers[lead.pk], outcome=decision, opinion="内部意见乙")
    case.refresh_from_db()
    return case


def test_a_case_in_supplement_lists_the_papers_asked_for_and_not_yet_received(client, city):
    deadline = timezone.localdate() + dt.timedelta(days=10)
    wanting = city.receipts(
        **{"业主表决意见书": MaterialStatus.MISSING, "房屋安全鉴定报告": MaterialStatus.FAULTY}
    )
    case = case_request_supplement(intake=city.intake(materials=wanting), deadline=deadline)
    html = client.post(PAGE, {"number": case.number, "code": case.query_code}).content.decode()
    assert page_papers(html) == [
        ("业主表决意见书", f"缺少或需补正 · {deadline.isoformat()}前"),
        ("房屋安全鉴定报告", f"缺少或需补正 · {deadline.isoformat()}前"),
    ]
    assert "还需提交的材料" in html
    assert "progress-outcome" not in html
    data = client.post(
        API, content_type=JSON, data={"number": case.number, "code": case.query_code}
    ).json()
    assert data["papers_to_bring"] == [
        {
            "name": "业主表决意见书",
            "kind": "supplement",
            "kind_label": "缺少或需补正",
            "due_date": deadline.isoformat(),
        },
        {
            "name": "房屋安全鉴定报告",
            "kind": "supplement",
            "kind_label": "缺少或需补正",
            "due_date": deadline.isoformat(),
        },
    ]
    assert (data["outcome"], data["outcome_label"], data["outcome_reason"]) == (None, "", "")
    assert_no_personal_data(html + json.dumps(data, ensure_ascii=False), city)


def test_an_accepted_case_lists_its_promised_paper_until_it_arrives(client, city):
    from onewindow.cases.services import MaterialReceipt, case_supplement_received

    promised = timezone.localdate() + dt.timedelta(days=3)
    receipts = city.receipts(
        **{
            "房屋安全鉴定报告": MaterialReceipt(
                name="房屋安全鉴定报告", status=MaterialStatus.DEFERRED, due_date=promised
            )
        }
    )
    case = case_accept(intake=city.intake(materials=receipts, promise_signed=True))
    query = {"number": case.number, "code": case.query_code}
    html = client.post(PAGE, query).content.decode()
    assert page_papers(html) == [
        ("房屋安全鉴定报告", f"容缺受理时承诺补交 · {promised.isoformat()}前")
    ]
    data = client.post(API, content_type=JSON, data=query).json()
    assert data["papers_to_bring"] == [
        {
            "name": "房屋安全鉴定报告",
            "kind": "deferred",
            "kind_label": "容缺受理时承诺补交",
            "due_date": promised.isoformat(),
        }
    ]
    assert data["outcome"] is None
    case_supplement_received(
        case=case, actor=city.clerk, receipts=[MaterialReceipt(name="房屋安全鉴定报告")]
    )
    assert client.post(API, content_type=JSON, data=query).json()["papers_to_bring"] == []
    assert "progress-papers" not in client.post(PAGE, query).content.decode()


def test_an_approved_case_says_it_was_approved_and_lists_no_papers(client, city):
    case = delivered_lift_case(city)
    query = {"number": case.number, "code": case.query_code}
    html = client.post(PAGE, query).content.decode()
    assert 'data-outcome="approved"' in html
    assert '<span class="progress-outcome__label">已批准</span>' in html
    assert "您的申请已获批准。" in html
    assert "progress-papers" not in html
    data = client.post(API, content_type=JSON, data=query).json()
    assert {k: data[k] for k in ("outcome", "outcome_label", "outcome_explanation")} == {
        "outcome": "approved",
        "outcome_label": "已批准",
        "outcome_explanation": "您的申请已获批准。",
    }
    assert (data["outcome_reason"], data["papers_to_bring"]) == ("", [])


def test_a_case_decided_against_says_not_approved_and_keeps_the_opinion_inside(client, city):
    case = decided_lift_case(city, decision=TaskOutcome.REJECT)
    assert (case.state, case.outcome) == ("decided", "rejected")
    query = {"number": case.number, "code": case.query_code}
    html = client.post(PAGE, query).content.decode()
    assert '<span class="progress-outcome__label">不予批准</span>' in html
    assert "您的申请未获批准，理由见随结果送达的书面决定。" in html
    assert "内部意见" not in html
    data = client.post(API, content_type=JSON, data=query).json()
    assert {k: data[k] for k in ("outcome", "outcome_label", "outcome_reason")} == {
        "outcome": "rejected",
        "outcome_label": "不予批准",
        "outcome_reason": "",
    }
    assert "内部意见" not in json.dumps(data, ensure_ascii=False)


def test_a_case_refused_at_the_window_says_so_with_the_written_reasons(client, city):
    from onewindow.cases.services import case_refuse_at_intake

    reasons = "该房屋不在本区范围内，不属于本机关职权范围。"
    case = case_refuse_at_intake(intake=city.intake(), reasons=reasons)
    query = {"number": case.number, "code": case.query_code}
    html = client.post(PAGE, query).content.decode()
    assert 'data-outcome="not_accepted"' in html
    assert '<span class="progress-outcome__label">不予受理</span>' in html
    assert "您的申请不予受理。" in html
    assert f'<p class="progress-outcome__reason">{reasons}</p>' in html
    assert "progress-papers" not in html
    data = client.post(API, content_type=JSON, data=query).json()
    assert {k: data[k] for k in ("state", "finished", "outcome", "outcome_reason")} == {
        "state": "refused",
        "finished": True,
        "outcome": "not_accepted",
        "outcome_reason": reasons,
    }
    assert data["papers_to_bring"] == []
    assert_no_personal_data(html + json.dumps(data, ensure_ascii=False), city)
