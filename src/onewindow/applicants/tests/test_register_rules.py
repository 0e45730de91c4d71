"""Registering is no oracle and no shortcut: permission first, a known document compared only
after an audited look-up, a new person only with an identity check, a new phone confirmed at
the registered phone (or the card read and a colleague), and codes sent within hourly limits."""

from __future__ import annotations

import pytest

from onewindow.applicants.models import ChangeStatus, Person, PersonChange
from onewindow.applicants.selectors import person_details_changing
from onewindow.applicants.services import (
    person_change_approve,
    person_change_send_code,
    person_register,
)
from onewindow.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.notify.backends import MemoryBackend
from onewindow.org.models import Role
from onewindow.testing.factories import CentreFactory, make_resident_id, staff_with_role

pytestmark = pytest.mark.django_db

ID_NUMBER = "44010319900307007X"
OLD_PHONE = "13800138000"
CLERK_PHONE = "13912345678"


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


def register(clerk, **values):
    fields = {
        "id_type": "111",
        "id_number": ID_NUMBER,
        "name": "张三",
        "phone": OLD_PHONE,
        "identity_check": "card_read",
        **values,
    }
    return person_register(actor=clerk, **fields)


@pytest.fixture
def person(clerk):
    return register(clerk)


def ask_phone(person, clerk, centre, *, phone=CLERK_PHONE, **values):
    fields = {
        "id_number": ID_NUMBER,
        "name": person.name,
        "phone": phone,
        "reason": "换号",
        "phone_confirmation": "code",
        "identity_check": "",
        "centre": centre,
        "looked_up": person,
        **values,
    }
    return register(clerk, **fields)


def recipients():
    return [to for to, _text, _id in MemoryBackend.outbox]


# --- C2: permission first, no oracle ---------------------------------------------------------


