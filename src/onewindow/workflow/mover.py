"""The one state mover of every aggregate, and the one revision check.

Inside a service's transaction::

    case = lock(CASE_MACHINE, case)                # SELECT … FOR UPDATE, fresh from the table
    check_revision(CASE_MACHINE, case, expected)   # the page's revision is still the stored one
    ...                                            # the service's own checks and writes
    move(CASE_MACHINE, case, "accept", actor=clerk, reason=..., data=...)

``move`` checks the table, bumps the revision, saves the row, writes the typed event row and
the audit row in the same transaction, and queues the applicant's notification on the task
backend after commit (a failing notification never breaks the move). A move that is told
carries ``notify_pending`` in its event's INSERT: the durable intent, cleared when the notifier
has handed the message to the outbox; ``workflow.tasks``'s sweep tells what a lost hand-off
(broker down, worker restarted) left pending. ``record`` writes an
event that changes no state (papers arriving, a task claimed). Permission is checked by the
service *before* its transaction (``StateMachine.permission_for``), so that a refusal's audit
row is kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from onewindow.core.audit import audit_record
from onewindow.workflow.machine import NEW, StateMachine
from onewindow.workflow.tasks import event_notice_deliver

M = TypeVar("M", bound=models.Model)
LOCKED = "_workflow_locked"


def lock(machine: StateMachine, obj: M, *, related: tuple[str, ...] = ()) -> M:
    """The row of ``obj`` read again under a row lock (must run inside a transaction)."""
    _require_transaction(machine)
    queryset = type(obj)._default_manager.select_for_update(of=("self",))  # type: ignore[attr-defined]
    if related:
        queryset = queryset.select_related(*related)
    fresh: M = queryset.get(pk=obj.pk)
    setattr(fresh, LOCKED, True)
    return fresh


def lock_all(machine: StateMachine, queryset: QuerySet[M]) -> list[M]:
    """Every row of ``queryset`` read under a row lock, ready to be moved."""
    _require_transaction(machine)
    rows = list(queryset.select_for_update(of=("self",)))
    for row in rows:
        setattr(row, LOCKED, True)
    return rows


def bump(machine: StateMachine, obj: Any) -> None:
    """Save a change that is not a move (an opinion written) with a new revision, so that a
    page showing the old one gets the "reload" answer."""
    _require_transaction(machine)
    if machine.revision_field is None:
        raise ValueError(f"{machine.name} keeps no revision")
    setattr(obj, machine.revision_field, getattr(obj, machine.revision_field) + 1)
    obj.save()


def check_revision(machine: StateMachine, obj: Any, expected_revision: int | None) -> None:
    """Refuse with the machine's "reload" error when the caller saw an older revision."""
    if expected_revision is None or machine.revision_field is None:
        return
    if int(expected_revision) != getattr(obj, machine.revision_field):
        raise machine.stale()


def move(
    machine: StateMachine,
    obj: Any,
    action: str,
    *,
    actor: Any,
    reason: str = "",
    data: dict[str, Any] | None = None,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
    public: bool | None = None,
    event: str | None = None,
    event_fields: dict[str, Any] | None = None,
    audit_detail: dict[str, Any] | None = None,
    update_fields: tuple[str, ...] | None = None,
) -> Any:
    """Move ``obj`` by ``action`` and return the event row (or the audit row when the machine
    keeps no event table).

    ``obj`` is either new (its state is ``NEW`` or empty: this move creates it) or was read with
    ``lock``; a row not read that way is locked here and must still match what the caller holds
    (else the machine's stale error). Raises the machine's ``not_allowed`` error for a move the
    table does not allow; nothing is written then. ``update_fields``: save only the state, the
    revision and these fields (default: the whole row)."""
    _require_transaction(machine)
    state_field = machine.state_field
    current = str(getattr(obj, state_field) or NEW)
    target = machine.target(action, current)
    if target is None:
        declared = machine.move_for(action)
        code = (declared.event or action) if declared else action
        raise machine.not_allowed(
            action=machine.events.verb(code), state=machine.state_label(current)
        )
    if current != NEW and obj.pk is not None and not getattr(obj, LOCKED, False):
        _lock_and_compare(machine, obj)
    check_revision(machine, obj, expected_revision)
    declared = machine.move_for(action)
    assert declared is not None
    now = now or timezone.now()
    setattr(obj, state_field, target)
    if machine.revision_field is not None:
        setattr(obj, machine.revision_field, getattr(obj, machine.revision_field) + 1)
    if update_fields is None or current == NEW:
        obj.save()
    else:
        # Only the move's own fields: the row may carry a colleague's newer content that the
        # caller's copy does not (an aggregate without a revision, e.g. a catalogue item).
        own = [state_field, *([machine.revision_field] if machine.revision_field else [])]
        obj.save(update_fields=[*own, *update_fields])
    setattr(obj, LOCKED, True)
    shown = declared.public if public is None else public
    tells = bool(shown and declared.notifies and machine.notifier and machine.event_model)
    row = _write(
        machine,
        obj,
        code=event or declared.event or action,
        actor=actor,
        from_state=current,
        to_state=target,
        reason=reason,
        data=data,
        public=shown,
        now=now,
        event_fields=event_fields,
        audit_action=f"{machine.audit_prefix}{action}",
        audit_detail=audit_detail,
        notify_pending=tells,
    )
    if tells:
        # Queued after commit: only committed moves are told, and a hand-off that fails (the
        # broker unreachable) is logged and never breaks the move — the event stays
        # ``notify_pending`` and the sweep tells it.
        event_id = row.pk
        transaction.on_commit(lambda: _notify(machine, event_id), robust=True)
    return row


