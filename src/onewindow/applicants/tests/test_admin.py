"""The admin shows applicants masked and read-only, to administrators and auditors only."""

import pytest
from django.test import Client

from onewindow.applicants.models import Organisation, Person
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import (
    CentreFactory,
    create_organisation,
    create_person,
    make_resident_id,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

ID_NUMBER = make_resident_id(birth="19850520", serial=41)
PHONE = "13912345678"
ADDRESS = "广东省广州市荔湾区多宝路88号"


@pytest.fixture
def person():
    return create_person(id_number=ID_NUMBER, phone=PHONE, address=ADDRESS, name="陈七")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_auditor_and_admin_see_masked_values_only(person, role):
    client = client_for(staff_with_role(role))
    listing = client.get("/admin/applicants/person/")
    assert listing.status_code == 200
    assert [p.pk for p in listing.context["cl"].result_list] == [person.pk]
    detail = client.get(f"/admin/applicants/person/{person.pk}/change/")
    assert detail.status_code == 200
    for response in (listing, detail):
        html = response.content.decode()
        assert person.id_number_masked in html
        assert "139****5678" in html
        for secret in (ID_NUMBER, PHONE, ADDRESS, person.id_number_encrypted[:20]):
            assert secret not in html
    # Read-only: no save button, and the view is audited.
    assert "_save" not in detail.content.decode()
    log = AuditLog.objects.get(action="applicants.person_admin_view")
    assert log.object_id == str(person.pk)
    assert ID_NUMBER not in str(log.detail) + log.object_repr


def test_nobody_adds_or_changes_a_person_in_the_admin(person):
    client = client_for(staff_with_role(Role.ADMIN))
    assert client.get("/admin/applicants/person/add/").status_code == 403
    response = client.post(
        f"/admin/applicants/person/{person.pk}/change/", {"name": "改名"}, follow=False
    )
    assert response.status_code == 403
    assert Person.objects.get().name == "陈七"


def test_window_staff_cannot_open_the_applicant_admin(person):
    client = client_for(staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory()))
    assert client.get("/admin/applicants/person/").status_code == 403
    assert client.get(f"/admin/applicants/person/{person.pk}/change/").status_code == 403
    assert not AuditLog.objects.filter(action="applicants.person_admin_view").exists()


def test_organisation_admin_shows_masks():
    company = create_organisation(contact_phone="13700001111")
    client = client_for(staff_with_role(Role.AUDITOR))
    response = client.get(f"/admin/applicants/organisation/{company.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert company.uscc in html
    assert "137****1111" in html
    assert "13700001111" not in html
    assert company.legal_representative_id_masked in html
    assert Organisation.objects.count() == 1
    assert AuditLog.objects.filter(action="applicants.organisation_admin_view").count() == 1


def test_the_person_list_shows_no_birth_date_and_every_page_and_search_is_audited(person):
    auditor = staff_with_role(Role.AUDITOR)
    client = client_for(auditor)
    listing = client.get("/admin/applicants/person/")
    html = listing.content.decode()
    assert "1985-05-20" not in html and "1985年5月20日" not in html and "19850520" not in html
    assert "birth" not in html.lower()
    search = client.get("/admin/applicants/person/", {"q": "陈七", "gender": "1"})
    assert [p.pk for p in search.context["cl"].result_list] == [person.pk]
    logs = list(AuditLog.objects.filter(action="applicants.person_admin_list").order_by("id"))
    assert [(log.actor, log.object_type, log.detail) for log in logs] == [
        (
            auditor,
            "applicants.person",
            {"purpose": "admin", "search": "", "filters": [], "page": 1, "shown": [person.pk]},
        ),
        (
            auditor,
            "applicants.person",
            {
                "purpose": "admin",
                "search": "陈*",
                "filters": ["gender"],
                "page": 1,
                "shown": [person.pk],
            },
        ),
    ]
