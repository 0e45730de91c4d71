"""Writes for applicants, and the audited look-ups and reveals of their personal data.

Invariants:
- an ID number, phone, address or remembered form value is stored only encrypted; lookups go
  through the blind index; screens get the masked forms stored beside them;
- every read of a person's data (look-up, reveal, remembered values, profile) writes exactly
  one audit row — who, when, purpose, case number and the *masked* ID, never a clear value;
- reads are for staff holding a window, department, manager or hotline role
  (``Action.PERSON_READ`` in ``org.permissions``); a refusal is audited and reveals nothing;
- bad input raises ``ValidationFailed`` with one ``FieldError`` per problem and writes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.applicants.access import check_read_reason, require_personal_data_reader
from onewindow.applicants.identifiers import (
    ADDRESS_MAX_LENGTH,
    MOBILE_RE,
    NAME_MAX_LENGTH,
    ORGANISATION_NAME_MAX_LENGTH,
    check_document_number,
    check_phone,
    check_text,
    check_uscc,
    mask_address,
    mask_document_number,
    normalise_phone,
    resident_id_facts,
)
from onewindow.applicants.models import (
    ID_NUMBER_INDEX_CONTEXT,
    ORGANISATION_PHONE_CONTEXT,
    ORGANISATION_REPRESENTATIVE_ID_CONTEXT,
    PERSON_ADDRESS_CONTEXT,
    PERSON_ID_NUMBER_CONTEXT,
    PERSON_PHONE_CONTEXT,
    PERSON_PREFILL_CONTEXT,
    PHONE_INDEX_CONTEXT,
    IdType,
    Organisation,
    Person,
)
from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList

PERSON_REGISTER = "applicants.person_register"
PERSON_LOOKUP = "applicants.person_lookup"
PERSON_REVEAL = "applicants.person_reveal"
PERSON_PREFILL_UPDATE = "applicants.person_prefill_update"
PERSON_PREFILL_READ = "applicants.person_prefill_read"
ORGANISATION_REGISTER = "applicants.organisation_register"
ORGANISATION_LOOKUP = "applicants.organisation_lookup"
ORGANISATION_REVEAL = "applicants.organisation_reveal"
# The system reading an applicant's mobile to send the applicant's own notice. The name predates
# this service (notify used to read the phone itself); kept so the audit trail stays one series.
NOTICE_RECIPIENT_READ = "notify.recipient_read"

PERSON_REVEALABLE = {
    "id_number": ("id_number_encrypted", PERSON_ID_NUMBER_CONTEXT),
    "phone": ("phone_encrypted", PERSON_PHONE_CONTEXT),
    "address": ("address_encrypted", PERSON_ADDRESS_CONTEXT),
}
ORGANISATION_REVEALABLE = {
    "legal_representative_id": (
        "legal_representative_id_encrypted",
        ORGANISATION_REPRESENTATIVE_ID_CONTEXT,
    ),
    "contact_phone": ("contact_phone_encrypted", ORGANISATION_PHONE_CONTEXT),
}
PREFILL_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
PREFILL_VALUE_MAX_LENGTH = 1000
PREFILL_MAX_KEYS = 100


# ---------------------------------------------------------------------------------------------
# Natural persons


def _person_set_phone(person: Person, phone: str) -> None:
    person.phone_encrypted = crypto.encrypt(phone, context=PERSON_PHONE_CONTEXT)
    person.phone_index = crypto.blind_index(phone, context=PHONE_INDEX_CONTEXT)
    person.phone_masked = crypto.mask_phone(phone)


def _person_set_address(person: Person, address: str) -> None:
    person.address_encrypted = crypto.encrypt(address, context=PERSON_ADDRESS_CONTEXT)
    person.address_masked = mask_address(address)


def _person_address(person: Person) -> str:
    if not person.address_encrypted:
        return ""
    return crypto.decrypt(person.address_encrypted, context=PERSON_ADDRESS_CONTEXT)


def _person_new(*, id_type: str, number: str, index: str, name: str) -> Person:
    person = Person(
        name=name,
        id_type=id_type,
        id_number_encrypted=crypto.encrypt(number, context=PERSON_ID_NUMBER_CONTEXT),
        id_number_index=index,
        id_number_masked=mask_document_number(id_type=id_type, number=number),
    )
    if id_type == IdType.RESIDENT_ID:
        facts = resident_id_facts(number)
        person.birth_date = facts.birth_date
        person.gender = facts.gender
        person.region_code = facts.region_code
    return person


def _person_apply(person: Person, *, name: str, phone: str, address: str) -> list[str]:
    """Set the given values on ``person``; the names of the fields that changed."""
    changed = []
    if name and name != person.name:
        person.name = name
        changed.append("name")
    if phone and crypto.blind_index(phone, context=PHONE_INDEX_CONTEXT) != person.phone_index:
        _person_set_phone(person, phone)
        changed.append("phone")
    if address and address != _person_address(person):
        _person_set_address(person, address)
        changed.append("address")
    return changed


PERSON_COLUMNS = {
    "name": ["name"],
    "phone": ["phone_encrypted", "phone_index", "phone_masked"],
    "address": ["address_encrypted", "address_masked"],
}


def person_register(
    *,
    id_type: str,
    id_number: str,
    name: str,
    phone: str = "",
    address: str = "",
    actor: Any,
) -> Person:
    """Register a natural person, or update the one with this document (upsert).

    The document number is normalised (full-width, spaces, lower-case x) and checked (a
    resident ID with python-stdnum ``cn.ric``: length, check digit, birth date, region).
    For an existing person the name, and the phone and address when given, replace the stored
    ones. Gender, birth date and region come from a resident ID. One audit row
    ``applicants.person_register`` says whether the person was created and which fields changed.
    """
    errors = ErrorList()
    number = check_document_number(errors, id_type=id_type, id_number=id_number)
    name = check_text(
        errors,
        field="name",
        value=name,
        max_length=NAME_MAX_LENGTH,
        required_message=_("Enter the name."),
    )
    phone = check_phone(errors, phone=phone)
    address = check_text(errors, field="address", value=address, max_length=ADDRESS_MAX_LENGTH)
    errors.raise_if_any(_("The applicant's details are not valid."))

    index = crypto.blind_index(number, context=ID_NUMBER_INDEX_CONTEXT)
    with transaction.atomic():
        existing = Person.objects.select_for_update().filter(id_type=id_type, id_number_index=index)
        person = existing.first()
        created = person is None
        if person is None:
            try:
                # A savepoint: another window may register the same person at this moment.
                with transaction.atomic():
                    person = _person_new(id_type=id_type, number=number, index=index, name=name)
                    _person_apply(person, name=name, phone=phone, address=address)
                    person.save()
            except IntegrityError:
                created = False
                person = existing.get()
        changed: list[str] = []
        if not created:
            changed = _person_apply(person, name=name, phone=phone, address=address)
            if changed:
                columns = [column for field in changed for column in PERSON_COLUMNS[field]]
                person.save(update_fields=[*columns, "updated_at"])
        audit_record(
            actor=actor,
            action=PERSON_REGISTER,
            obj=person,
            detail={
                "created": created,
                "changed": changed,
                "id_type": person.id_type,
                "id_number_masked": person.id_number_masked,
            },
        )
    return person


def person_find_by_id_number(
    *, id_type: str, id_number: str, actor: Any, purpose: str, case_number: str = ""
) -> Person | None:
    """The person holding this document, found by blind index — a swiped or typed ID.

    Writes one audit row ``applicants.person_lookup`` (found or not) with the purpose, the
    case number and the masked number.
    """
    errors = ErrorList()
    number = check_document_number(errors, id_type=id_type, id_number=id_number)
    reason = check_read_reason(errors, purpose=purpose, case_number=case_number)
    errors.raise_if_any(_("The look-up is not valid."))

    masked = mask_document_number(id_type=id_type, number=number)
    detail: dict[str, Any] = {
        **reason.as_detail(),
        "id_type": id_type,
        "id_number_masked": masked,
    }
    require_personal_data_reader(
        actor,
        action=PERSON_LOOKUP,
        detail=detail,
        object_type="applicants.person",
        object_repr=masked,
    )
    index = crypto.blind_index(number, context=ID_NUMBER_INDEX_CONTEXT)
    with transaction.atomic():
        person = Person.objects.filter(id_type=id_type, id_number_index=index).first()
        audit_record(
            actor=actor,
            action=PERSON_LOOKUP,
            obj=person,
            object_type="applicants.person",
            object_repr=str(person) if person else masked,
            detail={**detail, "found": person is not None},
        )
    return person


def _check_field(errors: ErrorList, *, field: str, allowed: dict[str, Any]) -> None:
    if field not in allowed:
        errors.add(
            "field",
            "invalid_choice",
            _("Only these fields can be revealed: %(fields)s."),
            fields=", ".join(allowed),
        )


def person_reveal(
    *, person: Person, field: str, actor: Any, purpose: str, case_number: str = ""
) -> str:
    """The clear value of one field (``id_number``, ``phone`` or ``address``; ``""`` if none).

    For staff who need it (to check a paper against the ID, to call the person); one audit
    row ``applicants.person_reveal`` with the field, purpose and case number. A refusal is
    audited as ``denied:applicants.person_reveal`` and reveals nothing.
    """
    errors = ErrorList()
    _check_field(errors, field=field, allowed=PERSON_REVEALABLE)
    reason = check_read_reason(errors, purpose=purpose, case_number=case_number)
    errors.raise_if_any(_("The request to see personal data is not valid."))

    detail: dict[str, Any] = {
        **reason.as_detail(),
        "field": field,
        "id_number_masked": person.id_number_masked,
    }
    require_personal_data_reader(actor, action=PERSON_REVEAL, detail=detail, obj=person)
    column, context = PERSON_REVEALABLE[field]
    with transaction.atomic():
        token = Person.objects.filter(pk=person.pk).values_list(column, flat=True).get()
        value = crypto.decrypt(token, context=context) if token else ""
        audit_record(actor=actor, action=PERSON_REVEAL, obj=person, detail=detail)
    return value


def _prefill_load(person: Person) -> dict[str, str]:
    if not person.prefill_encrypted:
        return {}
    values: dict[str, str] = json.loads(
        crypto.decrypt(person.prefill_encrypted, context=PERSON_PREFILL_CONTEXT)
    )
    return values


def person_prefill_update(*, person: Person, values: dict[str, str], actor: Any) -> None:
    """Remember form values the person gave ("fill once"): merged into what was there.

    Keys are snake_case names (``workplace``, ``marital_status``); a blank value is ignored,
    so a form that did not ask for a field does not erase it. The audit row
    ``applicants.person_prefill_update`` lists the keys that changed, never the values.
    """
    errors = ErrorList()
    cleaned: dict[str, str] = {}
    for key, value in values.items():
        if not isinstance(key, str) or not PREFILL_KEY_RE.fullmatch(key):
            errors.add(
                "values",
                "invalid_key",
                _(
                    "A remembered field name is lower-case letters, digits and underscores "
                    "(got %(key)s)."
                ),
                key=str(key)[:70],
            )
            continue
        if not isinstance(value, str):
            errors.add(key, "invalid_value", _("A remembered value must be text."))
            continue
        text = value.strip()
        if len(text) > PREFILL_VALUE_MAX_LENGTH:
            errors.add(
                key,
                "too_long",
                _("At most %(max_length)s characters are allowed."),
                max_length=PREFILL_VALUE_MAX_LENGTH,
            )
        elif text:
            cleaned[key] = text
    errors.raise_if_any(_("The remembered form values are not valid."))

    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        current = _prefill_load(locked)
        changed = sorted(key for key, text in cleaned.items() if current.get(key) != text)
        current.update(cleaned)
        if len(current) > PREFILL_MAX_KEYS:
            too_many = ErrorList()
            too_many.add(
                "values",
                "too_many",
                _("At most %(count)s form values are remembered for a person."),
                count=PREFILL_MAX_KEYS,
            )
            too_many.raise_if_any(_("The remembered form values are not valid."))
        if changed:
            locked.prefill_encrypted = crypto.encrypt(
                json.dumps(current, ensure_ascii=False, sort_keys=True),
                context=PERSON_PREFILL_CONTEXT,
            )
            locked.save(update_fields=["prefill_encrypted", "updated_at"])
            person.prefill_encrypted = locked.prefill_encrypted
        audit_record(
            actor=actor,
            action=PERSON_PREFILL_UPDATE,
            obj=locked,
            detail={"keys": changed, "id_number_masked": locked.id_number_masked},
        )


def person_prefill(
    *, person: Person, actor: Any, purpose: str, case_number: str = ""
) -> dict[str, str]:
    """The remembered form values of ``person``, to pre-fill a new application.

    One audit row ``applicants.person_prefill_read`` with the keys read, never the values.
    """
    errors = ErrorList()
    reason = check_read_reason(errors, purpose=purpose, case_number=case_number)
    errors.raise_if_any(_("The request to see personal data is not valid."))
    detail: dict[str, Any] = {**reason.as_detail(), "id_number_masked": person.id_number_masked}
    require_personal_data_reader(actor, action=PERSON_PREFILL_READ, detail=detail, obj=person)
    with transaction.atomic():
        stored = Person.objects.get(pk=person.pk)
        values = _prefill_load(stored)
        audit_record(
            actor=actor,
            action=PERSON_PREFILL_READ,
            obj=person,
            detail={**detail, "keys": sorted(values)},
        )
    return values


# ---------------------------------------------------------------------------------------------
# Legal persons


def _organisation_set_representative_id(
    organisation: Organisation, *, id_type: str, number: str
) -> None:
    organisation.legal_representative_id_type = id_type
    organisation.legal_representative_id_encrypted = crypto.encrypt(
        number, context=ORGANISATION_REPRESENTATIVE_ID_CONTEXT
    )
    organisation.legal_representative_id_index = crypto.blind_index(
        number, context=ID_NUMBER_INDEX_CONTEXT
    )
    organisation.legal_representative_id_masked = mask_document_number(
        id_type=id_type, number=number
    )


def _organisation_set_phone(organisation: Organisation, phone: str) -> None:
    organisation.contact_phone_encrypted = crypto.encrypt(phone, context=ORGANISATION_PHONE_CONTEXT)
    organisation.contact_phone_index = crypto.blind_index(phone, context=PHONE_INDEX_CONTEXT)
    organisation.contact_phone_masked = crypto.mask_phone(phone)


def _organisation_apply(
    organisation: Organisation,
    *,
    name: str,
    legal_representative_name: str,
    address: str,
    legal_representative_id_type: str,
    legal_representative_id: str,
    contact_phone: str,
) -> list[str]:
    """Set the given (non-blank) values; the names of the fields that changed."""
    changed = []
    for attribute, value in (
        ("name", name),
        ("legal_representative_name", legal_representative_name),
        ("address", address),
    ):
        if value and value != getattr(organisation, attribute):
            setattr(organisation, attribute, value)
            changed.append(attribute)
    if legal_representative_id and (
        crypto.blind_index(legal_representative_id, context=ID_NUMBER_INDEX_CONTEXT)
        != organisation.legal_representative_id_index
        or legal_representative_id_type != organisation.legal_representative_id_type
    ):
        _organisation_set_representative_id(
            organisation, id_type=legal_representative_id_type, number=legal_representative_id
        )
        changed.append("legal_representative_id")
    if contact_phone and (
        crypto.blind_index(contact_phone, context=PHONE_INDEX_CONTEXT)
        != organisation.contact_phone_index
    ):
        _organisation_set_phone(organisation, contact_phone)
        changed.append("contact_phone")
    return changed


def organisation_register(
    *,
    uscc: str,
    name: str,
    legal_representative_name: str,
    legal_representative_id: str = "",
    legal_representative_id_type: str = IdType.RESIDENT_ID,
    contact_phone: str = "",
    address: str = "",
    actor: Any,
) -> Organisation:
    """Register a legal person, or update the one with this code (upsert).

    The unified social credit code is checked with python-stdnum ``cn.uscc``. The legal
    representative's document number and the contact phone are stored like a person's
    (encrypted, blind index, masked); blank ones leave the stored values alone. One audit row
    ``applicants.organisation_register``.
    """
    errors = ErrorList()
    code = check_uscc(errors, uscc=uscc)
    name = check_text(
        errors,
        field="name",
        value=name,
        max_length=ORGANISATION_NAME_MAX_LENGTH,
        required_message=_("Enter the name."),
    )
    representative = check_text(
        errors,
        field="legal_representative_name",
        value=legal_representative_name,
        max_length=NAME_MAX_LENGTH,
        required_message=_("Enter the legal representative's name."),
    )
    representative_id = ""
    if (legal_representative_id or "").strip():
        representative_id = check_document_number(
            errors,
            id_type=legal_representative_id_type,
            id_number=legal_representative_id,
            field="legal_representative_id",
        )
    phone = check_phone(errors, phone=contact_phone, field="contact_phone")
    address = check_text(errors, field="address", value=address, max_length=ADDRESS_MAX_LENGTH)
    errors.raise_if_any(_("The organisation's details are not valid."))

    values = {
        "name": name,
        "legal_representative_name": representative,
        "address": address,
        "legal_representative_id_type": legal_representative_id_type,
        "legal_representative_id": representative_id,
        "contact_phone": phone,
    }
    with transaction.atomic():
        existing = Organisation.objects.select_for_update().filter(uscc=code)
        organisation = existing.first()
        created = organisation is None
        if organisation is None:
            try:
                # A savepoint: another window may register the same code at this moment.
                with transaction.atomic():
                    organisation = Organisation(uscc=code)
                    _organisation_apply(organisation, **values)
                    organisation.save()
            except IntegrityError:
                created = False
                organisation = existing.get()
        changed: list[str] = []
        if not created:
            changed = _organisation_apply(organisation, **values)
            if changed:
                organisation.save()
        audit_record(
            actor=actor,
            action=ORGANISATION_REGISTER,
            obj=organisation,
            detail={
                "created": created,
                "changed": changed,
                "legal_representative_id_masked": organisation.legal_representative_id_masked,
            },
        )
    return organisation


def organisation_find(
    *, uscc: str, actor: Any, purpose: str, case_number: str = ""
) -> Organisation | None:
    """The organisation with this unified social credit code; audited
    (``applicants.organisation_lookup``, found or not), as it carries a representative's data."""
    errors = ErrorList()
    code = check_uscc(errors, uscc=uscc)
    reason = check_read_reason(errors, purpose=purpose, case_number=case_number)
    errors.raise_if_any(_("The look-up is not valid."))
    detail: dict[str, Any] = {**reason.as_detail(), "uscc": code}
    require_personal_data_reader(
        actor,
        action=ORGANISATION_LOOKUP,
        detail=detail,
        object_type="applicants.organisation",
        object_repr=code,
    )
    with transaction.atomic():
        organisation = Organisation.objects.filter(uscc=code).first()
        audit_record(
            actor=actor,
            action=ORGANISATION_LOOKUP,
            obj=organisation,
            object_type="applicants.organisation",
            object_repr=str(organisation) if organisation else code,
            detail={**detail, "found": organisation is not None},
        )
    return organisation


