"""The API at /api/online/: a draft, its answers, sending under an Idempotency-Key (a replay
answers the same, another payload under the key is refused), and who may see what."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.core.audit import AuditLog
from onewindow.online.models import OnlineApplication, Submission
from onewindow.online.tests.conftest import GOOD_ANSWERS, app_token, filled
from onewindow.online.transitions import OnlineState

pytestmark = pytest.mark.django_db


def post(client, path, body, token, **headers):
    return client.post(
        f"/api/online/{path}",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


def get(client, path, token):
    return client.get(f"/api/online/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_draft_answers_and_a_submission_replayed_under_its_key(city):
    client, token = Client(), app_token(city.account)
    created = post(client, "applications", {"item_id": city.item.pk}, token)
    assert created.status_code == 201, created.content
    body = created.json()
    reference = body["reference"]
    assert (body["state"], body["state_label"], body["centre"]) == ("draft", "草稿", "街道中心")
    assert created["Cache-Control"] == "no-store"

    saved = post(
        client,
        f"applications/{reference}/answers",
        {"answers": {"shop_name": "晓敏小卖部", "phone": "13800138000"}, "revision": 1},
        token,
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["answers"] == {"shop_name": "晓敏小卖部"}
    assert saved.json()["personal_masked"] == {"phone": "138****8000"}

    # Complete it through the services (papers are uploaded by the pages).
    OnlineApplication.objects.filter(reference=reference).delete()
    application = filled(city)
    first = post(
        client,
        f"applications/{application.reference}/submit",
        {},
        token,
        HTTP_IDEMPOTENCY_KEY="app-1",
    )
    assert first.status_code == 200, first.content
    assert first.json()["state"] == "submitted"
    replay = post(
        client,
        f"applications/{application.reference}/submit",
        {},
        token,
        HTTP_IDEMPOTENCY_KEY="app-1",
    )
    assert replay.status_code == 200
    assert replay.json() == first.json()
    application.refresh_from_db()
    assert application.events.filter(action="submit").count() == 1
    assert Submission.objects.count() == 1


def test_another_submission_under_a_used_key_is_refused_and_nothing_changes(city):
    client, token = Client(), app_token(city.account)
    first = filled(city)
    second = filled(city)
    assert (
        post(
            client, f"applications/{first.reference}/submit", {}, token, HTTP_IDEMPOTENCY_KEY="k1"
        ).status_code
        == 200
    )
    refused = post(
        client, f"applications/{second.reference}/submit", {}, token, HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "idempotency_key_reused"
    assert (
        refused.json()["message"] == "此提交键已用于另一次提交；请换一个新键（Idempotency-Key）。"
    )
    assert refused.json()["message_en"] == (
        "This submission key was used for another submission; send a new key (Idempotency-Key)."
    )
    second.refresh_from_db()
    assert second.state == OnlineState.DRAFT and not second.submissions.exists()
    assert AuditLog.objects.filter(action="denied:online.submit_key_reused").count() == 1


def test_a_submission_without_a_key_is_a_clear_422(city):
    client, token = Client(), app_token(city.account)
    application = filled(city)
    answer = post(client, f"applications/{application.reference}/submit", {}, token)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "idempotency_key"
    application.refresh_from_db()
    assert application.state == OnlineState.DRAFT


def test_another_citizens_application_is_the_404_of_a_missing_one_and_audited(city):
    client = Client()
    application = filled(city)
    stranger = app_token(city.other_account)
    for path in (f"applications/{application.reference}", "applications/W2099010100001"):
        answer = get(client, path, stranger)
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
    saved = post(
        client,
        f"applications/{application.reference}/answers",
        {"answers": {"shop_name": "别人的店"}},
        stranger,
    )
    assert saved.status_code == 404
    sent = post(
        client,
        f"applications/{application.reference}/submit",
        {},
        stranger,
        HTTP_IDEMPOTENCY_KEY="x",
    )
    assert sent.status_code == 404
    application.refresh_from_db()
    assert application.answers["shop_name"] == GOOD_ANSWERS["shop_name"]
    assert application.state == OnlineState.DRAFT
    assert AuditLog.objects.filter(action__startswith="denied:online.", allowed=False).count() == 4
    assert get(client, "applications", stranger).json() == []


def test_without_a_token_the_api_answers_401(city):
    answer = Client().get("/api/online/applications")
    assert answer.status_code == 401
    assert answer.json()["code"] == "citizen_sign_in_required"


def test_bad_field_values_and_nul_characters_are_each_named_and_nothing_is_saved(city):
    client, token = Client(), app_token(city.account)
    application = filled(city)
    before = (application.revision, application.answers, application.personal_masked)
    answer = post(
        client,
        f"applications/{application.reference}/answers",
        {"answers": {"employees": "很多", "phone": "12345", "shop_name": "店\x00名"}},
        token,
    )
    assert answer.status_code == 422
    errors = {
        e["field"]: (e["code"], e["message"], e["message_en"]) for e in answer.json()["errors"]
    }
    assert errors["employees"][0] == "invalid_integer"
    assert errors["phone"][0] == "invalid_mobile"
    assert errors["shop_name"][0] == "control_characters"
    assert errors["shop_name"][1] == "此处不能含有控制字符（例如 NUL 字节），请重新输入。"
    application.refresh_from_db()
    assert (application.revision, application.answers, application.personal_masked) == before
