"""The applicants API: look up and register applicants the way the window does, answering
masked data and a look-up token; the intake API takes the token or the number, never a bare
record id."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from stdnum.cn import uscc as stdnum_uscc

from onewindow.applicants.identity import IdentityResult
from onewindow.applicants.models import ChangeStatus, Person, PersonChange
from onewindow.applicants.services import person_register
from onewindow.core.models import AuditLog
from onewindow.notify.backends import MemoryBackend
from onewindow.org.models import Role
from onewindow.testing.factories import CentreFactory, staff_with_role

pytestmark = pytest.mark.django_db

API = "/api/applicants"
ID_NUMBER = "44010319900307007X"
PHONE = "13800138000"
ERROR_KEYS = ["code", "errors", "message", "message_en"]


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.NOTIFY_LANGUAGE = "en"
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


@pytest.fixture
def centre():
    return CentreFactory()


@pytest.fixture
def clerk(centre):
    return staff_with_role(Role.INTAKE_CLERK, centre=centre)


@pytest.fixture
def person(clerk):
    return person_register(
        id_type="111",
        id_number=ID_NUMBER,
        name="张三",
        phone=PHONE,
        identity_check="card_read",
        actor=clerk,
    )


def client_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client, url, body=None, raw=None):
    data = raw if raw is not None else json.dumps(body or {})
    return client.post(f"{API}{url}", data=data, content_type="application/json")


def lookup_body(**extra):
    return {"id_type": "111", "id_number": ID_NUMBER, "purpose": "窗口受理", **extra}


def test_a_lookup_answers_masked_data_and_a_token_and_is_audited(person, clerk):
    response = post(client_for(clerk), "/persons/lookup", lookup_body())
    assert response.status_code == 200
    body = response.json()
    assert body["person"] == {
        "name_masked": "张*",
        "id_type": "111",
        "id_number_masked": "440103********007X",
        "phone_masked": "138****8000",
        "address_masked": "",
        "gender": "1",
        "region_code": "440103",
    }
    assert body["token_minutes"] == 30
    assert body["pending_changes"] == []
    assert "id" not in body["person"]
    text = json.dumps(body, ensure_ascii=False)
    for secret in (ID_NUMBER, PHONE, "张三"):
        assert secret not in text
    log = AuditLog.objects.filter(action="applicants.person_lookup").latest("id")
    assert (log.actor, log.detail["purpose"], log.detail["found"]) == (clerk, "窗口受理", True)


def test_a_lookup_of_an_unregistered_number_answers_404_and_is_audited(clerk):
    response = post(client_for(clerk), "/persons/lookup", lookup_body())
    assert response.status_code == 404
    assert sorted(response.json()) == ERROR_KEYS
    log = AuditLog.objects.get(action="applicants.person_lookup")
    assert log.detail["found"] is False


def test_anonymous_gets_401_and_staff_without_a_reader_role_403_before_the_body_is_read(clerk):
    assert post(client_for(), "/persons/lookup", lookup_body()).status_code == 401
    grid = staff_with_role(Role.GRID_WORKER)
    # Even a malformed body is refused for the permission first.
    for response in (
        post(client_for(grid), "/persons/lookup", lookup_body()),
        post(client_for(grid), "/persons/lookup", raw="{not json"),
        post(client_for(grid), "/persons", {"name": 1}),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert AuditLog.objects.filter(actor=grid, action="denied:applicants.api").count() == 3
    assert not AuditLog.objects.filter(action="applicants.person_lookup").exists()


def test_a_lookup_without_a_purpose_is_refused(clerk):
    response = post(client_for(clerk), "/persons/lookup", lookup_body(purpose=""))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["purpose"]


class AgreeingVerifier:
    """The official identity service, as a test stands it in: confirms every name."""

    def verify(self, id_type: str, id_number: str, name: str) -> IdentityResult:
        return IdentityResult(verified=True, reference="GA-0001")


def test_register_creates_a_person_only_with_the_official_identity_check(clerk, settings):
    body = {"id_type": "111", "id_number": ID_NUMBER, "name": "张三", "phone": PHONE}
    client = client_for(clerk)
    unchecked = post(client, "/persons", body)
    assert (unchecked.status_code, unchecked.json()["code"]) == (
        422,
        "new_person_needs_identity_check",
    )
    # There is no window and no card reader behind the API: the clerk's attestation is refused.
    card = post(client, "/persons", body | {"identity_check": "card_read"})
    assert (card.status_code, [e["code"] for e in card.json()["errors"]]) == (
        422,
        ["card_read_only_at_window"],
    )
    settings.IDENTITY_VERIFIER = "onewindow.applicants.identity.NotConfigured"
    none = post(client, "/persons", body | {"identity_check": "identity_service"})
    assert (none.status_code, none.json()["code"]) == (422, "identity_service_not_configured")
    assert Person.objects.count() == 0
    settings.IDENTITY_VERIFIER = f"{__name__}.AgreeingVerifier"
    response = post(client, "/persons", body | {"identity_check": "identity_service"})
    assert response.status_code == 200, response.json()
    assert response.json()["person"]["phone_masked"] == "138****8000"
    assert Person.objects.count() == 1
    assert response.json()["person_token"]


def test_register_of_a_known_document_without_a_lookup_token_answers_409_and_names_no_field(
    person, clerk
):
    """No look-up without a purpose, and no oracle: a known ID with a guessed phone is told
    only that it is registered — audited as the look-up it is."""
    before = AuditLog.objects.count()
    for phone in (PHONE, "13912345678"):
        response = post(
            client_for(clerk),
            "/persons",
            {"id_type": "111", "id_number": ID_NUMBER, "name": "张三", "phone": phone},
        )
        assert response.status_code == 409
        assert response.json() == {
            "code": "already_registered",
            "message": "已登记：请先按证件号查询。",
            "message_en": "Already registered: look the applicant up by document number first.",
            "errors": [],
        }
        assert "person_token" not in response.json()
    rows = list(AuditLog.objects.order_by("id")[before:])
    assert [(row.action, row.allowed) for row in rows] == [
        ("applicants.person_lookup", True),
        ("applicants.person_register", False),
    ] * 2
    assert [row.detail["found"] for row in rows] == [True] * 4
    assert [row.detail.get("asked") for row in rows[1::2]] == [[], ["phone"]]
    assert [row.detail["outcome"] for row in rows[1::2]] == ["already_registered"] * 2


def looked_up_token(client) -> str:
    found = post(client, "/persons/lookup", lookup_body())
    assert found.status_code == 200
    return str(found.json()["person_token"])


def test_register_of_a_looked_up_person_with_a_new_phone_sends_the_code_to_the_registered_phone(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    client = client_for(clerk)
    body = {
        "id_type": "111",
        "id_number": ID_NUMBER,
        "name": "张三",
        "phone": "13912345678",
        "person_token": looked_up_token(client),
    }
    refused = post(client, "/persons", body)
    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("phone", "phone_change_needs_confirmation"),
        ("reason", "change_reason_required"),
    ]
    MemoryBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            "/persons",
            body | {"reason": "换号", "phone_confirmation": "code", "centre_id": centre.pk},
        )
    assert response.status_code == 200
    [pending] = response.json()["pending_changes"]
    assert (pending["status"], pending["new_value_masked"], pending["code_sent"]) == (
        "pending",
        "139****5678",
        True,
    )
    assert Person.objects.get().phone_masked == "138****8000"
    assert [to for to, _text, _id in MemoryBackend.outbox] == [PHONE]
    code = MemoryBackend.outbox[-1][1].split("code ")[1][:6]
    wrong = post(client, f"/persons/changes/{pending['id']}/confirm", {"code": "00000x"})
    assert wrong.status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        right = post(client, f"/persons/changes/{pending['id']}/confirm", {"code": code})
    assert (right.status_code, right.json()["status"]) == (200, "applied")
    assert Person.objects.get().phone_masked == "139****5678"


def test_the_api_cannot_ask_for_a_colleague_approved_phone_without_a_card_reader(person, clerk):
    client = client_for(clerk)
    body = {
        "id_type": "111",
        "id_number": ID_NUMBER,
        "name": "张三",
        "phone": "13912345678",
        "reason": "换号",
        "phone_confirmation": "colleague",
        "person_token": looked_up_token(client),
    }
    response = post(client, "/persons", body)
    assert (response.status_code, [e["code"] for e in response.json()["errors"]]) == (
        422,
        ["phone_change_colleague_needs_card_read"],
    )
    assert PersonChange.objects.count() == 0


def test_a_colleague_approves_through_the_api_but_not_the_requester(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    # Asked at the window, with the card read (no code from the registered phone).
    person_register(
        id_type="111",
        id_number=ID_NUMBER,
        name="张三",
        phone="13912345678",
        reason="换号",
        identity_check="card_read",
        phone_confirmation="colleague",
        centre=centre,
        looked_up=person,
        actor=clerk,
    )
    pending = PersonChange.objects.get()
    own = post(client_for(clerk), f"/persons/changes/{pending.pk}/approve")
    assert (own.status_code, own.json()["code"]) == (403, "forbidden")
    colleague = staff_with_role(Role.INTAKE_CLERK, centre=centre)
    with django_capture_on_commit_callbacks(execute=True):
        approved = post(client_for(colleague), f"/persons/changes/{pending.pk}/approve")
    assert (approved.status_code, approved.json()["status"]) == (200, "applied")
    assert PersonChange.objects.get().status == ChangeStatus.APPLIED


def test_register_refuses_a_centre_where_the_user_holds_no_role(clerk):
    response = post(
        client_for(clerk),
        "/persons",
        {"id_number": ID_NUMBER, "name": "张三", "centre_id": CentreFactory().pk},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["centre_id"]
    assert Person.objects.count() == 0


def test_an_unknown_change_answers_404(clerk):
    response = post(client_for(clerk), "/persons/changes/999999/approve")
    assert response.status_code == 404


def uscc(body: str) -> str:
    return body + stdnum_uscc.calc_check_digit(body)


def test_organisations_are_registered_and_looked_up_by_uscc_with_a_token(clerk):
    client = client_for(clerk)
    code = uscc("91440101MA59ABCD1")
    registered = post(
        client,
        "/organisations",
        {"uscc": code, "name": "广州市某某餐饮有限公司", "legal_representative_name": "李四"},
    )
    assert registered.status_code == 200, registered.json()
    found = post(client, "/organisations/lookup", {"uscc": code, "purpose": "窗口受理"})
    assert found.status_code == 200
    assert found.json()["organisation"]["legal_representative_name_masked"] == "李*"
    assert found.json()["organisation_token"]
    other = uscc("91440101MA59ABCD2")
    missing = post(client, "/organisations/lookup", {"uscc": other, "purpose": "窗口受理"})
    assert missing.status_code == 404
    assert AuditLog.objects.filter(action="applicants.organisation_lookup").count() == 2


def test_a_known_uscc_gets_no_token_without_an_audited_look_up(clerk):
    """``POST organisations`` with a code already registered used to answer the organisation
    and a token — a look-up with no purpose and no look-up row. Now it answers 409 (audited as
    the look-up it is); the token comes from ``organisations/lookup`` (purpose required), and
    with it the register fills blank fields."""
    client = client_for(clerk)
    code = uscc("91440101MA59ABCD1")
    body = {"uscc": code, "name": "广州市某某餐饮有限公司", "legal_representative_name": "李四"}
    assert post(client, "/organisations", body).status_code == 200
    before = AuditLog.objects.count()
    again = post(client, "/organisations", {**body, "name": "改了名的公司"})
    assert again.status_code == 409
    assert again.json() == {
        "code": "already_registered",
        "message": "已登记：请先按统一社会信用代码查询。",
        "message_en": (
            "Already registered: look the organisation up by its unified social credit code first."
        ),
        "errors": [],
    }
    rows = list(AuditLog.objects.order_by("id")[before:])
    assert [(r.action, r.allowed, r.detail.get("purpose")) for r in rows] == [
        ("applicants.organisation_lookup", True, "register"),
        ("applicants.organisation_register", False, None),
    ]
    no_purpose = post(client, "/organisations/lookup", {"uscc": code})
    assert no_purpose.status_code == 422
    found = post(client, "/organisations/lookup", {"uscc": code, "purpose": "窗口受理"})
    token = found.json()["organisation_token"]
    filled = post(
        client, "/organisations", {**body, "address": "荔湾区1号", "organisation_token": token}
    )
    assert filled.status_code == 200, filled.json()
    assert filled.json()["organisation"]["name"] == "广州市某某餐饮有限公司"
    assert filled.json()["organisation"]["address"] == "荔湾区1号"
    # Another user's token names nobody for this user.
    colleague = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    foreign = post(client_for(colleague), "/organisations", {**body, "organisation_token": token})
    assert (foreign.status_code, foreign.json()["code"]) == (422, "lookup_token_invalid")
