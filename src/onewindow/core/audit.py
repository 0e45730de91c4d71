"""Writing the audit trail. Call inside the transaction of the change being audited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models

from onewindow.core.models import AuditLog


@dataclass
class RefusalCount:
    """How many refusals (``allowed=False`` rows) were written while it was being watched."""

    count: int = 0


# Set by ``refusals_counted`` around one page; ``audit_record`` counts the refusals it writes, so
# a page decorator can tell whether a refusal it is about to answer was already audited (by
# ``permissions.require`` or any other check) and write a row only for the ones that were not.
_refusals: ContextVar[RefusalCount | None] = ContextVar("onewindow_audit_refusals", default=None)


@contextmanager
def refusals_counted() -> Iterator[RefusalCount]:
    """Count the refusals audited inside the block (in this thread or task only)."""
    counter = RefusalCount()
    token = _refusals.set(counter)
    try:
        yield counter
    finally:
        _refusals.reset(token)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    allowed: bool = True,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    row = AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        allowed=allowed,
        detail=detail or {},
    )
    counter = _refusals.get()
    if counter is not None and not allowed:
        counter.count += 1
    return row
