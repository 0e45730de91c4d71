"""The system reads an applicant's mobile to send the applicant's own notice: decrypted here,
normalised to 11 digits, fixed lines refused, every read audited with the masked phone only."""

import pytest

from onewindow.applicants.services import applicant_mobile_for_notice
from onewindow.core import crypto
from onewindow.core.models import AuditLog
from onewindow.testing.factories import create_organisation, create_person, make_resident_id

pytestmark = pytest.mark.django_db

REFERENCE = {"case_number": "44010320261102000001", "event": 7}


def reads():
    return list(
        AuditLog.objects.filter(action="notify.recipient_read")
        .order_by("id")
        .values_list("actor", "object_type", "object_id", "detail")
    )


def test_a_persons_mobile_is_read_for_the_notice_and_audited_masked():
    person = create_person(phone="138 0013 8000")
    before = AuditLog.objects.count()
    phone = applicant_mobile_for_notice(person=person, purpose="notify", reference=REFERENCE)
    assert phone == "13800138000"
    assert reads() == [
        (
            None,
            "applicants.person",
            str(person.pk),
            {**REFERENCE, "purpose": "notify", "phone": "138****8000"},
        )
    ]
    assert AuditLog.objects.count() == before + 1
    assert "13800138000" not in str(reads()) + AuditLog.objects.last().object_repr


def test_an_organisations_contact_mobile_is_read_and_a_fixed_line_gives_nothing():
    mobile = create_organisation(contact_phone="+86 139 1234 5678")
    landline = create_organisation(name="另一家公司", contact_phone="020-81234567")
    assert (
        applicant_mobile_for_notice(organisation=mobile, purpose="notify", reference=REFERENCE)
        == "13912345678"
    )
    assert (
        applicant_mobile_for_notice(organisation=landline, purpose="notify", reference=REFERENCE)
        == ""
    )
    # Both phones were decrypted, so both reads are on record (masked).
    assert [(row[2], row[3]["phone"]) for row in reads()] == [
        (str(mobile.pk), "139****5678"),
        (str(landline.pk), "020****4567"),
    ]


def test_a_legacy_86_prefix_is_dropped():
    person = create_person(id_number=make_resident_id(serial=12))
    person.phone_encrypted = crypto.encrypt("8613800138000", context="applicants.person.phone")
    person.save()
    assert (
        applicant_mobile_for_notice(person=person, purpose="notify", reference=REFERENCE)
        == "13800138000"
    )


def test_without_a_phone_nothing_is_read_or_audited():
    person = create_person(phone="")
    assert applicant_mobile_for_notice(person=person, purpose="notify", reference=REFERENCE) == ""
    assert reads() == []


@pytest.mark.parametrize("which", ["both", "neither"])
def test_exactly_one_applicant_is_given(which):
    person = create_person()
    organisation = create_organisation()
    given = {"person": person, "organisation": organisation} if which == "both" else {}
    with pytest.raises(ValueError, match="exactly one"):
        applicant_mobile_for_notice(**given, purpose="notify", reference=REFERENCE)
    assert reads() == []
