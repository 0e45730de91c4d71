"""Bad input on every citizen page: a clear 4xx (or the page with its error), never a 500, and
nothing written."""

from __future__ import annotations

import pytest

from onewindow.citizens.models import AgentGrant, BindingRecord, CompanyAccount
from onewindow.citizens.tests.conftest import PHONE, browser_sign_in
from onewindow.testing.factories import create_organisation, create_person, make_resident_id

pytestmark = pytest.mark.django_db
JUNK = ["", "\x00", "王\x00明", "x" * 5000, "<script>", "１２３", "' OR 1=1 --", "\u2028"]


def test_junk_on_every_page_answers_without_a_server_error(client, settings):
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.AcceptAll"
    rep_id = make_resident_id(birth="19800101")
    create_person(id_number=rep_id, name="李四", phone=PHONE)
    organisation = create_organisation(
        legal_representative_name="李四", legal_representative_id=rep_id
    )
    browser_sign_in(client)
    statuses = set()
    for junk in JUNK:
        statuses.add(client.post("/my/real-name/", {"name": junk, "id_number": junk}).status_code)
        statuses.add(client.post("/my/companies/", {"uscc": junk}).status_code)
        statuses.add(client.post("/my/devices/", {"token": junk}).status_code)
        statuses.add(
            client.post("/my/sign-in/", {"phone": junk, "step": "code", "code": junk}).status_code
        )
    assert max(statuses) < 500
    # A control character in an otherwise good binding is refused before the verifier.
    nul = client.post("/my/real-name/", {"name": "李\x00四", "id_number": rep_id})
    assert nul.status_code == 422
    assert BindingRecord.objects.count() == 0
    assert client.post("/my/real-name/", {"name": "李四", "id_number": rep_id}).status_code == 302
    company = client.post("/my/companies/", {"uscc": organisation.uscc})
    assert company.status_code == 302
    page = company["Location"]
    statuses = set()
    for junk in JUNK:
        answer = client.post(
            page,
            {
                "name": junk,
                "id_number": junk,
                "actions": [junk, "apply"],
                "item_codes": junk,
                "expires_on": junk,
            },
        )
        statuses.add(answer.status_code)
        statuses.add(client.post(page, {"revoke": junk}).status_code)
        statuses.add(client.get(f"/my/cases/{junk or 'x'}/?company={junk}").status_code)
    assert max(statuses) < 500
    good = {
        "name": "周\x00八",
        "id_number": make_resident_id(),
        "actions": ["apply"],
        "item_codes": "",
        "expires_on": "2099-01-01",
    }
    assert client.post(page, good).status_code == 422
    assert client.post(page, {**good, "name": "周八", "item_codes": "A\x00B"}).status_code == 422
    assert AgentGrant.objects.count() == 0
    assert CompanyAccount.objects.count() == 1