def record(
    machine: StateMachine,
    obj: Any,
    code: str,
    *,
    actor: Any,
    reason: str = "",
    data: dict[str, Any] | None = None,
    public: bool = True,
    now: dt.datetime | None = None,
    event_fields: dict[str, Any] | None = None,
    audit: bool = False,
) -> Any:
    """An event of ``obj`` that changes no state (papers arriving, a step claimed)."""
    if code not in machine.events:
        raise ValueError(f"{machine.name}: unknown event type {code!r}")
    state = str(getattr(obj, machine.state_field) or NEW)
    return _write(
        machine,
        obj,
        code=code,
        actor=actor,
        from_state=state,
        to_state=state,
        reason=reason,
        data=data,
        public=public,
        now=now or timezone.now(),
        event_fields=event_fields,
        audit_action=f"{machine.audit_prefix}{code}" if audit else None,
        audit_detail=None,
    )


# --- internals --------------------------------------------------------------------------------


def _require_transaction(machine: StateMachine) -> None:
    from django.db import connection

    if not connection.in_atomic_block:
        raise RuntimeError(f"{machine.name}: moves run inside the service's transaction")


def _lock_and_compare(machine: StateMachine, obj: Any) -> None:
    fields = [machine.state_field]
    if machine.revision_field:
        fields.append(machine.revision_field)
    stored = (
        type(obj)
        ._default_manager.select_for_update(of=("self",))
        .filter(pk=obj.pk)
        .values_list(*fields)
        .first()
    )

    def comparable(field_name: str, value: Any) -> Any:
        return str(value) if field_name == machine.state_field else value

    held = tuple(comparable(f, getattr(obj, f)) for f in fields)
    if stored is None or tuple(map(comparable, fields, stored)) != held:
        raise machine.stale()


def _notify(machine: StateMachine, event_id: int) -> None:
    """Queue the telling of the committed event (``workflow.tasks.event_notice_deliver``): the
    notifier runs on the task backend (a worker, a thread), never inside the request."""
    event_notice_deliver.enqueue(machine=machine.name, event_id=event_id)


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _write(
    machine: StateMachine,
    obj: Any,
    *,
    code: str,
    actor: Any,
    from_state: str,
    to_state: str,
    reason: str,
    data: dict[str, Any] | None,
    public: bool,
    now: dt.datetime,
    event_fields: dict[str, Any] | None,
    audit_action: str | None,
    audit_detail: dict[str, Any] | None,
    notify_pending: bool = False,
) -> Any:
    event_model = machine.event_model_class()
    row: Any = None
    if event_model is not None:
        event_from, event_to = (
            machine.event_states(obj, from_state, to_state)
            if machine.event_states
            else (from_state, to_state)
        )
        row = event_model._default_manager.create(  # type: ignore[attr-defined]
            **machine.event_fields(obj),
            at=now,
            actor=_actor(actor),
            action=code,
            from_state=event_from,
            to_state=event_to,
            reason=reason,
            public=public,
            data=data or {},
            notify_pending=notify_pending,
            **(event_fields or {}),
        )
    if audit_action is not None:
        detail: dict[str, Any] = {"from": from_state, "to": to_state}
        if row is not None:
            detail["event"] = row.pk
        if reason and event_model is None:
            detail["reason"] = reason
        detail.update(audit_detail or {})
        audit = audit_record(actor=actor, action=audit_action, obj=obj, detail=detail)
        row = row if row is not None else audit
    return row
