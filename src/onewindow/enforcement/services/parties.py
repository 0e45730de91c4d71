"""The party (当事人) of an inspection: a person — the ID number and phone encrypted with the
applicants' blind-index contexts and masked, exactly as the hotline keeps its callers — or a
company identified by its unified social credit code (checked by ``stdnum.cn.uscc``), kept in
clear. Reading a person's full ID number is an audited act (``party_id_number_reveal``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.applicants.identifiers import mask_address
from onewindow.applicants.models import ID_NUMBER_INDEX_CONTEXT, PHONE_INDEX_CONTEXT
from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList, NotFoundOrForbidden
from onewindow.core.identifiers import check_phone, check_resident_id, check_uscc
from onewindow.enforcement.codes import PartyKind
from onewindow.enforcement.models import (
    PARTY_ADDRESS_CONTEXT,
    PARTY_ID_NUMBER_CONTEXT,
    PARTY_PHONE_CONTEXT,
    EnforcementTask,
    Party,
)
from onewindow.enforcement.services.common import text
from onewindow.org.permissions import Action, require

PARTY_ID_READ = "enforcement.party_id_read"


@dataclass(frozen=True)
class PartyInput:
    """The party as typed. A person: ``name``, ``id_number`` (and a ``phone``); a company:
    ``name``, ``uscc`` and ``legal_representative``."""

    kind: str
    name: str
    id_number: str = ""
    phone: str = ""
    uscc: str = ""
    legal_representative: str = ""
    address: str = ""


@dataclass(frozen=True)
class CheckedParty:
    kind: str
    name: str
    id_number: str
    phone: str
    uscc: str
    legal_representative: str
    address: str


def party_input_check(data: Any, errors: ErrorList) -> CheckedParty | None:
    """Every field of the party checked; the problems go to ``errors``."""
    if not isinstance(data, PartyInput):
        errors.add("party_kind", "invalid_choice", _("Choose a person or a company as the party."))
        return None
    if data.kind not in PartyKind.values:
        errors.add("party_kind", "invalid_choice", _("Choose a person or a company as the party."))
        return None
    person = data.kind == PartyKind.PERSON
    name = text(
        errors,
        "party_name",
        data.name,
        max_length=128 if not person else 64,
        multiline=False,
        missing=_("Give the party's name (a company: its registered name)."),
    )
    address = text(
        errors, "party_address", data.address, required=False, max_length=255, multiline=False
    )
    id_number = phone = uscc = representative = ""
    if person:
        id_number = check_resident_id(errors, id_number=data.id_number or "", field="party_id")
        phone = check_phone(errors, phone=data.phone or "", field="party_phone")
        if (data.uscc or "").strip() or (data.legal_representative or "").strip():
            errors.add(
                "party_uscc",
                "person_with_company",
                _("A person has no credit code or legal representative; clear them."),
            )
    else:
        uscc = check_uscc(errors, uscc=data.uscc or "", field="party_uscc")
        representative = text(
            errors,
            "party_representative",
            data.legal_representative,
            max_length=64,
            multiline=False,
            missing=_("Give the name of the company's legal representative."),
        )
        if (data.id_number or "").strip():
            errors.add(
                "party_id",
                "company_with_id",
                _("A company is identified by its credit code, not an ID number; clear it."),
            )
        phone = check_phone(errors, phone=data.phone or "", field="party_phone")
    return CheckedParty(
        kind=data.kind,
        name=name,
        id_number=id_number,
        phone=phone,
        uscc=uscc,
        legal_representative=representative,
        address=address,
    )


def party_create(task: EnforcementTask, party: CheckedParty) -> Party:
    row = Party(
        task=task,
        kind=party.kind,
        name=party.name,
        uscc=party.uscc,
        legal_representative=party.legal_representative,
        address=party.address if party.kind == PartyKind.COMPANY else "",
    )
    if party.address and party.kind != PartyKind.COMPANY:
        row.address_encrypted = crypto.encrypt(party.address, context=PARTY_ADDRESS_CONTEXT)
        row.address = mask_address(party.address)
    if party.id_number:
        row.id_number_encrypted = crypto.encrypt(party.id_number, context=PARTY_ID_NUMBER_CONTEXT)
        row.id_number_index = crypto.blind_index(party.id_number, context=ID_NUMBER_INDEX_CONTEXT)
        row.id_number_masked = crypto.mask_id_number(party.id_number)
    if party.phone:
        row.phone_encrypted = crypto.encrypt(party.phone, context=PARTY_PHONE_CONTEXT)
        row.phone_index = crypto.blind_index(party.phone, context=PHONE_INDEX_CONTEXT)
        row.phone_masked = crypto.mask_phone(party.phone)
    row.save()
    return row


def party_id_number_reveal(*, actor: Any, party: Party, purpose: str = "") -> str:
    """A person's full ID number, for the team that holds the task (officers and lead): an
    audited read; anyone else gets the one audited "not found"."""
    require(actor, Action.ENFORCEMENT_VIEW, party.task, hide=True)
    if not (actor_in_team(actor, party.task)):
        audit_record(actor=actor, action=PARTY_ID_READ, obj=party.task, allowed=False)
        raise NotFoundOrForbidden()
    audit_record(
        actor=actor,
        action=PARTY_ID_READ,
        obj=party.task,
        object_repr=party.task.number,
        detail={
            "party": party.pk,
            "id_number": party.id_number_masked,
            "purpose": purpose[:200],
        },
    )
    return party.id_number_clear()


def actor_in_team(actor: Any, task: EnforcementTask) -> bool:
    """Does ``actor`` work in the task's team (an officer or its lead)? The city-wide readers
    (the 值班长, the auditor) read records, never a person's full ID number."""
    from onewindow.org.permissions import can

    return can(actor, Action.ENFORCEMENT_WORK, task) or can(actor, Action.ENFORCEMENT_DECIDE, task)


def party_phone_reveal(*, actor: Any, party: Party, purpose: str = "") -> str:
    """A party's phone in clear, for the team (audited like the ID number)."""
    require(actor, Action.ENFORCEMENT_VIEW, party.task, hide=True)
    if not actor_in_team(actor, party.task):
        audit_record(actor=actor, action="enforcement.party_phone_read", allowed=False)
        raise NotFoundOrForbidden()
    audit_record(
        actor=actor,
        action="enforcement.party_phone_read",
        obj=party.task,
        detail={"party": party.pk, "phone": party.phone_masked, "purpose": purpose[:200]},
    )
    if not party.phone_encrypted:
        return ""
    return crypto.decrypt(party.phone_encrypted, context=PARTY_PHONE_CONTEXT)
