"""The one state mover (``case_transition``), the case row lock, events and numbering.

Every other module of the package builds on these; this module imports none of them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onewindow.cases.errors import StaleCase, TransitionNotAllowed
from onewindow.cases.models import Case, CaseEvent, CaseNumberSequence, CaseTask
from onewindow.cases.transitions import case_target_state
from onewindow.org.models import Department, ServiceCentre

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over a phone


# --- the one state mover --------------------------------------------------------------------


def case_transition(
    *,
    case: Case,
    action: str,
    actor: Any,
    reason: str = "",
    expected_revision: int | None = None,
    department: Department | None = None,
    public: bool = True,
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> CaseEvent:
    """Move ``case`` by ``action``. Must run inside a transaction holding the case's row lock
    (all callers lock with ``_lock``)."""
    target = case_target_state(action, case.state)
    if target is None:
        raise TransitionNotAllowed(action=action, state=case.get_state_display())
    if expected_revision is not None and expected_revision != case.revision:
        raise StaleCase()
    now = now or timezone.now()
    from_state = case.state
    case.state = target
    case.revision += 1
    case.save()
    event = CaseEvent.objects.create(
        case=case,
        at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=from_state,
        to_state=target,
        reason=reason,
        department=department,
        public=public,
        data=data or {},
    )
    if public:
        # The applicant hears of a move only once it is committed; a failing notification
        # never undoes or breaks the move (robust: logged, not raised).
        from onewindow.notify.services import notify_case_event

        transaction.on_commit(lambda: notify_case_event(event_id=event.pk), robust=True)
    return event


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("centre__region")
        .get(pk=case.pk)
    )


def _event(
    case: Case,
    *,
    action: str,
    actor: Any,
    task: CaseTask | None = None,
    reason: str = "",
    public: bool = True,
    data: dict[str, Any] | None = None,
    department: Department | None = None,
    now: dt.datetime | None = None,
) -> CaseEvent:
    """An event that does not change the case's state (task steps, papers arriving)."""
    return CaseEvent.objects.create(
        case=case,
        at=now or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=case.state,
        to_state=case.state,
        reason=reason,
        task=task,
        public=public,
        data=data or {},
        department=department or (task.department if task else None),
    )


# --- numbering ------------------------------------------------------------------------------


def case_number_next(*, centre: ServiceCentre, today: dt.date) -> str:
    """A city-unique number: ``CASE_NUMBER_FORMAT`` with district, date and a daily sequence."""
    template = getattr(settings, "CASE_NUMBER_FORMAT", "{district}{date:%Y%m%d}{seq:05d}")
    district = centre.region.code[:6]
    prefix = template.split("{seq")[0].format(district=district, date=today)
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(prefix=prefix)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return template.format(district=district, date=today, seq=sequence.last)


def _query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6))
