"""The intake pages never overwrite a known applicant's details silently: they say what would
change, ask for what each change needs, and a colleague approves a new phone on a page of its
own."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from onewindow.applicants.models import ChangeStatus, Person, PersonChange
from onewindow.cases.tests.conftest import resident_id
from onewindow.core.models import AuditLog
from onewindow.notify.backends import MemoryBackend
from onewindow.org.models import Role
from onewindow.testing.factories import CentreFactory, staff_with_role

NEW_PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.NOTIFY_LANGUAGE = "en"
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


def url(name: str, *args: object) -> str:
    return reverse(f"cases_staff:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def at_window(client, city, user=None) -> None:
    client.force_login(user or city.clerk)
    response = client.post(
        url("intake_desk_choose"), {"desk": f"{city.street_centre.pk}:{city.intake_window.pk}"}
    )
    assert response.status_code == 302


def test_posting_a_known_id_to_register_answers_already_registered_and_names_no_field(client, city):
    """Registering is no oracle: a known ID with a guessed name and phone is told only that it
    is registered (look it up first), audited as a look-up; nothing changes."""
    at_window(client, city)
    before = AuditLog.objects.count()
    response = client.post(
        url("intake_register"),
        {"id_type": "111", "id_number": resident_id(), "name": "陈小文", "phone": NEW_PHONE},
    )
    assert response.status_code == 409
    page = text(response)
    assert "已登记：请先按证件号查询。" in page
    assert re.findall(r'class="changing changing--(\w+)"', page) == []
    assert 'id="chg-reason"' not in page
    rows = list(AuditLog.objects.order_by("id")[before:])
    assert [(row.action, row.allowed, row.detail["found"]) for row in rows] == [
        ("applicants.person_lookup", True, True),
        ("applicants.person_register", False, True),
    ]
    assert rows[1].detail["asked"] == ["name", "phone"]
    person = Person.objects.get(pk=city.person.pk)
    assert (person.name, person.phone_masked) == ("陈大文", "138****8000")
    assert PersonChange.objects.count() == 0
    assert MemoryBackend.outbox == []


def test_a_new_applicant_is_registered_only_with_the_card_read_box_ticked(client, city):
    at_window(client, city)
    new_id = resident_id(serial=9)
    client.post(url("intake_identify"), {"id_type": "111", "id_number": new_id})
    body = {"id_type": "111", "id_number": new_id, "name": "李小梅"}
    response = client.post(url("intake_register"), body)
    assert response.status_code == 422
    assert 'id="reg-card-read"' in text(response)
    assert Person.objects.filter(name="李小梅").count() == 0
    response = client.post(url("intake_register"), body | {"identity_check": "card_read"})
    assert response.status_code == 302
    assert Person.objects.filter(name="李小梅").count() == 1


def test_the_clerk_changes_a_phone_with_the_code_the_applicant_received(
    client, city, django_capture_on_commit_callbacks
):
    at_window(client, city)
    client.post(url("intake_identify"), {"id_type": "111", "id_number": resident_id()})
    page = text(client.get(url("intake")))
    assert url("intake_change") in page
    response = client.post(url("intake_change"), {"name": "陈大文", "phone": NEW_PHONE})
    assert response.status_code == 422
    assert re.findall(r'class="changing changing--(\w+)"', text(response)) == ["phone"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("intake_change"),
            {
                "name": "陈大文",
                "phone": NEW_PHONE,
                "reason": "换了手机号",
                "phone_confirmation": "code",
            },
        )
    assert response.status_code == 302
    change = PersonChange.objects.get()
    assert change.status == ChangeStatus.PENDING
    page = text(client.get(url("intake")))
    assert "139****5678" in page
    assert url("intake_change_confirm", change.pk) in page
    [(phone, message, _id)] = MemoryBackend.outbox
    assert phone == "13800138000"  # the registered phone: the citizen agrees there
    code = re.search(r"code (\d{6})", message).group(1)
    MemoryBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("intake_change_confirm", change.pk), {"code": code})
    assert response.status_code == 302
    assert Person.objects.get(pk=city.person.pk).phone_masked == "139****5678"
    assert [phone for phone, _text, _id in MemoryBackend.outbox] == ["13800138000"]
    assert "139****5678" in text(client.get(url("intake")))


def test_a_colleague_at_the_centre_approves_on_the_approval_page_not_the_requester_nor_others(
    client, city, django_capture_on_commit_callbacks
):
    at_window(client, city)
    client.post(url("intake_identify"), {"id_type": "111", "id_number": resident_id()})
    client.post(
        url("intake_change"),
        {
            "name": "陈大文",
            "phone": NEW_PHONE,
            "reason": "换了手机号",
            "phone_confirmation": "colleague",
            "identity_check": "card_read",
        },
    )
    change = PersonChange.objects.get()
    approve = url("intake_change_approve", change.pk)
    assert client.post(approve).status_code == 403
    assert PersonChange.objects.get().status == ChangeStatus.PENDING

    elsewhere = staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())
    client.force_login(elsewhere)
    assert client.get(approve).status_code == 404
    assert client.post(approve).status_code == 404

    colleague = staff_with_role(Role.INTAKE_CLERK, centre=city.street_centre)
    client.force_login(colleague)
    page = text(client.get(approve))
    assert "139****5678" in page and "换了手机号" in page
    assert NEW_PHONE not in page
    read = AuditLog.objects.filter(action="applicants.person_change_read", actor=colleague)
    assert read.count() == 1
    assert read.get().detail["change"] == change.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approve)
    assert response.status_code == 302
    assert PersonChange.objects.get().status == ChangeStatus.APPLIED
    assert Person.objects.get(pk=city.person.pk).phone_masked == "139****5678"


def test_a_wrong_code_on_the_page_is_counted_and_said(
    client, city, django_capture_on_commit_callbacks
):
    at_window(client, city)
    client.post(url("intake_identify"), {"id_type": "111", "id_number": resident_id()})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("intake_change"),
            {
                "name": "陈大文",
                "phone": NEW_PHONE,
                "reason": "换了手机号",
                "phone_confirmation": "code",
            },
        )
    change = PersonChange.objects.get()
    code = re.search(r"code (\d{6})", MemoryBackend.outbox[0][1]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(url("intake_change_confirm", change.pk), {"code": wrong}, follow=True)
    assert "验证码不正确，还可再试4次。 / The code is not right; 4 tries left." in text(response)
    change.refresh_from_db()
    assert change.code_attempts == 1
    assert Person.objects.get(pk=city.person.pk).phone_masked == "138****8000"
