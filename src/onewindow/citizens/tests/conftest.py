from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from onewindow.core import crypto
from onewindow.notify.models import TEXT_CONTEXT, Notification

PHONE = "13912345678"
OTHER_PHONE = "13712345678"


def last_code(*, template: str = "citizen_code_sign_in") -> str:
    """The code of the newest code SMS, read from the outbox as the gateway would get it."""
    message = Notification.objects.filter(template_code=template).order_by("-id").first()
    assert message is not None
    text = crypto.decrypt(message.text_encrypted, context=TEXT_CONTEXT)
    return re.search(r"\d{6}", text).group(0)  # type: ignore[union-attr]


def api_post(client: Client, path: str, body: Any = None, token: str = "") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(
        f"/api/citizens/{path}", body or {}, content_type="application/json", **headers
    )


def api_get(client: Client, path: str, token: str = "") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(f"/api/citizens/{path}", **headers)


def app_sign_in(client: Client, phone: str = PHONE) -> str:
    assert api_post(client, "codes", {"phone": phone}).status_code == 202
    answer = api_post(client, "tokens", {"phone": phone, "code": last_code(), "device": "test"})
    assert answer.status_code == 201, answer.content
    return str(answer.json()["token"])


def browser_sign_in(client: Client, phone: str = PHONE) -> None:
    assert client.post("/my/sign-in/", {"phone": phone}).status_code == 200
    answer = client.post("/my/sign-in/", {"phone": phone, "step": "code", "code": last_code()})
    assert answer.status_code == 302, answer.content


@pytest.fixture(autouse=True)
def _citizen_settings(settings):
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.DemoRegistryVerifier"
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"


def case_for(person: Any = None, organisation: Any = None, item: Any = None) -> Any:
    """A case accepted at a street centre's window for ``person`` (or ``organisation``)."""
    from onewindow.cases.models import ApplicantType, MaterialStatus
    from onewindow.cases.services import Intake, MaterialReceipt, case_accept
    from onewindow.org.models import CentreLevel, Role, Window, WindowKind
    from onewindow.testing.factories import (
        CentreFactory,
        DepartmentFactory,
        StreetFactory,
        create_item,
        material,
        staff_with_role,
    )

    street = StreetFactory()
    centre = CentreFactory(level=CentreLevel.STREET_CENTRE, region=street)
    window = Window.objects.create(centre=centre, number="01", kind=WindowKind.INTAKE)
    if item is None:
        item = create_item(department=DepartmentFactory(), materials=[material(name="申请表")])
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=centre)
    return case_accept(
        intake=Intake(
            item=item,
            centre=centre,
            window=window,
            clerk=clerk,
            applicant_type=ApplicantType.LEGAL_PERSON
            if organisation
            else ApplicantType.NATURAL_PERSON,
            person=person,
            organisation=organisation,
            materials=[
                MaterialReceipt(name=m.name, status=MaterialStatus.RECEIVED)
                for m in item.materials.all()
            ],
        )
    )
