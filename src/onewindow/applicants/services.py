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

import datetime as dt
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
    mask_name,
    normalise_phone,
    resident_id_facts,
)
from onewindow.applicants.identity import NOT_CONFIGURED, identity_verifier
from onewindow.applicants.models import (
    ID_NUMBER_INDEX_CONTEXT,
    ORGANISATION_PHONE_CONTEXT,
    ORGANISATION_REPRESENTATIVE_ID_CONTEXT,
    PERSON_ADDRESS_CONTEXT,
    PERSON_CHANGE_CODE_CONTEXT,
    PERSON_CHANGE_NEW_CONTEXT,
    PERSON_CHANGE_OLD_CONTEXT,
    PERSON_ID_NUMBER_CONTEXT,
    PERSON_PHONE_CONTEXT,
    PERSON_PREFILL_CONTEXT,
    PHONE_INDEX_CONTEXT,
    ChangeField,
    ChangeMethod,
    ChangeStatus,
    IdType,
    Organisation,
    Person,
    PersonChange,
    PersonChangeCodeSend,
)
from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.errors import (
    ApplicationError,
    ErrorList,
    NotFoundOrForbidden,
    PermissionDenied,
    ValidationFailed,
)
from onewindow.core.models import AuditLog
from onewindow.notify.services import message_enqueue
from onewindow.org.models import RoleAssignment, ServiceCentre
from onewindow.org.permissions import RULES, Action

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
    reason: str = "",
    identity_check: str = "",
    phone_confirmation: str = "",
    centre: ServiceCentre | None = None,
    looked_up: Person | None = None,
    at_window: bool = True,
) -> Person:
    """Register a new natural person, or ask to change the details of one looked up before.

    The caller's personal-data role is checked first, before anything given is looked at
    (audited 403). The document number is normalised (full-width, spaces, lower-case x) and
    checked (a resident ID with python-stdnum ``cn.ric``: length, check digit, birth date,
    region). Gender and region come from a resident ID (the birth date is not stored: it is
    what the ID's mask hides).

    A new person needs an identity check like a new name: ``identity_check="card_read"``
    (the clerk attests the card's chip was read at the window; only when ``at_window``) or
    ``"identity_service"`` (the configured ``applicants.identity`` backend confirms the name
    belongs to the document). The API passes ``at_window=False``: it has no card reader.

    A document already registered is compared with the given details only when the caller
    looked that person up first in an audited look-up and passes it as ``looked_up`` (the
    intake page: the person of its identify step; the API: the person of a look-up token).
    Otherwise the answer is 409 ``already_registered`` — audited as a look-up that found
    someone — and never says which details differ. For a looked-up person, a name, phone or
    address that differs is a change of identity details and is never applied silently (see
    "Changes of identity details" below): it needs a ``reason``; a new name needs an
    ``identity_check``; a new phone becomes a pending change, confirmed by a code sent to the
    *registered* phone (``phone_confirmation="code"``: the citizen agrees) or, when there is
    none or the citizen no longer has it, by the ID card read at the window and a second staff
    member's approval at ``centre`` (``"colleague"``); a new address is applied with its
    history. A missing requirement raises ``ValidationFailed`` naming each field and changes
    nothing. Every attempt on a known document, refused or not, writes one audit row
    ``applicants.person_register`` (found, the fields asked to change, the outcome).
    """
    require_personal_data_reader(
        actor,
        action=PERSON_REGISTER,
        detail={"id_type": str(id_type)[:8]},
        object_type="applicants.person",
    )
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
    reason = check_text(errors, field="reason", value=reason, max_length=CHANGE_REASON_MAX_LENGTH)
    _check_identity_choice(errors, identity_check=identity_check, at_window=at_window)
    _check_choice(
        errors, field="phone_confirmation", value=phone_confirmation, allowed=PHONE_CONFIRMATIONS
    )
    errors.raise_if_any(_("The applicant's details are not valid."))
    register_refusals_check(actor, action=PERSON_REGISTER, object_type="applicants.person")

    index = crypto.blind_index(number, context=ID_NUMBER_INDEX_CONTEXT)
    wanted = {"name": name, "phone": phone, "address": address}
    stored = Person.objects.filter(id_type=id_type, id_number_index=index).first()
    checked: dict[str, str] = {}
    method = ""
    if stored is not None:
        checked = person_differences(stored, **wanted)
        if looked_up is None or looked_up.pk != stored.pk:
            _register_refused_unlooked(stored, actor=actor, asked=list(checked))
        try:
            method = _change_requirements(
                person=stored,
                differences=checked,
                reason=reason,
                identity_check=identity_check,
                phone_confirmation=phone_confirmation,
                number=number,
                actor=actor,
            )
            if ChangeField.PHONE in checked and phone_confirmation == BY_CODE:
                _code_limit_check(
                    stored,
                    old_phone=_person_phone(stored),
                    actor=actor,
                    detail={"field": ChangeField.PHONE.value},
                )
        except ApplicationError as exc:
            _register_audit(stored, actor=actor, asked=list(checked), outcome=exc.code)
            raise
    else:
        _new_person_identity_check(
            id_type=id_type, number=number, name=name, identity_check=identity_check, actor=actor
        )
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
        applied: list[str] = []
        waiting: list[str] = []
        if not created:
            differences = person_differences(person, **wanted)
            if stored is None or set(differences) - set(checked):
                # Someone else registered or changed this person between the check and the
                # lock: what now differs was not checked.
                raise ApplicationError(
                    _(
                        "This applicant's details were changed at another window just now. "
                        "Read the ID card again."
                    ),
                    code="person_changed_meanwhile",
                    status=409,
                )
            applied, waiting = _person_changes_record(
                person,
                differences=differences,
                reason=reason,
                method=method,
                phone_confirmation=phone_confirmation,
                actor=actor,
                centre=centre,
            )
        audit_record(
            actor=actor,
            action=PERSON_REGISTER,
            obj=person,
            detail={
                "created": created,
                "found": not created,
                "identity_check": identity_check if created else method,
                "asked": sorted(checked),
                "changed": applied,
                "pending": waiting,
                "outcome": "created" if created else "changes_recorded",
                "id_type": person.id_type,
                "id_number_masked": person.id_number_masked,
            },
        )
    return person


ALREADY_REGISTERED = _("Already registered: look the applicant up by document number first.")
ORGANISATION_ALREADY_REGISTERED = _(
    "Already registered: look the organisation up by its unified social credit code first."
)

