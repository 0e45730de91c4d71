"""The telephony integration: the CTI rings a call through to an agent with its token; the
agent's screen takes the latest ring (the number once, audited)."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from onewindow.core.audit import AuditLog
from onewindow.core.errors import NotFoundOrForbidden, PermissionDenied
from onewindow.hotline.models import IncomingCall
from onewindow.hotline.services import incoming_call_latest, incoming_call_take

URL = "/api/hotline/telephony/calls"
TOKEN = "cti-secret-0123456789"


def ring(client, *, token=TOKEN, **body):
    payload = {"call_id": "c-1", "agent": "", "phone": "13800138000", **body}
    return client.post(
        URL,
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@override_settings(HOTLINE_TELEPHONY_TOKEN=TOKEN)
def test_a_ring_reaches_its_agent_once_and_the_agent_takes_the_number(scene):
    client = Client()
    first = ring(client, agent=scene.agent.username)
    again = ring(client, agent=scene.agent.username)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == {
        "id": first.json()["id"],
        "created": True,
        "phone_masked": "138****8000",
    }
    assert again.json()["created"] is False
    assert IncomingCall.objects.count() == 1
    call = incoming_call_latest(actor=scene.agent)
    assert call is not None and call.phone_masked == "138****8000"
    assert incoming_call_latest(actor=scene.agent2) is None
    with pytest.raises(NotFoundOrForbidden):  # another agent's ring
        incoming_call_take(actor=scene.agent2, call_pk=call.pk)
    assert incoming_call_take(actor=scene.agent, call_pk=call.pk) == "13800138000"
    assert incoming_call_latest(actor=scene.agent) is None
    read = AuditLog.objects.get(action="hotline.incoming_call_take")
    assert read.detail == {"phone": "138****8000", "call_id": "c-1"}
    with pytest.raises(PermissionDenied):
        incoming_call_latest(actor=scene.cgj_staff)


@override_settings(HOTLINE_TELEPHONY_TOKEN=TOKEN)
def test_a_wrong_token_is_refused_and_audited_and_bad_input_named(scene):
    client = Client()
    assert ring(client, token="wrong", agent=scene.agent.username).status_code == 401
    assert AuditLog.objects.filter(action="denied:hotline.telephony").count() == 1
    bad = ring(client, agent=scene.cgj_staff.username, phone="12")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["phone"]
    nul = ring(client, agent=scene.agent.username, call_id="c\x00")
    assert nul.status_code == 422
    assert not IncomingCall.objects.exists()


def test_without_a_configured_token_everyone_is_refused(scene):
    assert ring(Client(), token="", agent=scene.agent.username).status_code == 401
    assert ring(Client(), token="anything", agent=scene.agent.username).status_code == 401


def test_the_call_screen_shows_the_ring_and_taking_it_fills_the_number_and_the_history(scene):
    from onewindow.hotline.services import incoming_call_record, order_take
    from onewindow.hotline.tests.conftest import caller, light_input

    earlier = order_take(actor=scene.agent, data=light_input(), caller=caller())
    row, _created = incoming_call_record(
        call_id="c-9", agent_username=scene.agent.username, phone="13800138000"
    )
    client = Client()
    client.force_login(scene.agent)
    fragment = client.get("/staff/hotline/call/incoming/")
    assert fragment.status_code == 200
    assert "138****8000" in fragment.content.decode()
    assert "13800138000" not in fragment.content.decode()
    page = client.post(f"/staff/hotline/call/incoming/{row.pk}/take/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="13800138000"' in html
    assert f'data-order="{earlier.number}"' in html
    assert client.get("/staff/hotline/call/incoming/").content.decode().strip() == ""
    other = Client()
    other.force_login(scene.agent2)
    assert other.post(f"/staff/hotline/call/incoming/{row.pk}/take/").status_code == 404
