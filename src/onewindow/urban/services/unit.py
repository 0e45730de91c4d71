"""The handling unit's moves (处置单位): 回退 a case that is not its matter, finish a stage of a
staged limit, 处置反馈 with its photos, and ask for an extension (延期) or parking (挂账)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ErrorList
from onewindow.core.validation import record_id
from onewindow.enforcement.services import task_concluded
from onewindow.org.permissions import Action, require
from onewindow.urban.codes import PhotoKind, RequestDecision, RequestKind
from onewindow.urban.errors import GridCaseRefused
from onewindow.urban.models import CaseRequest, CaseStage, GridCase
from onewindow.urban.services.common import (
    MACHINE,
    begin,
    check_limit_hours,
    clock_stop,
    enforcement_release,
    enforcement_release_check,
    now_or,
    photos_keep,
    photos_required,
    requests_withdraw,
    stage_current,
    stage_start,
    stages_of,
    still_allowed,
    text,
    working_hours_after,
)
from onewindow.urban.transitions import CaseState
from onewindow.workflow import mover

EXTRA_MAX = 999


def case_return(
    *, actor: Any, case: GridCase, revision: int | None, reason: str, now: dt.datetime | None = None
) -> GridCase:
    """回退: not this unit's matter; back to the command centre with the reason (the clock
    stops; the dispatch was not accurate)."""
    require(actor, MACHINE.permission_for("return"), case, hide=True)
    enforcement_release_check(actor, case, "return")
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "return", revision)
        still_allowed(actor, Action.URBAN_HANDLE, row)
        errors = ErrorList()
        reason = text(
            errors,
            "reason",
            reason,
            max_length=1000,
            missing=_("Say why this is not your unit's matter and whose it is."),
        )
        errors.raise_if_any(_("The case is not returned; correct the marked fields."))
        requests_withdraw(row, now)
        before = row.unit_id
        CaseStage.objects.filter(case=row).update(started_at=None, due_at=None, done_at=None)
        clock_stop(row)
        row.unit, row.return_count, row.dispatch_accurate = None, row.return_count + 1, False
        # Returned by the enforcement team: its task for the case is dropped.
        enforcement_release(
            actor,
            row,
            "return",
            _("Grid case %(number)s was returned to the command centre: %(reason)s"),
            now,
            reason=reason,
        )
        mover.move(
            MACHINE, row, "return", actor=actor, now=now, reason=reason, data={"unit": before}
        )
    return row


def stage_done(
    *,
    actor: Any,
    case: GridCase,
    revision: int | None,
    note: str = "",
    now: dt.datetime | None = None,
) -> GridCase:
    """A stage of a staged limit done (stop work, then the penalty, …): the next starts now.
    The last stage ends with the feedback instead."""
    require(actor, MACHINE.permission_for("feedback"), case, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "feedback", revision)
        still_allowed(actor, Action.URBAN_HANDLE, row)
        errors = ErrorList()
        note = text(
            errors, "note", note, max_length=1000, missing=_("Say what was done in this stage.")
        )
        errors.raise_if_any(_("The stage is not finished; correct the marked fields."))
        stages = stages_of(row)
        current = stage_current(stages)
        later = [s for s in stages if current and s.order > current.order]
        if current is None or not later:
            raise GridCaseRefused(
                _("This is the last stage: feed back when the case is handled."), code="last_stage"
            )
        current.done_at = now
        current.save(update_fields=["done_at"])
        # A pending extension was asked for the stage now done: withdrawn, not carried over.
        requests_withdraw(row, now)
        stage_start(row, later[0], now)
        mover.record(
            MACHINE,
            row,
            "stage",
            actor=actor,
            now=now,
            reason=note,
            public=False,
            data={
                "done": current.order,
                "on_time": bool(current.due_at and now <= current.due_at),
                "next": later[0].order,
                "due_at": later[0].due_at.isoformat() if later[0].due_at else None,
            },
        )
        mover.bump(MACHINE, row)
    return row


def case_feedback(
    *,
    actor: Any,
    case: GridCase,
    revision: int | None,
    note: str,
    photos: Sequence[Any] = (),
    now: dt.datetime | None = None,
) -> GridCase:
    """处置反馈: the unit says what it did, with at least one photo of the handling; on time when
    within the current stage's deadline. To be checked on site within
    ``URBAN_CHECK_LIMIT_HOURS`` working hours."""
    require(actor, MACHINE.permission_for("feedback"), case, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "feedback", revision)
        still_allowed(actor, Action.URBAN_HANDLE, row)
        errors = ErrorList()
        note = text(errors, "note", note, max_length=2000, missing=_("Say what was done."))
        errors.raise_if_any(_("The feedback is not sent; correct the marked fields."))
        task = row.enforcement_task
        if task is not None and task.team_id == row.unit_id and not task_concluded(task):
            raise GridCaseRefused(
                _(
                    "The enforcement task %(number)s is not concluded: record its inspection, "
                    "notice, re-inspection (and decision) first, then feed back."
                ),
                code="enforcement_open",
                number=task.number,
            )
        uploads = photos_required(photos, _("Add at least one photo of the handling."))
        with ExitStack() as files:
            kept = photos_keep(
                files, actor=actor, case=row, uploads=uploads, kind=PhotoKind.HANDLING, now=now
            )
            stages = stages_of(row)
            current = stage_current(stages) or (stages[-1] if stages else None)
            due = current.due_at if current else row.due_at
            if current is not None:
                current.done_at = now
                current.save(update_fields=["done_at"])
            requests_withdraw(row, now)
            row.handled_at = now
            on_time = due is not None and now <= due
            row.handled_on_time = on_time and row.handled_on_time is not False
            row.check_due_at = working_hours_after(now, check_limit_hours())
            mover.move(
                MACHINE,
                row,
                "feedback",
                actor=actor,
                now=now,
                reason=note,
                data={
                    "photos": len(kept),
                    "on_time": row.handled_on_time,
                    "check_due_at": row.check_due_at.isoformat(),
                },
            )
    return row


def request_make(
    *,
    actor: Any,
    case: GridCase,
    revision: int | None,
    kind: Any,
    reason: str,
    extra: Any = None,
    now: dt.datetime | None = None,
) -> CaseRequest:
    """The unit asks the 值班长 for more time (``extra``, in the current stage's unit) or to
    park the case; one request waits at a time."""
    require(actor, MACHINE.permission_for("feedback"), case, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "feedback", revision)
        still_allowed(actor, Action.URBAN_HANDLE, row)
        if row.state != CaseState.HANDLING:  # pragma: no cover - the table says the same
            raise MACHINE.not_allowed(action="request", state=MACHINE.state_label(row.state))
        errors = ErrorList()
        if kind not in RequestKind.values:
            errors.add("kind", "invalid", _("Ask for an extension or for parking."))
        amount = None
        if kind == RequestKind.EXTENSION:
            amount = record_id(extra) if extra is not None else None
            if amount is None or amount > EXTRA_MAX:
                errors.add(
                    "extra",
                    "out_of_range",
                    _("Ask for between 1 and %(most)s more."),
                    most=EXTRA_MAX,
                )
        reason = text(
            errors, "reason", reason, max_length=1000, missing=_("Say why the unit needs this.")
        )
        errors.raise_if_any(_("The request is not sent; correct the marked fields."))
        if CaseRequest.objects.filter(case=row, decision=RequestDecision.PENDING).exists():
            raise GridCaseRefused(
                _("A request on this case is already waiting for the supervision centre."),
                code="request_pending",
            )
        assert row.unit_id is not None  # a case being handled is held by a unit
        try:
            with transaction.atomic():
                request = CaseRequest.objects.create(
                    case=row,
                    kind=kind,
                    reason=reason,
                    extra=amount,
                    department_id=row.unit_id,
                    asked_by=actor,
                    asked_at=now,
                )
        except IntegrityError:
            raise GridCaseRefused(
                _("A request on this case is already waiting for the supervision centre."),
                code="request_pending",
            ) from None
        mover.record(
            MACHINE,
            row,
            "request",
            actor=actor,
            now=now,
            reason=reason,
            public=False,
            data={"request": request.pk, "kind": kind, "extra": amount},
        )
        mover.bump(MACHINE, row)
    return request


__all__ = ["case_feedback", "case_return", "request_make", "stage_done"]