def organisation_reveal(
    *,
    organisation: Organisation,
    field: str,
    actor: Any,
    purpose: str,
    case_number: str = "",
) -> str:
    """The clear legal representative's document number or contact phone; audited like
    ``person_reveal`` (``applicants.organisation_reveal``)."""
    errors = ErrorList()
    _check_field(errors, field=field, allowed=ORGANISATION_REVEALABLE)
    reason = check_read_reason(errors, purpose=purpose, case_number=case_number)
    errors.raise_if_any(_("The request to see personal data is not valid."))
    detail: dict[str, Any] = {
        **reason.as_detail(),
        "field": field,
        "uscc": organisation.uscc,
        "legal_representative_id_masked": organisation.legal_representative_id_masked,
    }
    require_personal_data_reader(actor, action=ORGANISATION_REVEAL, detail=detail, obj=organisation)
    column, context = ORGANISATION_REVEALABLE[field]
    with transaction.atomic():
        token = Organisation.objects.filter(pk=organisation.pk).values_list(column, flat=True).get()
        value = crypto.decrypt(token, context=context) if token else ""
        audit_record(actor=actor, action=ORGANISATION_REVEAL, obj=organisation, detail=detail)
    return value


# ---------------------------------------------------------------------------------------------
# Notices to the applicant


