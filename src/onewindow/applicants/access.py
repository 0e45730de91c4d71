"""Who may read an applicant's personal data, and the why-and-for-which-case of every read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList, PermissionDenied
from onewindow.org.permissions import Action, can

PURPOSE_MAX_LENGTH = 255
CASE_NUMBER_MAX_LENGTH = 64


@dataclass(frozen=True)
class ReadReason:
    """Why a staff member reads a person's data: written into every audit row of the read."""

    purpose: str
    case_number: str

    def as_detail(self) -> dict[str, str]:
        return {"purpose": self.purpose, "case_number": self.case_number}


def check_read_reason(errors: ErrorList, *, purpose: str, case_number: str) -> ReadReason:
    purpose = (purpose or "").strip()
    case_number = (case_number or "").strip()
    if not purpose:
        errors.add(
            "purpose",
            "required",
            _("Say why you need this person's data (the purpose is recorded)."),
        )
    if len(purpose) > PURPOSE_MAX_LENGTH:
        errors.add(
            "purpose",
            "too_long",
            _("At most %(max_length)s characters are allowed."),
            max_length=PURPOSE_MAX_LENGTH,
        )
    if len(case_number) > CASE_NUMBER_MAX_LENGTH:
        errors.add(
            "case_number",
            "too_long",
            _("At most %(max_length)s characters are allowed."),
            max_length=CASE_NUMBER_MAX_LENGTH,
        )
    return ReadReason(purpose=purpose, case_number=case_number)


def may_read_personal_data(actor: Any) -> bool:
    """``Action.PERSON_READ`` in ``org.permissions``: window, department, manager and hotline
    roles; administrators and auditors see masked data only."""
    return can(actor, Action.PERSON_READ)


def require_personal_data_reader(
    actor: Any,
    *,
    action: str,
    detail: dict[str, Any],
    obj: models.Model | None = None,
    object_type: str = "",
    object_repr: str = "",
) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may read personal data.

    The refusal is audited as ``denied:<action>``. Call this *outside* the service's
    transaction, so that the refusal row stays when the exception unwinds.
    """
    if may_read_personal_data(actor):
        return
    audit_record(
        actor=actor,
        action=f"denied:{action}",
        obj=obj,
        object_type=object_type,
        object_repr=object_repr,
        allowed=False,
        detail=detail,
    )
    raise PermissionDenied()
