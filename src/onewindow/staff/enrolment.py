"""One-time enrolment codes for the second factor (ADR 0012, amended).

An account with no confirmed device enrols only with a code the security administrator issued
for it out of band: shown once, kept as a keyed hash (``core.crypto.blind_index``), valid for
``STAFF_ENROLMENT_CODE_HOURS`` and used once. ``STAFF_ENROLMENT_NEEDS_CODE`` switches the rule
on (the default when DEBUG=0). A new install's first security administrator gets theirs at the
server's console (``manage.py issue_enrolment_code``). ``clean_pending`` (the periodic task in
``tasks.py``) deletes enrolments begun and never finished, and codes long expired.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from onewindow.core.audit import audit_record
from onewindow.core.crypto import blind_index
from onewindow.org.permissions import Action, require
from onewindow.staff.models import EnrolmentCode, IssuedFrom, StaffTOTPDevice

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: read aloud or copied from paper without doubt.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 8
CONTEXT = "staff.enrolment_code"


def needs_code() -> bool:
    return bool(getattr(settings, "STAFF_ENROLMENT_NEEDS_CODE", not settings.DEBUG))


def valid_hours() -> int:
    return int(getattr(settings, "STAFF_ENROLMENT_CODE_HOURS", 72))


def digest(code: str) -> str:
    return blind_index(code, context=CONTEXT)


def issue_code(*, actor: Any, user: Any) -> str:
    """Issue a new code for ``user`` and return it (the only time it exists in clear). Earlier
    unused codes of the account stop working. Security administrator only (403, audited)."""
    code, _row = issue_code_record(actor=actor, user=user)
    return code


def issue_code_record(*, actor: Any, user: Any) -> tuple[str, EnrolmentCode]:
    """``issue_code``, with the new code's record (the admin shows the code once, keyed by
    it)."""
    require(actor, Action.SECURITY_MANAGE)
    code, row, _voided = _issue(user=user, actor=actor, issued_from=IssuedFrom.ADMIN, operator="")
    return code, row


def issue_code_from_console(
    *, user: Any, operator: str, operator_detail: dict[str, Any] | None = None
) -> tuple[str, EnrolmentCode, int]:
    """Issue a code at the server's console (``manage.py issue_enrolment_code``): for a new
    install's first security administrator, whom nobody can issue one for. No account issues
    it; the record and the audit row name the operating-system user ``operator`` (the audit row
    also ``operator_detail``: uid, a claimed sudo user). Whoever runs commands on the server
    holds the database and the keys already, so this grants no more. Returns the code, its
    record, and how many unused codes of the account (from the admin or the console) it
    voided."""
    return _issue(
        user=user,
        actor=None,
        issued_from=IssuedFrom.CONSOLE,
        operator=operator,
        operator_detail=operator_detail or {},
    )


def _issue(
    *,
    user: Any,
    actor: Any,
    issued_from: str,
    operator: str,
    operator_detail: dict[str, Any] | None = None,
) -> tuple[str, EnrolmentCode, int]:
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    with transaction.atomic():
        now = timezone.now()
        voided, _per_model = EnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
        row = EnrolmentCode.objects.create(
            user=user,
            digest=digest(code),
            issued_by=actor,
            issued_from=issued_from,
            operator=operator,
            expires_at=now + timedelta(hours=valid_hours()),
        )
        detail: dict[str, Any] = {
            "code": row.pk,
            "expires_at": row.expires_at.isoformat(),
            "voided": voided,
        }
        if issued_from == IssuedFrom.CONSOLE:
            detail.update(
                {"from": IssuedFrom.CONSOLE.value, "operator": operator, **(operator_detail or {})}
            )
        audit_record(actor=actor, action="staff.enrolment_code_issue", obj=user, detail=detail)
    return code, row, voided


def code_state(user: Any, code: str) -> tuple[str, EnrolmentCode | None]:
    """``("ok", row)`` for a usable code of ``user``; otherwise ``("missing"|"wrong"|"expired"|
    "used", None)``."""
    if not "".join(code.split()):
        return "missing", None
    row = EnrolmentCode.objects.filter(user=user, digest=digest(code)).first()
    if row is None:
        return "wrong", None
    if row.used_at is not None:
        return "used", None
    if row.expires_at <= timezone.now():
        return "expired", None
    return "ok", row


def use_code(*, user: Any, row: EnrolmentCode) -> bool:
    """Spend the code once (a conditional update: two tries at once cannot both use it)."""
    now = timezone.now()
    spent = EnrolmentCode.objects.filter(
        pk=row.pk, user=user, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if spent:
        audit_record(
            actor=user, action="staff.enrolment_code_use", obj=user, detail={"code": row.pk}
        )
    return bool(spent)


def pending_max_age() -> timedelta:
    return timedelta(hours=int(getattr(settings, "STAFF_PENDING_ENROLMENT_HOURS", 24)))


def clean_pending(*, now: Any = None) -> dict[str, int]:
    """Delete what an enrolment leaves behind once it is older than ``pending_max_age()``:
    devices never confirmed (an enrolment begun and not finished; their secret was shown once
    and serves nobody) and enrolment codes never used that expired that long ago. A confirmed
    device and a used code are never touched. Safe to run twice at once. Returns the counts;
    when anything went, one audit row says how much."""
    now = now or timezone.now()
    before = now - pending_max_age()
    with transaction.atomic():
        devices, _by_model = (
            StaffTOTPDevice.objects.filter(confirmed=False)
            .filter(models.Q(created_at__lt=before) | models.Q(created_at__isnull=True))
            .delete()
        )
        codes, _by_model = EnrolmentCode.objects.filter(
            used_at__isnull=True, expires_at__lt=before
        ).delete()
        counts = {"devices": devices, "codes": codes}
        if devices or codes:
            audit_record(
                actor=None,
                action="staff.pending_enrolments_clean",
                object_type="staff.enrolment",
                detail={**counts, "older_than": before.isoformat()},
            )
    return counts
