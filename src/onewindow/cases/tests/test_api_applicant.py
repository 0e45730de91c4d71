"""The intake API names an applicant the way the window does — by a look-up token an
applicants look-up returned, or by document number — never by a bare record id."""

from __future__ import annotations

import json

from django.core import signing
from django.test import Client

from onewindow.applicants.lookup_tokens import lookup_token_issue
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import resident_id
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_token_is_bound_to_its_user_and_expires(settings, city):
    person = city.person
    other = staff_with_role(Role.INTAKE_CLERK, centre=city.street_centre)
    token = lookup_token_issue(user=other, person=person)
    body = intake_body(city, {"person_token": token})
    response = post_intake(city.clerk, body)
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("applicant.person_token", "lookup_token_invalid")
    ]
    forged = signing.dumps({"k": "person", "id": person.pk, "u": city.clerk.pk}, salt="other")
    response = post_intake(city.clerk, intake_body(city, {"person_token": forged}))
    assert response.json()["errors"][0]["code"] == "lookup_token_invalid"
    settings.APPLICANT_LOOKUP_TOKEN_MINUTES = -1
    own = lookup_token_issue(user=city.clerk, person=person)
    response = post_intake(city.clerk, intake_body(city, {"person_token": own}))
    assert response.json()["errors"][0]["code"] == "lookup_token_expired"


def test_the_intake_api_accepts_the_token_a_lookup_returned(city):
    found = (
        client_for(city.clerk)
        .post(
            "/api/applicants/persons/lookup",
            data=json.dumps({"id_number": resident_id(), "purpose": "窗口受理"}),
            content_type="application/json",
        )
        .json()
    )
    response = post_intake(city.clerk, intake_body(city, {"person_token": found["person_token"]}))
    assert response.status_code == 201, response.json()
    assert Case.objects.get(number=response.json()["number"]).person == city.person


def test_a_bare_person_id_is_refused_with_422_naming_the_replacement(city):
    response = post_intake(city.clerk, intake_body(city, {"person_id": city.person.pk}))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("applicant", "bare_id_refused")
    assert "applicant.person_token" in error["message_en"]
    assert "/api/applicants/persons/lookup" in error["message"]


def test_the_intake_schema_has_no_person_id(db):
    schema = Client().get("/api/openapi.json").json()
    applicant = schema["components"]["schemas"]["ApplicantIn"]["properties"]
    assert "person_id" not in applicant and "organisation_id" not in applicant
    assert {"person_token", "id_number", "organisation_token", "uscc"} <= set(applicant)


def intake_body(city, applicant):
    return {
        "item_id": city.lift.pk,
        "centre_id": city.street_centre.pk,
        "window_id": city.intake_window.pk,
        "applicant": applicant,
        "materials": [{"name": m.name, "status": "received"} for m in city.lift.materials.all()],
    }


def post_intake(user, body):
    return client_for(user).post(
        "/api/cases/intake/accept",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": f"k-{json.dumps(body['applicant'])[:40]}"},
    )


def test_naming_the_applicant_two_ways_or_an_unregistered_one_is_refused_and_files_nothing(city):
    from onewindow.cases.models import Case
    from onewindow.core.models import AuditLog

    token = lookup_token_issue(user=city.clerk, person=city.person)
    both = post_intake(
        city.clerk, intake_body(city, {"person_token": token, "id_number": resident_id()})
    )
    assert both.status_code == 422
    assert [(e["field"], e["code"]) for e in both.json()["errors"]] == [
        ("applicant.person_token", "one_way_only")
    ]
    unknown = post_intake(city.clerk, intake_body(city, {"id_number": resident_id(serial=77)}))
    assert unknown.status_code == 422
    assert [(e["field"], e["code"]) for e in unknown.json()["errors"]] == [
        ("applicant.id_number", "not_registered")
    ]
    # The look-up of the unregistered number is audited, found or not.
    lookup = AuditLog.objects.filter(action="applicants.person_lookup").latest("id")
    assert lookup.detail["found"] is False
    company = post_intake(
        city.clerk, intake_body(city, {"uscc": "91440101MA59XXXX0X", "organisation_token": "t"})
    )
    assert [(e["field"], e["code"]) for e in company.json()["errors"]] == [
        ("applicant.organisation_token", "one_way_only")
    ]
    assert Case.objects.count() == 0