def _mobile_only(phone: str) -> str:
    canonical = normalise_phone(phone)
    if canonical and MOBILE_RE.fullmatch(canonical):
        return canonical
    digits = crypto.normalise_identifier(phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE_RE.fullmatch(digits) else ""


def applicant_mobile_for_notice(
    *,
    person: Person | None = None,
    organisation: Organisation | None = None,
    purpose: str,
    reference: Mapping[str, Any],
) -> str:
    """The 11-digit mobile number of ``person`` (their phone) or of ``organisation`` (its
    contact phone) in clear, to send the applicant a notice; ``""`` when there is no phone or
    it is a fixed line (SMS reaches mobiles only).

    Exactly one of ``person`` / ``organisation``. This is the system acting for the applicant,
    not a staff member looking, so no role is required; the number must only be handed to a
    gateway, never shown. When a phone is stored, one audit row ``notify.recipient_read``
    (no actor) with ``purpose``, the caller's ``reference`` (e.g. case number and event) and
    the masked phone — never the clear one.
    """
    if (person is None) == (organisation is None):
        raise ValueError("give exactly one of person and organisation")
    if not purpose:
        raise ValueError("a purpose is required")
    source: Person | Organisation
    if organisation is not None:
        source = organisation
        token, context = organisation.contact_phone_encrypted, ORGANISATION_PHONE_CONTEXT
        masked = organisation.contact_phone_masked
    else:
        assert person is not None
        source = person
        token, context, masked = person.phone_encrypted, PERSON_PHONE_CONTEXT, person.phone_masked
    if not token:
        return ""
    phone = crypto.decrypt(token, context=context)
    audit_record(
        actor=None,
        action=NOTICE_RECIPIENT_READ,
        obj=source,
        detail={**reference, "purpose": purpose, "phone": masked},
    )
    return _mobile_only(phone)
