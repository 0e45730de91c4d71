"""Opening and dropping an enforcement task, and the one question the grid case asks of it.

- ``task_open`` — the team's officer on patrol, or the grid command centre's dispatcher when it
  dispatches a grid case to the enforcement team (``urban``: it passes the case's number as
  ``origin`` and the stage's deadline as ``due_at``). The actor holds ``urban.dispatch``
  (anywhere) or ``enforcement.work`` for the team.
- ``task_drop`` — 撤销, with the reason: the team's lead (``enforcement.decide``), or the
  dispatcher when the grid case that opened it is voided or sent elsewhere.
- ``task_release_check`` / ``task_release`` — the same end when the grid case leaves the team
  (二次派遣 elsewhere, 回退 by the team, 作废), called by ``urban`` before and inside the case's
  own transaction: a task with nothing on record yet goes with the case (the case's service has
  checked its actor on the case); one with an inspection on record only when the actor may drop
  it (the team's lead, the dispatcher) — else the case's move is refused (audited); an ended
  task is left alone.
- ``task_concluded`` — done (no violation, rectified, or a penalty decided).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList
from onewindow.enforcement.codes import TEAM_UNIT_KIND, Outcome
from onewindow.enforcement.errors import EnforcementRefused
from onewindow.enforcement.models import EnforcementTask
from onewindow.enforcement.services.common import (
    MACHINE,
    PLACE_MAX_LENGTH,
    begin,
    now_or,
    task_number_next,
    text,
)
from onewindow.enforcement.transitions import OPEN_STATES, TaskState
from onewindow.org.models import Department, Region
from onewindow.org.permissions import Action, TargetScope, can, require
from onewindow.workflow import mover

INVALID_TASK = _("The enforcement task is not opened; correct the marked fields.")
NOT_A_TEAM = _(
    "This department is not a comprehensive enforcement team; choose the enforcement team."
)


def _coordinate(errors: ErrorList, name: str, value: Any, bound: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.add(name, "invalid", _("Give the coordinate as a decimal number of degrees."))
        return None
    if isinstance(value, bool) or not math.isfinite(number) or abs(number) > bound:
        errors.add(
            name,
            "out_of_range",
            _("A coordinate must lie between -%(bound)s and %(bound)s."),
            bound=int(bound),
        )
        return None
    return round(number, 7)


def _may_open(actor: Any, team_id: int) -> bool:
    return can(actor, Action.URBAN_DISPATCH) or can(
        actor, Action.ENFORCEMENT_WORK, TargetScope(department_ids=frozenset({team_id}))
    )


def task_open(
    *,
    actor: Any,
    team: Department,
    matter: str,
    place: str,
    region_code: str,
    longitude: Any = None,
    latitude: Any = None,
    origin: str = "",
    due_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> EnforcementTask:
    """Open a task for the enforcement ``team`` (state ``open``, audited
    ``enforcement.task_open``). The actor holds ``urban.dispatch`` (the grid command centre) or
    ``enforcement.work`` for the team; anyone else is refused (403, audited) before anything is
    looked at. ``team`` must be a department whose handling unit is of the enforcement kind;
    ``origin`` is the grid case's number (or empty); ``due_at`` the task's own deadline."""
    team_id = getattr(team, "pk", None)
    if not isinstance(team_id, int) or not _may_open(actor, team_id):
        require(
            actor,
            Action.ENFORCEMENT_WORK,
            TargetScope(department_ids=frozenset({team_id} if isinstance(team_id, int) else ())),
        )
        raise AssertionError("unreachable")  # pragma: no cover - require raised
    now = now_or(now)
    errors = ErrorList()
    matter = text(
        errors,
        "matter",
        matter,
        max_length=120,
        multiline=False,
        missing=_("Say in a few words what is to be enforced."),
    )
    place = text(
        errors, "place", place, required=False, max_length=PLACE_MAX_LENGTH, multiline=False
    )
    region_code = text(
        errors, "region_code", region_code, required=False, max_length=12, multiline=False
    )
    if region_code and not Region.objects.filter(code=region_code).exists():
        errors.add("region_code", "unknown", _("No such street or community."))
    origin = text(errors, "origin", origin, required=False, max_length=24, multiline=False)
    if origin and not (origin.isascii() and origin.isalnum()):
        errors.add(
            "origin", "invalid", _("The origin is a grid case's number (letters and digits).")
        )
    lon = _coordinate(errors, "longitude", longitude, 180)
    lat = _coordinate(errors, "latitude", latitude, 90)
    if (lon is None) != (lat is None):
        errors.add("latitude", "incomplete", _("Give both latitude and longitude, or neither."))
    if due_at is not None and (not isinstance(due_at, dt.datetime) or timezone.is_naive(due_at)):
        errors.add("due_at", "invalid", _("The deadline must be a moment with its time zone."))
    errors.raise_if_any(INVALID_TASK)
    if not Department.objects.filter(
        pk=team_id, is_active=True, hotline_unit__kind=TEAM_UNIT_KIND
    ).exists():
        raise EnforcementRefused(NOT_A_TEAM, code="not_enforcement_team")
    with transaction.atomic():
        task = EnforcementTask(
            team_id=team_id,
            origin=origin,
            matter=matter,
            place=place,
            region_code=region_code,
            longitude=lon,
            latitude=lat,
            opened_at=now,
            opened_by=actor if getattr(actor, "is_authenticated", False) else None,
            due_at=due_at,
            state="",
        )
        task.number = task_number_next(today=timezone.localtime(now).date())
        mover.move(MACHINE, task, "open", actor=actor, now=now, data={"origin": origin})
    return task


def task_drop(
    *,
    actor: Any,
    task: EnforcementTask,
    revision: Any,
    reason: str,
    now: dt.datetime | None = None,
) -> EnforcementTask:
    """撤销: the task ends without a decision (the matter is another authority's, the grid case
    was voided). The team's lead, or the grid command centre's dispatcher; anyone else — and a
    task of another team — gets the one "not found"."""
    if not can(actor, Action.URBAN_DISPATCH):
        require(actor, MACHINE.permission_for("drop"), task, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(task, "drop", revision)
        errors = ErrorList()
        reason = text(
            errors, "reason", reason, max_length=1000, missing=_("Say why the task is dropped.")
        )
        errors.raise_if_any(_("The task is not dropped; correct the marked fields."))
        row.outcome, row.drop_reason, row.concluded_at = Outcome.DROPPED, reason, now
        row.rectify_due_at = None
        mover.move(MACHINE, row, "drop", actor=actor, now=now, reason=reason)
    return row


RELEASE_REASON_MAX_LENGTH = 2000
RECORDS_KEPT = _(
    "The enforcement task %(number)s already has its inspection on record: only the team's "
    "lead may drop it. Ask the lead to drop the task (撤销) first, then go on."
)


def _releasable(actor: Any, task: EnforcementTask) -> bool:
    """May the task go with its grid case? Nothing on record yet (``open``), already ended, or
    the actor may drop it (the dispatcher, the team's lead)."""
    if task.state == TaskState.OPEN or task.state not in OPEN_STATES:
        return True
    return can(actor, Action.URBAN_DISPATCH) or can(actor, MACHINE.permission_for("drop"), task)


def task_release_check(*, actor: Any, task: EnforcementTask, via: str) -> None:
    """Before the grid case's move ``via`` (outside its transaction, so that the refusal's
    audit row stays): ``EnforcementRefused`` (``task_has_records``, audited) when the task has
    an inspection on record and the actor may not drop it."""
    fresh = EnforcementTask.objects.filter(pk=task.pk).first()
    if fresh is None or _releasable(actor, fresh):
        return
    audit_record(
        actor=actor,
        action=f"denied:{MACHINE.permission_for('drop')}",
        obj=fresh,
        allowed=False,
        detail={"reason": "records_kept", "via": via, "state": str(fresh.state)},
    )
    raise EnforcementRefused(RECORDS_KEPT, code="task_has_records", number=fresh.number)


def task_release(
    *, actor: Any, task: EnforcementTask, reason: str, via: str, now: dt.datetime | None = None
) -> EnforcementTask:
    """The grid case that opened ``task`` no longer lies with the team (``via``: its move): the
    task is dropped (撤销, audited ``enforcement.task_drop`` like any drop, with ``via`` and the
    case's number) with ``reason`` — the case's own words — so the team's list no longer shows
    it and no officer records on it. Must run inside the case's transaction, after
    ``task_release_check``; the caller has checked the actor on the case. A task that has ended
    (concluded or dropped) is returned as it is: a penalty decided stays decided. A task that
    got an inspection on record since the check, for an actor who may not drop it, is refused
    (``task_has_records``: the case's move rolls back)."""
    now = now_or(now)
    row = mover.lock(MACHINE, task)
    if row.state not in OPEN_STATES:
        return row
    if not _releasable(actor, row):
        raise EnforcementRefused(RECORDS_KEPT, code="task_has_records", number=row.number)
    reason = " ".join(str(reason).split())[:RELEASE_REASON_MAX_LENGTH]
    row.outcome, row.drop_reason, row.concluded_at = Outcome.DROPPED, reason, now
    row.rectify_due_at = None
    mover.move(
        MACHINE,
        row,
        "drop",
        actor=actor,
        now=now,
        reason=reason,
        audit_detail={"via": via, "case": row.origin},
    )
    return row


def task_concluded(task: EnforcementTask) -> bool:
    """Is the task done — no violation found, rectified, or a penalty decided? (A dropped task
    is not concluded: the grid case goes back to the command centre.)"""
    return str(task.state) == TaskState.CONCLUDED
