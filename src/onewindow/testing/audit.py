"""Test helpers for the append-only audit trail (``core.audit_guard``, ADR 0011).

The database refuses to delete audit rows, so a test that wants "the rows written from now on"
takes a mark and reads after it — ``mark = audit_mark()`` … ``audit_since(mark)`` — instead of
emptying the table.
"""

from __future__ import annotations

from django.db.models import Max, QuerySet

from onewindow.core.models import AuditLog


def audit_mark() -> int:
    """The highest audit row id so far (0 when there is none)."""
    return int(AuditLog.objects.aggregate(last=Max("id"))["last"] or 0)


def audit_since(mark: int) -> QuerySet[AuditLog]:
    """The audit rows written after ``mark``, oldest first."""
    return AuditLog.objects.filter(id__gt=mark).order_by("id")
