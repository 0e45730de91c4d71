"""The citizen operations fuzzed (schemathesis, as ``config/tests/test_api_fuzz.py`` does for
every operation) by a signed-in citizen with a bound real name and a case of their own, so that
the checks go past the 401: no server error, only documented statuses and schemas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from schemathesis.generation import GenerationMode

from onewindow.citizens import services
from onewindow.citizens.models import TokenKind
from onewindow.citizens.tests.conftest import PHONE, case_for, last_code
from onewindow.config.tests.test_api_fuzz import (  # noqa: F401 (wsgi_app is a fixture)
    EXAMPLES,
    NEGATIVE_EXAMPLES,
    SCHEMA,
    fuzz,
    wsgi_app,
)
from onewindow.testing.factories import create_organisation, create_person, make_resident_id


@pytest.mark.django_db
def test_every_citizen_operation_answers_within_its_schema_for_a_signed_in_citizen(wsgi_app):  # noqa: F811
    number = make_resident_id()
    person = create_person(id_number=number, name="王小明", phone=PHONE)
    case = case_for(person=person)
    # Through the services, not django.test.Client: its handler reconnects the signal that
    # closes the connection, which the WSGI handler of ``wsgi_app`` must not fire.
    services.sign_in_code_request(phone=PHONE, address="192.0.2.1")
    done = services.sign_in_with_code(
        phone=PHONE, code=last_code(), address="192.0.2.1", kind=TokenKind.APP
    )
    services.real_name_bind(account=done.account, id_number=number, name="王小明")
    token = done.secret
    # A company the citizen represents, with an agent's grant, for the company operations.
    organisation = create_organisation(
        legal_representative_name="王小明", legal_representative_id=number
    )
    company = services.company_claim(account=done.account, uscc=organisation.uscc)
    grant = services.agent_grant(
        account=done.account,
        company_id=company.pk,
        id_number=make_resident_id(),
        name="周八",
        actions=["view_cases"],
        item_codes=[],
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    records = {"number": case.number, "company_id": company.pk, "grant_id": grant.pk}
    session = ({"Authorization": f"Bearer {token}"}, {})
    operations = [
        result.ok()
        for result in SCHEMA.get_all_operations()
        if result.ok().path.startswith("/api/citizens/")
    ]
    assert len(operations) == 17
    problems: list[str] = []
    for operation in operations:
        if operation.path.endswith("/sign-out"):
            continue  # it ends the session the others need; covered by test_api.py
        for mode, examples in (
            (GenerationMode.POSITIVE, EXAMPLES),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):
            problems += fuzz(operation, mode, examples, wsgi_app, session=session)
        named = {p.name: records[p.name] for p in operation.path_parameters if p.name in records}
        if named:
            problems += fuzz(
                operation,
                GenerationMode.POSITIVE,
                EXAMPLES,
                wsgi_app,
                session=session,
                path_parameters=named,
            )
    assert problems == []