# Refused registers: each 409 ``already_registered`` tells its caller that a document (or a
# USCC) is registered, so an account that collects many is probing, not registering.
REGISTER_REFUSALS_OUTCOME = "already_registered"
REGISTER_REFUSALS_WINDOW = dt.timedelta(hours=1)
TOO_MANY_REGISTER_REFUSALS = _(
    "Too many registrations of applicants who are registered already from your account in "
    "the last hour: look applicants up first, or try again later."
)


def register_refusals_per_hour() -> int:
    return int(getattr(settings, "APPLICANT_REGISTER_REFUSALS_PER_HOUR", 10))


def register_refusals(actor: Any) -> QuerySet[AuditLog]:
    """The account's registers answered ``already_registered`` in the last hour. Found by the
    audit index (actor, action, at): only this account's register rows of the window are read,
    and the outcome in ``detail`` is checked on those few rows alone."""
    return AuditLog.objects.filter(
        actor_id=actor.pk,
        action__in=(PERSON_REGISTER, ORGANISATION_REGISTER),
        at__gte=timezone.now() - REGISTER_REFUSALS_WINDOW,
        allowed=False,
        detail__outcome=REGISTER_REFUSALS_OUTCOME,
    )


def register_refusals_check(actor: Any, *, action: str, object_type: str) -> None:
    """Refuse (429 ``too_many_register_refusals``, audited ``denied:<action>``) a register by
    an account that was answered 409 ``already_registered`` ``APPLICANT_REGISTER_REFUSALS_PER_HOUR``
    (10) times in the last hour, persons and organisations together — before the document is
    looked up, so the refusal says nothing about it. The ledger is the audit trail (shared by
    every worker, kept in the database like ``PersonChangeCodeSend``): each such answer wrote
    one refused register row with that outcome."""
    limit = register_refusals_per_hour()
    refusals = register_refusals(actor).count()
    if refusals < limit:
        return
    audit_record(
        actor=actor,
        action=f"denied:{action}",
        object_type=object_type,
        allowed=False,
        detail={
            "outcome": "too_many_register_refusals",
            "refusals": refusals,
            "limit": limit,
            "window_minutes": int(REGISTER_REFUSALS_WINDOW.total_seconds() // 60),
        },
    )
    raise ApplicationError(
        TOO_MANY_REGISTER_REFUSALS, code="too_many_register_refusals", status=429
    )


def _register_audit(person: Person, *, actor: Any, asked: list[str], outcome: str) -> None:
    """The audit row of a register attempt on a known document that changed nothing."""
    audit_record(
        actor=actor,
        action=PERSON_REGISTER,
        obj=person,
        object_repr=person.id_number_masked,
        allowed=False,
        detail={
            "created": False,
            "found": True,
            "asked": sorted(asked),
            "changed": [],
            "pending": [],
            "outcome": outcome,
            "id_type": person.id_type,
            "id_number_masked": person.id_number_masked,
        },
    )


def _register_refused_unlooked(person: Person, *, actor: Any, asked: list[str]) -> None:
    """A known document registered again without an audited look-up of its holder: it is a
    look-up (audited as one, found), answered 409 without saying which details differ."""
    audit_record(
        actor=actor,
        action=PERSON_LOOKUP,
        obj=person,
        object_repr=person.id_number_masked,
        detail={
            "purpose": "register",
            "case_number": "",
            "id_type": person.id_type,
            "id_number_masked": person.id_number_masked,
            "found": True,
        },
    )
    _register_audit(person, actor=actor, asked=asked, outcome=REGISTER_REFUSALS_OUTCOME)
    raise ApplicationError(ALREADY_REGISTERED, code="already_registered", status=409)


def _check_identity_choice(errors: ErrorList, *, identity_check: str, at_window: bool) -> None:
    if identity_check == CARD_READ and not at_window:
        errors.add(
            "identity_check",
            "card_read_only_at_window",
            _(
                "The ID card is read at a window only: here use the official identity check "
                "(identity_service)."
            ),
        )
        return
    _check_choice(errors, field="identity_check", value=identity_check, allowed=IDENTITY_CHECKS)


def _new_person_identity_check(
    *, id_type: str, number: str, name: str, identity_check: str, actor: Any
) -> None:
    """A new person is registered only with the card read at the window or the official
    identity check agreeing (called outside any transaction); a refusal is audited."""
    masked = mask_document_number(id_type=id_type, number=number)
    outcome = ""
    refused = ErrorList()
    if identity_check not in IDENTITY_CHECKS:
        outcome = "new_person_needs_identity_check"
        refused.add(
            "identity_check",
            outcome,
            _(
                "A new applicant is registered only after the ID card is read at the window or "
                "an official identity check confirms the name."
            ),
        )
    elif identity_check == IDENTITY_SERVICE:
        result = identity_verifier().verify(id_type, number, name)
        if not result.verified:
            outcome = (
                "identity_service_not_configured"
                if result.code == NOT_CONFIGURED
                else "identity_check_refused"
            )
            refused.add(
                "identity_check",
                outcome,
                _(
                    "No official identity service is connected to OneWindow: read the ID card "
                    "at the window."
                )
                if result.code == NOT_CONFIGURED
                else _("The official identity check did not confirm the name; nothing was saved."),
            )
    if not outcome:
        return
    audit_record(
        actor=actor,
        action=PERSON_REGISTER,
        object_type="applicants.person",
        object_repr=masked,
        allowed=False,
        detail={
            "created": False,
            "found": False,
            "outcome": outcome,
            "id_type": id_type,
            "id_number_masked": masked,
        },
    )
    refused.raise_if_any(_("The applicant was not registered."), code=outcome)


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
    # No transaction of its own (issue 8: two statements, not four): a read changes nothing
    # to roll back, and nothing is returned until its audit row is written — a failed insert
    # raises before the caller sees the person. Inside a caller's transaction the row commits
    # with it.
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


def prefill_load(person: Person) -> dict[str, str]:
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
        current = prefill_load(locked)
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
        values = prefill_load(stored)
        audit_record(
            actor=actor,
            action=PERSON_PREFILL_READ,
            obj=person,
            detail={**detail, "keys": sorted(values)},
        )
    return values


CITIZEN_OWN_READ = "applicants.citizen_own_read"


def citizen_own_values(
    *, person: Person, organisation: Organisation | None = None, reference: Mapping[str, Any]
) -> dict[str, str]:
    """What the signed-in citizen's own record holds, in clear, to pre-fill their own online
    application ("fill once"): ``person.name``, ``person.id_number``, ``person.phone``,
    ``person.address`` and, acting for ``organisation``, ``organisation.name``, ``.uscc``,
    ``.address``, ``.legal_rep``. The caller has checked that ``person`` is the account's bound
    person (and may act for ``organisation``). One audit row ``applicants.citizen_own_read``
    (no actor: the citizen is not staff) with the caller's ``reference`` and the keys read."""
    values: dict[str, str] = {"person.name": person.name}
    for field_name, (column, context) in PERSON_REVEALABLE.items():
        token = getattr(person, column)
        if token:
            values[f"person.{field_name}"] = crypto.decrypt(token, context=context)
    if organisation is not None:
        values["organisation.name"] = organisation.name
        values["organisation.uscc"] = organisation.uscc
        values["organisation.legal_rep"] = organisation.legal_representative_name
        if organisation.address:
            values["organisation.address"] = organisation.address
    audit_record(
        actor=None,
        action=CITIZEN_OWN_READ,
        obj=person,
        detail={
            **reference,
            "keys": sorted(values),
            "id_number_masked": person.id_number_masked,
        },
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
    looked_up: Organisation | None = None,
) -> Organisation:
    """Register a legal person, or complete the one with this code that the caller looked up.

    The caller's personal-data role is checked first (audited 403). The unified social credit
    code is checked with python-stdnum ``cn.uscc``. The legal representative's document
    number and the contact phone are stored like a person's (encrypted, blind index, masked).

    A code already registered is completed only when the caller looked that organisation up
    first (``organisation_find``, audited with a purpose) and passes it as ``looked_up`` (the
    API: the organisation of an ``organisation_token``). Otherwise the answer is 409
    ``already_registered`` — audited as a look-up that found it (purpose ``register``) plus a
    refused register row — and counts towards the account's limit of refused registers
    (``register_refusals_check``).

    An organisation's registry data is the registration authority's (市场监管, the USCC
    registry): a window fills the blank fields of a known organisation, but a name, business
    address, legal representative (name, document) or contact phone — where its messages go —
    that differs from a non-blank stored one is refused with 409
    ``organisation_change_refused`` naming the fields, audited, nothing changed. Blank values
    leave the stored ones alone. One audit row ``applicants.organisation_register`` either way.
    """
    require_personal_data_reader(
        actor,
        action=ORGANISATION_REGISTER,
        detail={},
        object_type="applicants.organisation",
    )
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
    register_refusals_check(
        actor, action=ORGANISATION_REGISTER, object_type="applicants.organisation"
    )

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
        refused: list[str] = []
        unlooked = not created and (looked_up is None or looked_up.pk != organisation.pk)
        if not created and not unlooked:
            refused = _organisation_registry_conflicts(organisation, **values)
        if not refused and not unlooked:
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
    # Outside the transaction: the refusal's audit rows stay.
    if unlooked:
        raise _organisation_refused_unlooked(organisation, actor=actor)
    if refused:
        raise _organisation_change_refused(organisation, actor=actor, fields=refused)
    return organisation


def _organisation_refused_unlooked(organisation: Organisation, *, actor: Any) -> ApplicationError:
    """A known code registered again without an audited look-up of it: it is a look-up
    (audited as one, found), answered 409 without saying which details differ."""
    audit_record(
        actor=actor,
        action=ORGANISATION_LOOKUP,
        obj=organisation,
        object_repr=str(organisation),
        detail={"purpose": "register", "case_number": "", "uscc": organisation.uscc, "found": True},
    )
    audit_record(
        actor=actor,
        action=ORGANISATION_REGISTER,
        obj=organisation,
        allowed=False,
        detail={
            "created": False,
            "found": True,
            "changed": [],
            "outcome": REGISTER_REFUSALS_OUTCOME,
            "legal_representative_id_masked": organisation.legal_representative_id_masked,
        },
    )
    return ApplicationError(ORGANISATION_ALREADY_REGISTERED, code="already_registered", status=409)


ORGANISATION_REGISTRY_FIELDS = {
    "name": _("name"),
    "address": _("business address"),
    "legal_representative_name": _("legal representative"),
    "legal_representative_id": _("legal representative's ID number"),
    "contact_phone": _("contact phone"),
}


def _organisation_registry_conflicts(
    organisation: Organisation,
    *,
    name: str,
    legal_representative_name: str,
    address: str,
    legal_representative_id_type: str,
    legal_representative_id: str,
    contact_phone: str,
) -> list[str]:
    """The registry fields given that differ from non-blank stored ones."""
    conflicts = [
        attribute
        for attribute, value in (("name", name), ("address", address))
        if value and getattr(organisation, attribute) and value != getattr(organisation, attribute)
    ]
    if (
        legal_representative_name
        and organisation.legal_representative_name
        and legal_representative_name != organisation.legal_representative_name
    ):
        conflicts.append("legal_representative_name")
    if (
        legal_representative_id
        and organisation.legal_representative_id_index
        and (
            crypto.blind_index(legal_representative_id, context=ID_NUMBER_INDEX_CONTEXT)
            != organisation.legal_representative_id_index
            or legal_representative_id_type != organisation.legal_representative_id_type
        )
    ):
        conflicts.append("legal_representative_id")
    if (
        contact_phone
        and organisation.contact_phone_index
        and crypto.blind_index(contact_phone, context=PHONE_INDEX_CONTEXT)
        != organisation.contact_phone_index
    ):
        conflicts.append("contact_phone")
    return conflicts


def _organisation_change_refused(
    organisation: Organisation, *, actor: Any, fields: list[str]
) -> ApplicationError:
    audit_record(
        actor=actor,
        action=ORGANISATION_REGISTER,
        obj=organisation,
        allowed=False,
        detail={
            "created": False,
            "changed": [],
            "refused": fields,
            "outcome": "organisation_change_refused",
            "legal_representative_id_masked": organisation.legal_representative_id_masked,
        },
    )
    errors = ErrorList()
    for field in fields:
        errors.add(
            field,
            "registry_field_differs",
            _("Differs from the registered %(field)s, which a window does not change."),
            field=ORGANISATION_REGISTRY_FIELDS[field],
        )
    return ApplicationError(
        _(
            "The name, business address, legal representative and contact phone are those of "
            "the registration authority's records; a window does not change them (%(fields)s "
            "differ). Nothing was changed."
        ),
        code="organisation_change_refused",
        status=409,
        params={"fields": ", ".join(fields)},
        errors=list(errors),
    )


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
    # No transaction of its own, as ``person_find_by_id_number``: the audit row is written
    # before the organisation is returned.
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


# ---------------------------------------------------------------------------------------------
# Changes of identity details
#
# A window that reads a known ID with another name, phone or address changes who the citizen
# is to the platform, and where every later message goes. So no such change is silent: each is
# a ``PersonChange`` row keeping the old and new value encrypted (masked copies beside them),
# who asked, why, how it was verified and who confirmed it; each applied change tells the
# citizen at the phone registered before it; audit rows carry masked values only.
#
# - name: the ID card read at the window (the clerk's attestation) or an official identity
#   check (``applicants.identity``), else refused;
# - phone: pending until the code sent to the new phone is typed back (at most
#   ``PERSON_CHANGE_CODE_ATTEMPTS`` wrong codes) or a second staff member holding a
#   personal-data role at the same centre approves it, within ``PERSON_CHANGE_CODE_MINUTES``;
# - address: applied, with its history (the person is at the window).

PERSON_CHANGE_REQUEST = "applicants.person_change_request"
PERSON_CHANGE_APPLY = "applicants.person_change_apply"
PERSON_CHANGE_REFUSE = "applicants.person_change_refuse"
PERSON_CHANGE_CODE_SENT = "applicants.person_change_code_sent"
PERSON_CHANGE_CODE_WRONG = "applicants.person_change_code_wrong"
PERSON_CHANGE_APPROVE = "applicants.person_change_approve"

CARD_READ, IDENTITY_SERVICE = "card_read", "identity_service"
IDENTITY_CHECKS = (CARD_READ, IDENTITY_SERVICE)
BY_CODE, BY_COLLEAGUE = "code", "colleague"
PHONE_CONFIRMATIONS = (BY_CODE, BY_COLLEAGUE)
CHANGE_REASON_MAX_LENGTH = 255
CODE_RE = re.compile(r"[0-9]{6}")
CHANGE_SUBJECT_TYPE = "applicants.person"
CHANGE_CHANNEL = "sms"

CHANGE_LABELS = {
    ChangeField.NAME: pgettext_lazy("changed detail", "name"),
    ChangeField.PHONE: pgettext_lazy("changed detail", "mobile number"),
    ChangeField.ADDRESS: pgettext_lazy("changed detail", "address"),
}
CHANGE_NOTICE = _(
    "The %(detail)s registered for you at OneWindow was changed on %(date)s. If you did not "
    "ask for this, call 12345."
)
CHANGE_CODE = _(
    "OneWindow code %(code)s: give it to the clerk only if you asked to change your "
    "registered mobile number to %(new)s. Valid for %(minutes)s minutes. If you did not ask "
    "for it, give it to no one and call 12345."
)


def code_minutes() -> int:
    return int(getattr(settings, "PERSON_CHANGE_CODE_MINUTES", 10))


def code_attempts_allowed() -> int:
    return int(getattr(settings, "PERSON_CHANGE_CODE_ATTEMPTS", 5))


def _check_choice(errors: ErrorList, *, field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value and value not in allowed:
        errors.add(
            field,
            "invalid_choice",
            _("Choose one of: %(choices)s."),
            choices=", ".join(allowed),
        )


def _person_phone(person: Person) -> str:
    if not person.phone_encrypted:
        return ""
    return crypto.decrypt(person.phone_encrypted, context=PERSON_PHONE_CONTEXT)


def person_differences(person: Person, *, name: str, phone: str, address: str) -> dict[str, str]:
    """The given (non-blank) values that differ from the stored ones, by field."""
    differences = {}
    if name and name != person.name:
        differences[ChangeField.NAME.value] = name
    if phone and crypto.blind_index(phone, context=PHONE_INDEX_CONTEXT) != person.phone_index:
        differences[ChangeField.PHONE.value] = phone
    if address and address != _person_address(person):
        differences[ChangeField.ADDRESS.value] = address
    return differences


def _change_mask(field: str, value: str) -> str:
    if not value:
        return ""
    if field == ChangeField.NAME:
        return mask_name(value)
    if field == ChangeField.PHONE:
        return crypto.mask_phone(value)
    return mask_address(value)


def _change_requirements(
    *,
    person: Person,
    differences: dict[str, str],
    reason: str,
    identity_check: str,
    phone_confirmation: str,
    number: str,
    actor: Any,
) -> str:
    """Refuse (``ValidationFailed``, nothing written) a change that lacks what it needs; the
    method that verified a name change, ``""`` when there is none. Calls the identity service
    when asked to — outside any transaction."""
    if not differences:
        return ""
    errors = ErrorList()
    if ChangeField.NAME in differences and identity_check not in IDENTITY_CHECKS:
        errors.add(
            "name",
            "name_change_needs_identity_check",
            _(
                "A new name is recorded only after the ID card is read at the window or an "
                "official identity check confirms it."
            ),
        )
    if ChangeField.PHONE in differences:
        if phone_confirmation not in PHONE_CONFIRMATIONS:
            errors.add(
                "phone",
                "phone_change_needs_confirmation",
                _(
                    "A new phone is confirmed by a code sent to the registered phone, or by the "
                    "ID card read at the window and a second staff member's approval: choose one."
                ),
            )
        elif phone_confirmation == BY_CODE and not _mobile_only(_person_phone(person)):
            errors.add(
                "phone_confirmation",
                "phone_change_code_needs_old_mobile",
                _(
                    "No mobile is registered to send the code to: read the ID card at the "
                    "window and ask a colleague to approve."
                ),
            )
        elif phone_confirmation == BY_COLLEAGUE and identity_check != CARD_READ:
            errors.add(
                "identity_check",
                "phone_change_colleague_needs_card_read",
                _(
                    "Without the code from the registered phone, the ID card must be read at "
                    "the window before a colleague approves the new phone."
                ),
            )
    if not reason:
        errors.add(
            "reason",
            "change_reason_required",
            _("Say why the applicant's details change (the reason is recorded)."),
        )
    if errors:
        errors.raise_if_any(
            _(
                "The details differ from the registered ones; each change needs what its "
                "field says. Nothing was changed."
            ),
            code=errors[0].code,
        )
    if ChangeField.NAME not in differences:
        return ChangeMethod.CARD_READ if identity_check == CARD_READ else ""
    if identity_check == CARD_READ:
        return ChangeMethod.CARD_READ
    result = identity_verifier().verify(person.id_type, number, differences[ChangeField.NAME])
    if result.verified:
        return ChangeMethod.IDENTITY_SERVICE
    audit_record(
        actor=actor,
        action=PERSON_CHANGE_REFUSE,
        obj=person,
        object_repr=person.id_number_masked,
        allowed=False,
        detail={
            "field": ChangeField.NAME.value,
            "method": ChangeMethod.IDENTITY_SERVICE.value,
            "outcome": result.code or "not_verified",
            "reference": result.reference,
            "old_masked": mask_name(person.name),
            "new_masked": mask_name(differences[ChangeField.NAME]),
            "id_number_masked": person.id_number_masked,
        },
    )
    refused = ErrorList()
    if result.code == NOT_CONFIGURED:
        refused.add(
            "identity_check",
            "identity_service_not_configured",
            _(
                "No official identity service is connected to OneWindow: read the ID card at "
                "the window to change the name."
            ),
        )
    else:
        refused.add(
            "identity_check",
            "identity_check_refused",
            _("The official identity check did not confirm the new name; nothing was changed."),
        )
    refused.raise_if_any(_("The new name was not confirmed."), code=refused[0].code)
    return ""


def _change_new(
    person: Person,
    *,
    field: str,
    old: str,
    new: str,
    reason: str,
    actor: Any,
    centre: ServiceCentre | None,
    now: dt.datetime,
) -> PersonChange:
    return PersonChange(
        person=person,
        field=field,
        old_value_encrypted=(
            crypto.encrypt(old, context=PERSON_CHANGE_OLD_CONTEXT.format(field=field))
            if old
            else ""
        ),
        old_value_masked=_change_mask(field, old),
        new_value_encrypted=crypto.encrypt(
            new, context=PERSON_CHANGE_NEW_CONTEXT.format(field=field)
        ),
        new_value_masked=_change_mask(field, new),
        reason=reason,
        centre=centre,
        requested_by=actor if getattr(actor, "pk", None) else None,
        requested_at=now,
    )


def _change_detail(change: PersonChange, **extra: Any) -> dict[str, Any]:
    """What an audit row says of a change: masked values only."""
    return {
        "change": change.pk,
        "field": change.field,
        "method": change.method,
        "status": change.status,
        "reason": change.reason,
        "old_masked": change.old_value_masked,
        "new_masked": change.new_value_masked,
        "id_number_masked": change.person.id_number_masked,
        **extra,
    }


def _notify_language() -> str:
    return str(getattr(settings, "NOTIFY_LANGUAGE", settings.LANGUAGE_CODE))


def _change_notice(change: PersonChange, *, old_mobile: str, now: dt.datetime) -> None:
    """Tell the citizen at the phone registered before the change (if it is a mobile)."""
    if not old_mobile:
        return
    with translation.override(_notify_language()):
        text = str(CHANGE_NOTICE) % {
            "detail": str(CHANGE_LABELS[ChangeField(change.field)]),
            "date": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        }
    message_enqueue(
        subject_type=CHANGE_SUBJECT_TYPE,
        subject_id=change.person_id,
        channel=CHANGE_CHANNEL,
        recipient=old_mobile,
        template_code="person_change_notice",
        text=text,
        idempotency_key=f"person_change:{change.pk}:notice",
    )


def _change_apply(
    change: PersonChange, *, method: str, actor: Any, now: dt.datetime, outcome: str
) -> None:
    """Write the new value on the person (locked by the caller), close the change as applied,
    audit it and tell the citizen at the old phone."""
    person = change.person
    old_mobile = applicant_mobile_for_notice(
        person=person, purpose="identity_change_notice", reference={"person_change": change.pk}
    )
    field = ChangeField(change.field)
    value = crypto.decrypt(
        change.new_value_encrypted, context=PERSON_CHANGE_NEW_CONTEXT.format(field=field)
    )
    if field == ChangeField.NAME:
        person.name = value
    elif field == ChangeField.PHONE:
        _person_set_phone(person, value)
    else:
        _person_set_address(person, value)
    person.save(update_fields=[*PERSON_COLUMNS[field], "updated_at"])
    change.method = method
    change.status = ChangeStatus.APPLIED
    change.outcome = outcome
    change.decided_by = actor if getattr(actor, "pk", None) else None
    change.decided_at = now
    change.save()
    audit_record(
        actor=actor,
        action=PERSON_CHANGE_APPLY,
        obj=person,
        object_repr=person.id_number_masked,
        detail=_change_detail(change),
    )
    _change_notice(change, old_mobile=old_mobile, now=now)


CODE_SENDS_MAX = 3  # codes one change may send: the registered phone is not a target to flood


def codes_per_hour() -> int:
    """Codes sent per person, and per target phone, in any hour, across all changes."""
    return int(getattr(settings, "PERSON_CHANGE_CODES_PER_HOUR", 5))


def _too_many_codes_per_hour() -> ApplicationError:
    return ApplicationError(
        _("%(count)s codes an hour at most were sent already; try again later."),
        code="too_many_codes_per_hour",
        status=429,
        params={"count": codes_per_hour()},
    )


def _code_limit_check(
    person: Person, *, old_phone: str, actor: Any, detail: dict[str, Any]
) -> None:
    """Before a transaction that sends a code to ``old_phone``: refuse (429, audited) when the
    person or that phone had ``codes_per_hour()`` codes in the last hour."""
    target = _mobile_only(old_phone)
    if not target:
        return
    index = crypto.blind_index(target, context=PHONE_INDEX_CONTEXT)
    if not _codes_over_hourly_limit(person, index, timezone.now()):
        return
    audit_record(
        actor=actor,
        action=f"denied:{PERSON_CHANGE_CODE_SENT}",
        obj=person,
        object_repr=person.id_number_masked,
        allowed=False,
        detail={
            **detail,
            "outcome": "codes_per_hour",
            "limit": codes_per_hour(),
            "id_number_masked": person.id_number_masked,
        },
    )
    raise _too_many_codes_per_hour()


def _codes_over_hourly_limit(person: Person, target_index: str, now: dt.datetime) -> bool:
    since = now - dt.timedelta(hours=1)
    limit = codes_per_hour()
    recent = PersonChangeCodeSend.objects.filter(sent_at__gt=since)
    return (
        recent.filter(person=person).count() >= limit
        or recent.filter(target_index=target_index).count() >= limit
    )


def _too_many_codes() -> ValidationFailed:
    error = ValidationFailed(
        _("%(count)s codes were sent already: ask a colleague to approve instead."),
        [],
        code="too_many_codes",
    )
    error.params = {"count": CODE_SENDS_MAX}
    return error


def _change_send_code(change: PersonChange, *, actor: Any, now: dt.datetime) -> None:
    """A fresh 6-digit code to the phone registered *before* the change (the citizen agrees
    by reading it out); only its keyed hash is kept, and the outbox masks it in every copy it
    shows or logs. Wrong codes stay counted across codes; at most ``codes_per_hour()`` codes
    an hour go to one person or one phone, whatever change asked for them (429)."""
    if change.code_sends >= CODE_SENDS_MAX:
        raise _too_many_codes()
    phone = _mobile_only(
        crypto.decrypt(
            change.old_value_encrypted,
            context=PERSON_CHANGE_OLD_CONTEXT.format(field=change.field),
        )
        if change.old_value_encrypted
        else ""
    )
    if not phone:
        raise ValidationFailed(
            _("No mobile is registered to send the code to: ask a colleague to approve."),
            [],
            code="phone_change_code_needs_old_mobile",
        )
    target_index = crypto.blind_index(phone, context=PHONE_INDEX_CONTEXT)
    if _codes_over_hourly_limit(change.person, target_index, now):
        # The callers checked (and audited) it before their transaction; this is the race.
        raise _too_many_codes_per_hour()
    code = f"{secrets.randbelow(10**6):06d}"
    change.code_sends += 1
    PersonChangeCodeSend.objects.create(
        person=change.person, change=change, target_index=target_index, sent_at=now
    )
    change.code_hash = crypto.blind_index(
        code, context=PERSON_CHANGE_CODE_CONTEXT.format(change_id=change.pk)
    )
    change.code_sent_at = now
    change.expires_at = now + dt.timedelta(minutes=code_minutes())
    change.save(update_fields=["code_hash", "code_sent_at", "code_sends", "expires_at"])
    with translation.override(_notify_language()):
        text = str(CHANGE_CODE) % {
            "code": code,
            "new": change.new_value_masked,
            "minutes": code_minutes(),
        }
    message_enqueue(
        subject_type=CHANGE_SUBJECT_TYPE,
        subject_id=change.person_id,
        channel=CHANGE_CHANNEL,
        recipient=phone,
        template_code="person_change_code",
        text=text,
        idempotency_key=f"person_change:{change.pk}:code:{secrets.token_hex(8)}",
        secrets=(code,),
    )
    audit_record(
        actor=actor,
        action=PERSON_CHANGE_CODE_SENT,
        obj=change.person,
        object_repr=change.person.id_number_masked,
        detail=_change_detail(change),
    )


def _person_changes_record(
    person: Person,
    *,
    differences: dict[str, str],
    reason: str,
    method: str,
    phone_confirmation: str,
    actor: Any,
    centre: ServiceCentre | None,
) -> tuple[list[str], list[str]]:
    """Inside ``person_register``'s transaction, with the requirements checked: apply the
    name and address changes, open the phone change. (applied fields, waiting fields)."""
    now = timezone.now()
    applied, waiting = [], []
    for field in (ChangeField.NAME, ChangeField.ADDRESS):
        if field not in differences:
            continue
        old = person.name if field == ChangeField.NAME else _person_address(person)
        change = _change_new(
            person,
            field=field,
            old=old,
            new=differences[field],
            reason=reason,
            actor=actor,
            centre=centre,
            now=now,
        )
        change.save()
        _change_apply(
            change,
            method=method if field == ChangeField.NAME else ChangeMethod.AT_WINDOW,
            actor=actor,
            now=now,
            outcome="applied",
        )
        applied.append(field.value)
    if ChangeField.PHONE in differences:
        # A newer request replaces one still waiting (each replacement audited; the codes it
        # sent stay counted in the hourly limits).
        for old_change in PersonChange.objects.select_for_update().filter(
            person=person, field=ChangeField.PHONE, status=ChangeStatus.PENDING
        ):
            old_change.person = person
            old_change.status = ChangeStatus.REFUSED
            old_change.outcome = "superseded"
            old_change.decided_at = now
            old_change.save(update_fields=["status", "outcome", "decided_at"])
            audit_record(
                actor=actor,
                action=PERSON_CHANGE_REFUSE,
                obj=person,
                object_repr=person.id_number_masked,
                allowed=False,
                detail=_change_detail(old_change),
            )
        change = _change_new(
            person,
            field=ChangeField.PHONE,
            old=_person_phone(person),
            new=differences[ChangeField.PHONE],
            reason=reason,
            actor=actor,
            centre=centre,
            now=now,
        )
        change.expires_at = now + dt.timedelta(minutes=code_minutes())
        # The route chosen at the request: a colleague may approve only a change whose
        # requester read the ID card (checked in ``_change_requirements``).
        change.method = ChangeMethod.SECOND_STAFF if phone_confirmation == BY_COLLEAGUE else ""
        change.save()
        audit_record(
            actor=actor,
            action=PERSON_CHANGE_REQUEST,
            obj=person,
            object_repr=person.id_number_masked,
            detail=_change_detail(change, confirmation=phone_confirmation),
        )
        if phone_confirmation == BY_CODE:
            _change_send_code(change, actor=actor, now=now)
        waiting.append(ChangeField.PHONE.value)
    return applied, waiting


def _change_locked(change_id: int) -> PersonChange:
    change = (
        PersonChange.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        raise NotFoundOrForbidden()
    # The person too: the change writes on it.
    change.person = Person.objects.select_for_update().get(pk=change.person_id)
    return change


def _change_still_open(change: PersonChange, *, actor: Any, now: dt.datetime) -> bool:
    """False (and the change closed as expired, audited) when its time is over; raises 409
    when it is no longer waiting."""
    if change.status != ChangeStatus.PENDING:
        raise ApplicationError(
            _("This change is no longer waiting for confirmation (%(status)s)."),
            code="change_not_pending",
            status=409,
            params={"status": change.get_status_display()},
        )
    if change.expires_at is not None and change.expires_at <= now:
        change.status = ChangeStatus.EXPIRED
        change.outcome = "expired"
        change.decided_at = now
        change.save(update_fields=["status", "outcome", "decided_at"])
        audit_record(
            actor=actor,
            action=PERSON_CHANGE_REFUSE,
            obj=change.person,
            object_repr=change.person.id_number_masked,
            allowed=False,
            detail=_change_detail(change),
        )
        return False
    return True


CHANGE_EXPIRED = _(
    "The time to confirm this change is over; nothing was changed. Ask for the change again."
)


def change_for_reader(actor: Any, *, action: str, change_id: int) -> PersonChange:
    """The change, for a personal-data reader who asked for it or holds a personal-data role
    at the centre where it was asked; ``NotFoundOrForbidden`` alike for a missing change and
    another centre's (one refusal row), ``PermissionDenied`` for staff who read no personal
    data. Checked before anything of the request is looked at."""
    require_personal_data_reader(
        actor,
        action=action,
        detail={"change": change_id},
        object_type="applicants.personchange",
        object_repr=str(change_id),
    )
    change = PersonChange.objects.select_related("person").filter(pk=change_id).first()
    if change is None or not (
        change.requested_by_id == actor.pk or _holds_reader_role_at(actor, change.centre)
    ):
        audit_record(
            actor=actor,
            action=f"denied:{action}",
            object_type="applicants.personchange",
            object_id=str(change_id),
            object_repr=str(change_id),
            allowed=False,
            detail={"change": change_id},
        )
        raise NotFoundOrForbidden()
    return change


def person_change_send_code(*, change_id: int, actor: Any) -> PersonChange:
    """Send (again) a code to the registered (old) phone of a waiting phone change; the time
    to confirm starts again, the wrong codes stay counted."""
    waiting = change_for_reader(actor, action=PERSON_CHANGE_CODE_SENT, change_id=change_id)
    if waiting.status == ChangeStatus.PENDING and waiting.old_value_encrypted:
        _code_limit_check(
            waiting.person,
            old_phone=crypto.decrypt(
                waiting.old_value_encrypted,
                context=PERSON_CHANGE_OLD_CONTEXT.format(field=waiting.field),
            ),
            actor=actor,
            detail={"change": waiting.pk, "field": waiting.field},
        )
    now = timezone.now()
    with transaction.atomic():
        change = _change_locked(change_id)
        open_ = _change_still_open(change, actor=actor, now=now)
        if open_:
            _change_send_code(change, actor=actor, now=now)
    if not open_:
        raise ValidationFailed(CHANGE_EXPIRED, [], code="change_expired")
    return change


def person_change_confirm_code(*, change_id: int, code: str, actor: Any) -> PersonChange:
    """The code the citizen received, typed by the clerk: the right one applies the phone
    change; a wrong one is counted (and the change refused at the limit); after the time the
    change expires. A failure raises ``ValidationFailed`` *after* its count is stored."""
    change_for_reader(actor, action=PERSON_CHANGE_APPLY, change_id=change_id)
    code = (code or "").strip()
    if not CODE_RE.fullmatch(code):
        errors = ErrorList()
        errors.add("code", "invalid_format", _("The code has 6 digits."))
        errors.raise_if_any(_("The code is not valid."))
    now = timezone.now()
    failure: ErrorList | None = None
    with transaction.atomic():
        change = _change_locked(change_id)
        if not _change_still_open(change, actor=actor, now=now):
            failure = ErrorList()
            failure.add("code", "change_expired", CHANGE_EXPIRED)
        elif not change.code_hash:
            raise ValidationFailed(_("No code was sent for this change."), [], code="no_code_sent")
        elif hmac.compare_digest(
            change.code_hash,
            crypto.blind_index(
                code, context=PERSON_CHANGE_CODE_CONTEXT.format(change_id=change.pk)
            ),
        ):
            _change_apply(
                change, method=ChangeMethod.SMS_CODE, actor=actor, now=now, outcome="code_confirmed"
            )
        else:
            change.code_attempts += 1
            failure = ErrorList()
            left = code_attempts_allowed() - change.code_attempts
            if left <= 0:
                change.status = ChangeStatus.REFUSED
                change.outcome = "too_many_attempts"
                change.decided_at = now
                failure.add(
                    "code",
                    "too_many_attempts",
                    _("Too many wrong codes: the change is refused and nothing was changed."),
                )
            else:
                failure.add(
                    "code",
                    "code_wrong",
                    _("The code is not right; %(left)s tries left."),
                    left=left,
                )
            change.save(update_fields=["code_attempts", "status", "outcome", "decided_at"])
            audit_record(
                actor=actor,
                action=PERSON_CHANGE_CODE_WRONG,
                obj=change.person,
                object_repr=change.person.id_number_masked,
                allowed=False,
                detail=_change_detail(change, attempts=change.code_attempts),
            )
    if failure:
        failure.raise_if_any(_("The change was not confirmed."), code=failure[0].code)
    return change


def _holds_reader_role_at(user: Any, centre: ServiceCentre | None) -> bool:
    if centre is None or not getattr(user, "is_authenticated", False):
        return False
    return RoleAssignment.objects.filter(
        user=user, centre=centre, role__in=list(RULES[Action.PERSON_READ])
    ).exists()


def person_change_approve(*, change_id: int, actor: Any) -> PersonChange:
    """A second staff member's approval of a waiting phone change: someone other than the
    one who asked, holding a personal-data role at the centre where it was asked. A refusal
    is audited (403) and changes nothing."""
    change = change_for_reader(actor, action=PERSON_CHANGE_APPROVE, change_id=change_id)
    message = None
    if change.method != ChangeMethod.SECOND_STAFF:
        audit_record(
            actor=actor,
            action=f"denied:{PERSON_CHANGE_APPROVE}",
            obj=change,
            allowed=False,
            detail={"change": change.pk, "field": change.field, "outcome": "not_by_colleague"},
        )
        raise ApplicationError(
            _(
                "This change is confirmed by the code sent to the registered phone; a colleague "
                "approves only a change whose requester read the ID card."
            ),
            code="change_not_by_colleague",
            status=409,
        )
    if change.requested_by_id == actor.pk:
        message = _("A change is approved by a second staff member, not by the one who asked.")
    elif not _holds_reader_role_at(actor, change.centre):
        # The requester's own centre role is gone: nobody there can stand in for it.
        message = _(
            "Only staff holding a personal-data role at the centre where the change was asked "
            "may approve it."
        )
    if message is not None:
        audit_record(
            actor=actor,
            action=f"denied:{PERSON_CHANGE_APPROVE}",
            obj=change,
            allowed=False,
            detail={"change": change.pk, "field": change.field},
        )
        raise PermissionDenied(message)
    now = timezone.now()
    with transaction.atomic():
        change = _change_locked(change_id)
        open_ = _change_still_open(change, actor=actor, now=now)
        if open_:
            _change_apply(
                change, method=ChangeMethod.SECOND_STAFF, actor=actor, now=now, outcome="approved"
            )
    if not open_:
        raise ValidationFailed(CHANGE_EXPIRED, [], code="change_expired")
    return change


def person_change_details(
    *,
    person: Person,
    name: str,
    phone: str = "",
    address: str = "",
    reason: str = "",
    identity_check: str = "",
    phone_confirmation: str = "",
    actor: Any,
    centre: ServiceCentre | None = None,
) -> Person:
    """Change the name, phone or address of a known ``person`` (the applicant at the window,
    identified before): ``person_register`` with the person's own document, under the same
    checks. Blank phone or address keep the stored ones."""
    require_personal_data_reader(
        actor,
        action=PERSON_REGISTER,
        detail={"id_type": person.id_type, "id_number_masked": person.id_number_masked},
        obj=person,
        object_repr=person.id_number_masked,
    )
    number = crypto.decrypt(person.id_number_encrypted, context=PERSON_ID_NUMBER_CONTEXT)
    # ``person`` is the applicant identified at the window (an audited look-up).
    return person_register(
        id_type=person.id_type,
        id_number=number,
        name=name,
        phone=phone,
        address=address,
        reason=reason,
        identity_check=identity_check,
        phone_confirmation=phone_confirmation,
        actor=actor,
        centre=centre,
        looked_up=person,
    )


# ---------------------------------------------------------------------------------------------
# The citizen's own account (the citizens app): the system acting for a citizen who proved
# their mobile by an SMS code. No staff role is involved; every read and write is audited with
# no actor, the account named in ``reference`` and masked values only.

CITIZEN_IDENTITY_MATCH = "applicants.citizen_identity_match"
CITIZEN_PERSON_BIND = "applicants.citizen_person_bind"
CITIZEN_REPRESENTATIVE_CHECK = "applicants.citizen_representative_check"


def citizen_identity_matches(
    *, id_number: str, name: str, phone_index: str, reference: Mapping[str, Any]
) -> str:
    """Does a registered person have this resident ID, this name and this mobile (compared by
    blind index)? ``"match"``, ``"not_registered"``, ``"name_differs"`` or
    ``"phone_differs"`` (also when no mobile is registered). The demo's real-name check
    (``citizens.realname.DemoRegistryVerifier``): the city's own register stands in for the
    official three-element check. ``id_number`` is a checked resident ID. Audited
    ``applicants.citizen_identity_match`` (masked ID, outcome)."""
    index = crypto.blind_index(id_number, context=ID_NUMBER_INDEX_CONTEXT)
    person = Person.objects.filter(id_type=IdType.RESIDENT_ID, id_number_index=index).first()
    if person is None:
        outcome = "not_registered"
    elif person.name != name:
        outcome = "name_differs"
    elif not person.phone_index or not hmac.compare_digest(person.phone_index, phone_index):
        outcome = "phone_differs"
    else:
        outcome = "match"
    audit_record(
        actor=None,
        action=CITIZEN_IDENTITY_MATCH,
        obj=person,
        object_type="applicants.person",
        object_repr=mask_document_number(id_type=IdType.RESIDENT_ID, number=id_number),
        detail={
            **reference,
            "id_number_masked": mask_document_number(id_type=IdType.RESIDENT_ID, number=id_number),
            "outcome": outcome,
        },
    )
    return outcome


def citizen_person_for_binding(
    *, id_number: str, name: str, phone: str, verifier: str, reference: Mapping[str, Any]
) -> tuple[Person, bool]:
    """The person a citizen's account is bound to, after the real-name verifier confirmed
    that ``name`` belongs to the resident ID ``id_number`` (checked): the registered person
    found by blind index, or a new one registered with the account's verified ``phone``.
    Returns ``(person, created)``. A registered person whose name differs is never renamed
    here: 409 ``registered_name_differs`` (a window changes a name, with the card read).
    Audited ``applicants.citizen_person_bind`` (masked ID, created or found, the verifier)."""
    index = crypto.blind_index(id_number, context=ID_NUMBER_INDEX_CONTEXT)
    masked = mask_document_number(id_type=IdType.RESIDENT_ID, number=id_number)
    with transaction.atomic():
        existing = Person.objects.select_for_update().filter(
            id_type=IdType.RESIDENT_ID, id_number_index=index
        )
        person = existing.first()
        created = person is None
        if person is None:
            try:
                with transaction.atomic():
                    person = _person_new(
                        id_type=IdType.RESIDENT_ID, number=id_number, index=index, name=name
                    )
                    _person_apply(person, name=name, phone=phone, address="")
                    person.save()
            except IntegrityError:
                created = False
                person = existing.get()
        outcome = "created" if created else "found"
        if not created and person.name != name:
            outcome = "registered_name_differs"
        audit_record(
            actor=None,
            action=CITIZEN_PERSON_BIND,
            obj=person,
            allowed=outcome != "registered_name_differs",
            detail={
                **reference,
                "id_number_masked": masked,
                "verifier": verifier,
                "outcome": outcome,
            },
        )
    if outcome == "registered_name_differs":
        raise ApplicationError(
            _(
                "The name registered for this ID number is different. Bring your ID card to "
                "any window to have it corrected, then bind your account again."
            ),
            code="registered_name_differs",
            status=409,
        )
    return person, created


def citizen_organisation_represented(
    *, uscc: str, person: Person, reference: Mapping[str, Any]
) -> Organisation | None:
    """The registered organisation with this unified social credit code (checked) whose
    legal representative is ``person`` (same document, by blind index); ``None`` otherwise —
    not registered and represented by somebody else answer the same. Audited
    ``applicants.citizen_representative_check``."""
    organisation = Organisation.objects.filter(uscc=uscc).first()
    matches = (
        organisation is not None
        and bool(organisation.legal_representative_id_index)
        and organisation.legal_representative_id_type in ("", person.id_type)
        and hmac.compare_digest(organisation.legal_representative_id_index, person.id_number_index)
    )
    audit_record(
        actor=None,
        action=CITIZEN_REPRESENTATIVE_CHECK,
        obj=organisation if matches else None,
        object_type="applicants.organisation",
        object_repr=uscc,
        allowed=matches,
        detail={
            **reference,
            "uscc": uscc,
            "person_id_masked": person.id_number_masked,
            "outcome": "representative" if matches else "not_representative",
        },
    )
    return organisation if matches else None
