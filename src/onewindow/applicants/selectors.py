"""Reads for applicants. Every read of a person's data is audited (see ``services.py``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.applicants.access import check_read_reason, require_personal_data_reader
from onewindow.applicants.identifiers import age_on
from onewindow.applicants.models import Person
from onewindow.applicants.services import _prefill_load
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
    birth_date: datetime.date | None
    age: int | None
    region_code: str
    prefill: dict[str, str]
    cases: list[Any] = field(default_factory=list)


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
            birth_date=stored.birth_date,
            age=age_on(stored.birth_date, timezone.localdate()) if stored.birth_date else None,
            region_code=stored.region_code,
            prefill=_prefill_load(stored),
        )
        audit_record(actor=actor, action=PERSON_PROFILE, obj=stored, detail=detail)
    return profile
