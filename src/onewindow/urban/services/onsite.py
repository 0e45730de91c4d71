"""On site (the grid worker of the case's grid; the 值班长 by video): 核实 a public report,
核查 a unit's feedback (with the "after" photo), and 返工 when it is not done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ErrorList
from onewindow.org.permissions import require
from onewindow.urban.codes import PhotoKind
from onewindow.urban.models import CaseStage, GridCase
from onewindow.urban.services.common import (
    MACHINE,
    begin,
    now_or,
    photos_keep,
    photos_required,
    stage_start,
    text,
    uploads_of,
)
from onewindow.urban.transitions import CaseState


def case_verify(
    *,
    actor: Any,
    case: GridCase,
    revision: int | None,
    found_true: Any,
    note: str = "",
    photos: Sequence[Any] = (),
    now: dt.datetime | None = None,
) -> GridCase:
    """核实: the grid worker has looked on site; as reported or not, the report goes to the
    值班长 (who files it, or refuses a report found false)."""
    require(actor, MACHINE.permission_for("verify"), case, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "verify", revision)
        errors = ErrorList()
        if not isinstance(found_true, bool):
            errors.add("found_true", "required", _("Say whether it is as reported."))
        note = text(
            errors,
            "note",
            note,
            required=found_true is False,
            max_length=1000,
            missing=_("Say what you found on site."),
        )
        errors.raise_if_any(_("The verification is not recorded; correct the marked fields."))
        uploads = uploads_of(photos)
        with ExitStack() as files:
            kept = photos_keep(
                files, actor=actor, case=row, uploads=uploads, kind=PhotoKind.VERIFY, now=now
            )
            row.verified_at, row.verified_true = now, found_true
            on_time = row.verify_due_at is None or now <= row.verify_due_at
            mover_data = {"found_true": found_true, "photos": len(kept), "on_time": on_time}
            _move(row, "verify", actor, now, note, mover_data)
    return row


def case_check(
    *,
    actor: Any,
    case: GridCase,
    revision: int | None,
    note: str = "",
    photos: Sequence[Any] = (),
    now: dt.datetime | None = None,
) -> GridCase:
    """核查, done: the problem is gone (the "after" photo shows it); the 值班长 closes it."""
    require(actor, MACHINE.permission_for("check"), case, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "check", revision)
        errors = ErrorList()
        note = text(errors, "note", note, required=False, max_length=1000)
        errors.raise_if_any(_("The check is not recorded; correct the marked fields."))
        uploads = photos_required(photos, _("Take the photo of the place after handling."))
        with ExitStack() as files:
            kept = photos_keep(
                files, actor=actor, case=row, uploads=uploads, kind=PhotoKind.AFTER, now=now
            )
            _checked(row, now)
            _move(
                row,
                "check",
                actor,
                now,
                note,
                {"photos": len(kept), "on_time": row.checked_on_time},
            )
    return row


def _checked(row: GridCase, now: dt.datetime) -> None:
    row.checked_at = now
    row.checked_on_time = row.check_due_at is None or now <= row.check_due_at


def case_rework(
    *,
    actor: Any,
    case: GridCase,
    revision: int | None,
    reason: str,
    photos: Sequence[Any] = (),
    now: dt.datetime | None = None,
) -> GridCase:
    """返工: not done (the grid worker on checking, or the 值班长 before closing); back to the
    unit, its last stage starting again now."""
    require(actor, MACHINE.permission_for("rework"), case, hide=True)
    now = now_or(now)
    with transaction.atomic():
        row = begin(case, "rework", revision)
        errors = ErrorList()
        reason = text(
            errors, "reason", reason, max_length=1000, missing=_("Say what is still not done.")
        )
        errors.raise_if_any(_("The case is not sent back; correct the marked fields."))
        uploads = uploads_of(photos)
        with ExitStack() as files:
            kept = photos_keep(
                files, actor=actor, case=row, uploads=uploads, kind=PhotoKind.AFTER, now=now
            )
            if row.state == CaseState.TO_CHECK:
                _checked(row, now)
            last = (
                CaseStage.objects.filter(case=row, done_at__isnull=False).order_by("-order").first()
            )
            if last is None:
                last = CaseStage.objects.filter(case=row).order_by("-order").first()
            assert last is not None
            stage_start(row, last, now)
            row.rework_count += 1
            # A late feedback stays late through a rework (the rework is no second chance).
            row.check_due_at = None
            if row.handled_on_time is not False:
                row.handled_on_time = None
            _move(
                row,
                "rework",
                actor,
                now,
                reason,
                {
                    "stage": last.order,
                    "photos": len(kept),
                    "due_at": last.due_at.isoformat() if last.due_at else None,
                },
            )
    return row


def _move(
    row: GridCase, action: str, actor: Any, now: dt.datetime, reason: str, data: dict[str, Any]
) -> None:
    from onewindow.workflow import mover

    mover.move(MACHINE, row, action, actor=actor, now=now, reason=reason, data=data)


__all__ = ["case_check", "case_rework", "case_verify"]
