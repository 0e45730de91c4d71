"""Reads for applicants. Every read of a person's data is audited (see ``services.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.applicants.access import check_read_reason, require_personal_data_reader
from onewindow.applicants.identifiers import (
    AgeBand,
    age_band,
    check_phone,
    resident_id_facts,
)
from onewindow.applicants.models import (
    PERSON_ID_NUMBER_CONTEXT,
    ChangeStatus,
    IdType,
    Person,
    PersonChange,
)
from onewindow.applicants.services import (
    change_for_reader,
    person_differences,
    prefill_load,
)
from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList

PERSON_PROFILE = "applicants.person_profile"


@dataclass
class PersonProfile:
    """What a window shows after an ID is swiped: masked identifiers, derived facts and the
    remembered form values ("fill once").

    ``cases`` is empty here: the cases app, which depends on this one, fills it with the
    person's earlier cases across all departments (its own selector wraps this one).
    """

    person_id: int
    name: str
    id_type: str
    id_type_label: str
    id_number_masked: str
    phone_masked: str
    address_masked: str
    gender: str
    gender_label: str
    # The age band only (``identifiers.AgeBand``), never the birth date or the exact age: with
    # the mask's last four digits those would narrow down the hidden eight.
    age_band: str
    age_band_label: str
    region_code: str
    prefill: dict[str, str]
    cases: list[Any] = field(default_factory=list)


def _age_band(person: Person) -> AgeBand | None:
    """The age band of a resident-ID holder, from the encrypted ID number (inside the caller's
    audited read); ``None`` for other documents."""
    if person.id_type != IdType.RESIDENT_ID:
        return None
    number = crypto.decrypt(person.id_number_encrypted, context=PERSON_ID_NUMBER_CONTEXT)
    return age_band(resident_id_facts(number).birth_date, timezone.localdate())


def person_profile(
    *, person: Person, actor: Any, purpose: str, case_number: str = ""
) -> PersonProfile:
    """The profile of ``person`` for a window; one audit row ``applicants.person_profile``
    with the purpose, case number and masked ID. Refused (and audited) for staff without a
    role that reads personal data."""
    errors = ErrorList()
    reason = check_read_reason(errors, purpose=purpose, case_number=case_number)
    errors.raise_if_any(_("The request to see personal data is not valid."))
    detail: dict[str, Any] = {**reason.as_detail(), "id_number_masked": person.id_number_masked}
    require_personal_data_reader(actor, action=PERSON_PROFILE, detail=detail, obj=person)
    with transaction.atomic():
        stored = Person.objects.get(pk=person.pk)
        band = _age_band(stored)
        profile = PersonProfile(
            person_id=stored.pk,
            name=stored.name,
            id_type=stored.id_type,
            id_type_label=str(stored.get_id_type_display()),
            id_number_masked=stored.id_number_masked,
            phone_masked=stored.phone_masked,
            address_masked=stored.address_masked,
            gender=stored.gender,
            gender_label=str(stored.get_gender_display()) if stored.gender else "",
            age_band=band.value if band else "",
            age_band_label=str(band.label) if band else "",
            region_code=stored.region_code,
            prefill=prefill_load(stored),
        )
        audit_record(actor=actor, action=PERSON_PROFILE, obj=stored, detail=detail)
    return profile


def person_pending_changes(*, person_id: int) -> list[PersonChange]:
    """The changes of this person's details still waiting for a code or a colleague (masked
    values only are meant for screens), newest first."""
    return list(
        PersonChange.objects.filter(
            person_id=person_id, status=ChangeStatus.PENDING, expires_at__gt=timezone.now()
        ).select_related("requested_by", "centre")
    )


PERSON_DETAILS_COMPARE = "applicants.person_details_compare"
PERSON_CHANGE_READ = "applicants.person_change_read"


def person_details_changing(
    *,
    person: Person,
    name: str,
    phone: str = "",
    address: str = "",
    actor: Any,
) -> list[str]:
    """Which of name / phone / address, as typed, differ from those of ``person`` — the
    applicant the caller identified before in an audited look-up (there is no look-up by
    document here): what a change page asks the checks for. For personal-data readers only
    (audited 403); one audit row ``applicants.person_details_compare`` naming the fields.
    Returns field names only, never a value."""
    detail: dict[str, Any] = {"id_number_masked": person.id_number_masked}
    require_personal_data_reader(actor, action=PERSON_DETAILS_COMPARE, detail=detail, obj=person)
    errors = ErrorList()
    canonical_phone = check_phone(errors, phone=phone)
    if errors:
        return []
    with transaction.atomic():
        stored = Person.objects.get(pk=person.pk)
        fields = list(
            person_differences(
                stored,
                name=(name or "").strip(),
                phone=canonical_phone,
                address=(address or "").strip(),
            )
        )
        audit_record(
            actor=actor,
            action=PERSON_DETAILS_COMPARE,
            obj=stored,
            object_repr=stored.id_number_masked,
            detail={**detail, "fields": fields},
        )
    return fields


def person_change_get(*, change_id: int, actor: Any) -> PersonChange:
    """One change of identity details (masked values) for a colleague asked to approve it: for
    the requester and staff holding a personal-data role at its centre; a missing change and
    another centre's answer ``NotFoundOrForbidden`` alike (audited). The read itself (masked
    values, requester, reason) is audited as ``applicants.person_change_read``."""
    change = change_for_reader(actor, action=PERSON_CHANGE_READ, change_id=change_id)
    audit_record(
        actor=actor,
        action=PERSON_CHANGE_READ,
        obj=change.person,
        object_repr=change.person.id_number_masked,
        detail={
            "change": change.pk,
            "field": change.field,
            "status": change.status,
            "id_number_masked": change.person.id_number_masked,
        },
    )
    return change
