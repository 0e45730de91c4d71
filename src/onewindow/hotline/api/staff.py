"""The hotline's API at ``/api/hotline/``.

``POST /api/hotline/telephony/calls``: the telephony system (CTI) tells which agent a call is
ringing through to, and from which number (``services.telephony``). It signs in with the
bearer token ``HOTLINE_TELEPHONY_TOKEN`` (unset: the endpoint refuses everyone, 401); a wrong
token is refused (401, audited) before the body is read. The same ``call_id`` twice records one
ring (200 with ``created: false``).
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from onewindow.core.audit import audit_record
from onewindow.core.openapi import ErrorOut
from onewindow.core.validation import Text
from onewindow.hotline.services import incoming_call_record

router = Router(tags=["hotline"])
ERRORS = {401: ErrorOut, 422: ErrorOut}


class TelephonyToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        expected = getattr(settings, "HOTLINE_TELEPHONY_TOKEN", "")
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return "telephony"
        audit_record(
            actor=None,
            action="denied:hotline.telephony",
            object_type="hotline.api",
            object_repr=request.path[:255],
            allowed=False,
        )
        return None


class IncomingCallIn(Schema):
    call_id: Text = Field(min_length=1, max_length=64, description="the CTI's id of the call")
    agent: Text = Field(min_length=1, max_length=150, description="the agent's username")
    phone: Text = Field(min_length=1, max_length=32, description="the calling number")


class IncomingCallOut(Schema):
    id: int
    created: bool
    phone_masked: str


@router.post(
    "/telephony/calls",
    auth=TelephonyToken(),
    response={200: IncomingCallOut, 201: IncomingCallOut, **ERRORS},
    operation_id="telephony_call",
    summary="A call rings through to an agent (CTI)",
)
def telephony_call(request: HttpRequest, payload: IncomingCallIn) -> Status[dict[str, Any]]:
    row, created = incoming_call_record(
        call_id=payload.call_id, agent_username=payload.agent, phone=payload.phone
    )
    return Status(
        201 if created else 200,
        {"id": row.pk, "created": created, "phone_masked": row.phone_masked},
    )
