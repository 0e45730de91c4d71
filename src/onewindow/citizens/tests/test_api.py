"""The citizen API: sign in for a bearer token, my cases, tokens listed and revoked."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.citizens.models import AccessToken
from onewindow.citizens.tests.conftest import (
    OTHER_PHONE,
    PHONE,
    api_get,
    api_post,
    app_sign_in,
    case_for,
)
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import create_person, make_resident_id, staff_with_role

pytestmark = pytest.mark.django_db


def bound_app(client: Client) -> tuple[str, object]:
    number = make_resident_id()
    person = create_person(id_number=number, name="王小明", phone=PHONE)
    token = app_sign_in(client)
    answer = api_post(client, "me/real-name", {"name": "王小明", "id_number": number}, token)
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "phone": "139****5678",
        "real_name_verified": True,
        "name": "王*明",
        "id_number": person.id_number_masked,
    }
    return token, person


def test_sign_in_gives_a_bearer_token_that_reads_me(client):
    token = app_sign_in(client)
    assert token.startswith("owc_")
    me = api_get(client, "me", token)
    assert me.status_code == 200
    assert me.json() == {
        "phone": "139****5678",
        "real_name_verified": False,
        "name": "",
        "id_number": "",
    }
    assert me["Cache-Control"] == "no-store"
    assert AccessToken.objects.get().kind == "app"
    assert AuditLog.objects.filter(action="citizens.me_read").count() == 1


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer owc_nothing", "Basic abc", "Bearer 令牌"])
def test_without_a_live_token_the_answer_is_401_in_the_one_error_format(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    answer = client.get("/api/citizens/me", **extra)
    assert answer.status_code == 401
    assert answer.json()["code"] == "citizen_sign_in_required"
    assert answer.json()["message"] == "请先用手机号码登录。"


def test_a_staff_session_is_no_citizen(client):
    client.force_login(staff_with_role(Role.INTAKE_CLERK))
    assert client.get("/api/citizens/me").status_code == 401
    assert client.get("/api/citizens/me/cases").status_code == 401


def test_my_cases_list_the_bound_persons_cases_only(client):
    token, person = bound_app(client)
    mine = case_for(person=person)
    other = case_for(person=create_person(phone=OTHER_PHONE))
    cases = api_get(client, "me/cases", token)
    assert cases.status_code == 200
    assert [row["number"] for row in cases.json()] == [mine.number]
    assert cases.json()[0]["state"] == mine.state
    progress = api_get(client, f"me/cases/{mine.number}", token)
    assert progress.status_code == 200
    assert progress.json()["steps"][0]["label"] == "申请已受理"
    assert "query_code" not in progress.json()
    foreign = api_get(client, f"me/cases/{other.number}", token)
    missing = api_get(client, "me/cases/NO-SUCH-CASE", token)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert AuditLog.objects.filter(action="denied:citizens.case_read").count() == 2
    assert AuditLog.objects.filter(action="citizens.cases_read").count() == 1


def test_tokens_are_listed_and_revoked_and_a_revoked_token_signs_nobody_in(client):
    first = app_sign_in(client)
    # A second device a minute later.
    from onewindow.citizens.models import SignInCode

    SignInCode.objects.update(created_at=SignInCode.objects.get().created_at.replace(year=2020))
    second = app_sign_in(client)
    devices = api_get(client, "me/tokens", second).json()
    assert [d["current"] for d in devices] == [True, False]
    old_id = devices[1]["id"]
    assert api_post(client, f"me/tokens/{old_id}/revoke", {}, second).status_code == 204
    assert api_get(client, "me", first).status_code == 401
    assert api_get(client, "me", second).status_code == 200
    assert api_post(client, "me/sign-out", {}, second).status_code == 204
    assert api_get(client, "me", second).status_code == 401
    assert AccessToken.objects.filter(revoked_at__isnull=True).count() == 0
    assert sorted(AccessToken.objects.values_list("revoked_reason", flat=True)) == [
        "revoked",
        "sign_out",
    ]


def test_another_accounts_token_cannot_be_revoked(client):
    mine = app_sign_in(client, PHONE)
    theirs = app_sign_in(client, OTHER_PHONE)
    their_id = api_get(client, "me/tokens", theirs).json()[0]["id"]
    answer = api_post(client, f"me/tokens/{their_id}/revoke", {}, mine)
    assert answer.status_code == 404
    assert api_get(client, "me", theirs).status_code == 200
    assert AuditLog.objects.filter(action="denied:citizens.token_revoke").count() == 1
    # A token that does not exist: the same answer, audited the same way (refuse before
    # reveal — "missing" and "not yours" alike).
    missing = api_post(client, f"me/tokens/{their_id + 1000}/revoke", {}, mine)
    assert (missing.status_code, missing.json()) == (answer.status_code, answer.json())
    assert AuditLog.objects.filter(action="denied:citizens.token_revoke").count() == 2


def test_my_messages_show_the_case_sms_masked(client, django_capture_on_commit_callbacks):
    token, person = bound_app(client)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_for(person=person)
    messages = api_get(client, "me/messages", token).json()
    texts = [m["text"] for m in messages]
    assert any(case.number in text for text in texts)
    assert all(case.query_code not in text for text in texts)
    assert {m["recipient"] for m in messages} == {"139****5678"}


def test_companies_over_the_api_claim_grant_list_revoke(client):
    rep_id = make_resident_id(birth="19800101")
    create_person(id_number=rep_id, name="李四", phone=PHONE)
    from onewindow.testing.factories import create_organisation

    organisation = create_organisation(
        legal_representative_name="李四", legal_representative_id=rep_id
    )
    token = app_sign_in(client)
    assert api_post(client, "me/companies", {"uscc": organisation.uscc}, token).status_code == 403
    assert (
        api_post(client, "me/real-name", {"name": "李四", "id_number": rep_id}, token).status_code
        == 200
    )
    claimed = api_post(client, "me/companies", {"uscc": organisation.uscc}, token)
    assert claimed.status_code == 201
    company_id = claimed.json()["id"]
    agent_id = make_resident_id(birth="19900101")
    body = {
        "name": "周八",
        "id_number": agent_id,
        "actions": ["view_cases"],
        "item_codes": [],
        "expires_on": "2099-01-01",
    }
    too_far = api_post(client, f"companies/{company_id}/agents", body, token)
    assert too_far.status_code == 422
    assert [e["field"] for e in too_far.json()["errors"]] == ["expires_on"]
    import datetime as dt

    from django.utils import timezone

    body["expires_on"] = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    granted = api_post(client, f"companies/{company_id}/agents", body, token)
    assert granted.status_code == 201
    assert granted.json()["agent_id_number"] != agent_id
    listed = api_get(client, f"companies/{company_id}/agents", token).json()
    assert [g["id"] for g in listed] == [granted.json()["id"]]
    revoked = api_post(client, f"companies/{company_id}/agents/{listed[0]['id']}/revoke", {}, token)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert api_get(client, f"companies/{company_id}/cases", token).status_code == 200
    # Somebody else's company: the same 404 as a missing one.
    other = app_sign_in(client, OTHER_PHONE)
    assert api_get(client, f"companies/{company_id}/agents", other).status_code == 404
    assert api_get(client, "companies/999999/agents", other).status_code == 404
    assert api_get(client, f"companies/{company_id}/cases", other).status_code == 404
