"""One-time enrolment codes for the second factor (ADR 0012, amended).

An account with no confirmed device enrols only with a code the security administrator issued
for it out of band: shown once, kept as a keyed hash (``core.crypto.blind_index``), valid for
``STAFF_ENROLMENT_CODE_HOURS`` and used once. ``STAFF_ENROLMENT_NEEDS_CODE`` switches the rule
on (the default when DEBUG=0).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onewindow.core.audit import audit_record
from onewindow.core.crypto import blind_index
from onewindow.org.permissions import Action, require
from onewindow.staff.models import EnrolmentCode

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
    require(actor, Action.SECURITY_MANAGE)
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    with transaction.atomic():
        now = timezone.now()
        EnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
        row = EnrolmentCode.objects.create(
            user=user,
            digest=digest(code),
            issued_by=actor,
            expires_at=now + timedelta(hours=valid_hours()),
        )
        audit_record(
            actor=actor,
            action="staff.enrolment_code_issue",
            obj=user,
            detail={"code": row.pk, "expires_at": row.expires_at.isoformat()},
        )
    return code


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
