"""The answers of an online application, as the item version's form schema asks them
(``catalog.selectors.form_fields_of`` and ``catalog.formschema.answers_clean``): cleaned there,
then split here into the non-personal answers (kept in clear) and the personal ones (phone, ID
number, address: kept only encrypted, shown masked)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from onewindow.applicants.identifiers import mask_address
from onewindow.catalog.codes import is_personal
from onewindow.catalog.formschema import answers_clean
from onewindow.catalog.selectors import form_fields_of
from onewindow.core import crypto
from onewindow.online.models import PERSONAL_CONTEXT, OnlineApplication


@dataclass
class Answers:
    plain: dict[str, Any] = field(default_factory=dict)
    personal: dict[str, str] = field(default_factory=dict)


def form_fields(application: OnlineApplication) -> list[dict[str, Any]]:
    """The form of the application's item version (the schema's fields, in order)."""
    return form_fields_of(application.item_version)


def mask(kind: str, value: str) -> str:
    if kind == "phone":
        return crypto.mask_phone(value)
    if kind == "id_number":
        return crypto.mask_id_number(value)
    return mask_address(value)


def answers_cleaned(
    application: OnlineApplication, data: dict[str, Any], *, partial: bool
) -> Answers:
    """``data`` checked against the form (``ValidationFailed`` listing every field's problem)
    and split into plain and personal answers."""
    fields = form_fields(application)
    cleaned = answers_clean(fields, data, partial=partial)
    kinds = {f["key"]: f["kind"] for f in fields}
    out = Answers()
    for key, value in cleaned.items():
        if is_personal(kinds.get(key, "")):
            if value not in (None, ""):
                out.personal[key] = str(value)
        else:
            out.plain[key] = value
    return out


def personal_of(application: OnlineApplication) -> dict[str, str]:
    """The personal answers in clear (the caller audits the read)."""
    if not application.personal_encrypted:
        return {}
    values: dict[str, str] = json.loads(
        crypto.decrypt(application.personal_encrypted, context=PERSONAL_CONTEXT)
    )
    return values


def personal_store(application: OnlineApplication, personal: dict[str, str]) -> None:
    """Keep ``personal`` encrypted on the row, with masked copies (not saved here)."""
    kinds = {f["key"]: f["kind"] for f in form_fields(application)}
    application.personal_encrypted = (
        crypto.encrypt(
            json.dumps(personal, ensure_ascii=False, sort_keys=True), context=PERSONAL_CONTEXT
        )
        if personal
        else ""
    )
    application.personal_masked = {
        key: mask(kinds.get(key, "address"), value) for key, value in personal.items()
    }


def all_answers(application: OnlineApplication) -> dict[str, Any]:
    """Every answer, the personal ones in clear (for the form the applicant edits)."""
    return {**application.answers, **personal_of(application)}