def test_register_checks_the_permission_before_it_validates_anything():
    grid = staff_with_role(Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        person_register(id_type="111", id_number="not a number", name="", actor=grid)
    denied = AuditLog.objects.get()
    assert (denied.action, denied.allowed) == ("denied:applicants.person_register", False)


def test_a_known_document_with_a_guessed_phone_answers_already_registered_naming_no_field(
    person, clerk
):
    before = AuditLog.objects.count()
    with pytest.raises(ApplicationError) as caught:
        register(clerk, phone=CLERK_PHONE, identity_check="")
    error = caught.value
    assert (error.status, error.code, error.errors) == (409, "already_registered", [])
    assert error.as_dict()["message"] == "已登记：请先按证件号查询。"
    rows = list(AuditLog.objects.order_by("id")[before:])
    assert [(row.action, row.allowed, row.detail["found"]) for row in rows] == [
        ("applicants.person_lookup", True, True),
        ("applicants.person_register", False, True),
    ]
    assert (rows[1].detail["asked"], rows[1].detail["outcome"]) == (["phone"], "already_registered")
    assert CLERK_PHONE not in str(rows[1].detail)
    assert PersonChange.objects.count() == 0


def test_a_looked_up_person_of_another_document_does_not_open_the_comparison(person, clerk):
    other = register(clerk, id_number=make_resident_id(serial=55), name="李四")
    with pytest.raises(ApplicationError) as caught:
        register(clerk, phone=CLERK_PHONE, looked_up=other)
    assert caught.value.code == "already_registered"


def test_every_refused_change_of_a_looked_up_person_is_audited(person, clerk):
    with pytest.raises(ValidationFailed):
        register(clerk, name="张叁", identity_check="", looked_up=person)
    last = AuditLog.objects.filter(action="applicants.person_register").latest("id")
    assert (last.allowed, last.detail["asked"], last.detail["outcome"]) == (
        False,
        ["name"],
        "name_change_needs_identity_check",
    )


def test_comparing_details_needs_a_reader_role_and_is_audited(person, clerk):
    grid = staff_with_role(Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        person_details_changing(person=person, name="张叁", actor=grid)
    assert AuditLog.objects.filter(
        action="denied:applicants.person_details_compare", actor=grid
    ).exists()
    fields = person_details_changing(person=person, name="张叁", phone=CLERK_PHONE, actor=clerk)
    assert fields == ["name", "phone"]
    row = AuditLog.objects.get(action="applicants.person_details_compare", actor=clerk)
    assert row.detail["fields"] == ["name", "phone"]


# --- H5: a new person needs an identity check ------------------------------------------------


def test_a_new_person_without_an_identity_check_is_refused_and_audited(clerk):
    with pytest.raises(ValidationFailed) as caught:
        register(clerk, identity_check="")
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("identity_check", "new_person_needs_identity_check")
    ]
    assert Person.objects.count() == 0
    row = AuditLog.objects.get(action="applicants.person_register")
    assert (row.allowed, row.detail["outcome"]) == (False, "new_person_needs_identity_check")


def test_the_card_read_attestation_is_refused_away_from_a_window(clerk):
    with pytest.raises(ValidationFailed) as caught:
        register(clerk, at_window=False)
    assert [e.code for e in caught.value.errors] == ["card_read_only_at_window"]
    assert Person.objects.count() == 0


# --- C1: a new phone is confirmed at the registered phone ------------------------------------


def test_the_code_of_a_new_phone_goes_to_the_registered_phone_not_the_new_one(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    """A clerk who types their own phone as the citizen's new one receives nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        ask_phone(person, clerk, centre)
    assert recipients() == [OLD_PHONE]


def test_without_a_registered_mobile_the_code_route_is_refused(clerk, centre):
    person = register(clerk, phone="")
    with pytest.raises(ValidationFailed) as caught:
        ask_phone(person, clerk, centre)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("phone_confirmation", "phone_change_code_needs_old_mobile")
    ]
    assert PersonChange.objects.count() == 0


def test_a_colleague_route_needs_the_card_read_at_the_window(person, clerk, centre):
    with pytest.raises(ValidationFailed) as caught:
        ask_phone(person, clerk, centre, phone_confirmation="colleague")
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("identity_check", "phone_change_colleague_needs_card_read")
    ]
    assert PersonChange.objects.count() == 0


def test_a_colleague_cannot_approve_a_change_asked_for_by_code(
    person, clerk, centre, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_phone(person, clerk, centre)
    pending = PersonChange.objects.get()
    colleague = staff_with_role(Role.INTAKE_CLERK, centre=centre)
    with pytest.raises(ApplicationError) as caught:
        person_change_approve(change_id=pending.pk, actor=colleague)
    assert (caught.value.status, caught.value.code) == (409, "change_not_by_colleague")
    pending.refresh_from_db()
    assert pending.status == ChangeStatus.PENDING
    assert AuditLog.objects.filter(
        action="denied:applicants.person_change_approve", actor=colleague
    ).exists()


# --- M2: codes within hourly limits, supersessions audited -----------------------------------


def test_codes_per_person_are_limited_per_hour_across_superseded_changes(
    person, clerk, centre, settings, django_capture_on_commit_callbacks
):
    settings.PERSON_CHANGE_CODES_PER_HOUR = 3
    for serial in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            ask_phone(person, clerk, centre, phone=f"1391234560{serial}")
    assert recipients() == [OLD_PHONE] * 3
    with pytest.raises(ApplicationError) as caught:
        ask_phone(person, clerk, centre, phone="13912345699")
    assert (caught.value.status, caught.value.code) == (429, "too_many_codes_per_hour")
    assert recipients() == [OLD_PHONE] * 3
    superseded = AuditLog.objects.filter(
        action="applicants.person_change_refuse", detail__status="refused"
    )
    assert superseded.count() == 2
    assert AuditLog.objects.filter(action="denied:applicants.person_change_code_sent").count() == 1


def test_a_resent_code_counts_in_the_hourly_limit(
    person, clerk, centre, settings, django_capture_on_commit_callbacks
):
    settings.PERSON_CHANGE_CODES_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        ask_phone(person, clerk, centre)
    pending = PersonChange.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        person_change_send_code(change_id=pending.pk, actor=clerk)
    with pytest.raises(ApplicationError) as caught:
        person_change_send_code(change_id=pending.pk, actor=clerk)
    assert caught.value.code == "too_many_codes_per_hour"
    assert len(recipients()) == 2


def test_codes_to_one_phone_are_limited_per_hour_across_persons(
    clerk, centre, settings, django_capture_on_commit_callbacks
):
    """Two citizens sharing one registered phone (a family's): it is one target to flood."""
    settings.PERSON_CHANGE_CODES_PER_HOUR = 2
    people = [
        register(clerk, id_number=make_resident_id(serial=60 + i), name=f"王{i}") for i in range(3)
    ]
    for person in people[:2]:
        with django_capture_on_commit_callbacks(execute=True):
            ask_phone(person, clerk, centre, id_number=_number(person))
    with pytest.raises(ApplicationError) as caught:
        ask_phone(people[2], clerk, centre, id_number=_number(people[2]))
    assert caught.value.code == "too_many_codes_per_hour"
    assert recipients() == [OLD_PHONE] * 2


def _number(person):
    from onewindow.applicants.models import PERSON_ID_NUMBER_CONTEXT
    from onewindow.core import crypto

    return crypto.decrypt(person.id_number_encrypted, context=PERSON_ID_NUMBER_CONTEXT)
