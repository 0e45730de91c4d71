"""What every move of a grid case shares: the row locked, its revision and the table checked
before any input is looked at; the one deadline of a stage (``stage_due_for``); the stages
started and finished; photos kept as electronic papers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ErrorList, FieldError, NotFoundOrForbidden, ValidationFailed
from onewindow.core.validation import checked_text
from onewindow.enforcement.services import task_release, task_release_check
from onewindow.org.permissions import Action, can
from onewindow.papers.models import PaperSource, PaperType
from onewindow.papers.services import paper_stored
from onewindow.urban.codes import RequestDecision
from onewindow.urban.events import CASE_EVENTS
from onewindow.urban.limits import office_hours_of, stage_due
from onewindow.urban.models import CasePhoto, CaseRequest, CaseStage, GridCase
from onewindow.urban.transitions import CASE_MACHINE
from onewindow.workflow import mover
from onewindow.workflow.clock import TimeUnit, due_after

MACHINE = CASE_MACHINE
TEXT_MAX_LENGTH = 2000
PHOTOS_MAX = 6
PHOTO_TYPES = frozenset({PaperType.JPEG, PaperType.PNG})
WITHDRAWN_NOTE = "withdrawn: the case left the unit before a decision"

PHOTO_NOT_KEPT = _("The photos are not kept; nothing was saved.")
PHOTO_MISSING = _("Nothing was saved: a photo is needed.")


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def begin(case: GridCase, action: str, revision: int | None) -> GridCase:
    """In the move's transaction: the row locked, the page's revision checked (a missing one is
    stale), the table asked — before any input is looked at."""
    if revision is None:
        raise MACHINE.stale()
    fresh = mover.lock(MACHINE, case)
    mover.check_revision(MACHINE, fresh, revision)
    refuse_unless_allowed(fresh, action)
    return fresh


def refuse_unless_allowed(case: GridCase, action: str) -> None:
    if MACHINE.target(action, case.state) is None:
        raise MACHINE.not_allowed(
            action=CASE_EVENTS.verb(action), state=MACHINE.state_label(case.state)
        )


def still_allowed(actor: Any, action: Action, case: GridCase) -> None:
    """The locked row is still the actor's (a unit that no longer holds it: "not found")."""
    if not can(actor, action, case):
        raise NotFoundOrForbidden()


def text(
    errors: ErrorList,
    name: str,
    value: Any,
    *,
    required: bool = True,
    max_length: int = TEXT_MAX_LENGTH,
    missing: Any = None,
) -> str:
    return checked_text(
        errors, name, value, max_length=max_length, required=required, missing=missing
    )


def check_limit_hours() -> int:
    """Working hours within which a unit's feedback is checked on site (核查)."""
    return int(getattr(settings, "URBAN_CHECK_LIMIT_HOURS", 1))


# --- stages and the handling clock --------------------------------------------------------------


def stage_due_for(
    case: GridCase, stage: CaseStage, start: dt.datetime, *, limit: int | None = None
) -> dt.datetime:
    """The one deadline of a grid case's stage: ``limit`` (the stage's own by default; an
    extension's extra time) of the stage's unit from ``start``, in working hours counted in
    the office hours of the unit that holds the case (``HandlingUnit.office_hours``; the
    platform's when it has none)."""
    return stage_due(
        start=start,
        limit=stage.limit if limit is None else limit,
        unit=stage.unit,
        office_hours=office_hours_of(case.unit_id) if case.unit_id else None,
    )


def stage_start(case: GridCase, stage: CaseStage, now: dt.datetime) -> None:
    """Start ``stage`` at ``now``: its deadline is the case's (saved: the stage; the case by
    the caller's move)."""
    stage.started_at, stage.done_at = now, None
    stage.due_at = stage_due_for(case, stage, now)
    stage.save(update_fields=["started_at", "done_at", "due_at"])
    clock_follow(case, stage)


def clock_follow(case: GridCase, stage: CaseStage) -> None:
    """The case's clock fields (``workflow.clock.Clocked``) are the current stage's."""
    case.time_limit, case.time_limit_unit = stage.limit, stage.unit
    case.due_at, case.paused_since = stage.due_at, None


def clock_stop(case: GridCase) -> None:
    case.due_at, case.paused_since = None, None


def stages_of(case: GridCase) -> list[CaseStage]:
    return list(CaseStage.objects.filter(case=case).order_by("order"))


def stage_current(stages: Sequence[CaseStage]) -> CaseStage | None:
    """The stage running now: started and not done."""
    return next((s for s in stages if s.started_at and not s.done_at), None)


def stages_restart(case: GridCase, now: dt.datetime) -> CaseStage:
    """Every stage from the beginning again; the first starts at ``now``."""
    stages = stages_of(case)
    CaseStage.objects.filter(case=case).update(started_at=None, due_at=None, done_at=None)
    first = stages[0]
    stage_start(case, first, now)
    return first


def requests_withdraw(case: GridCase, now: dt.datetime) -> int:
    """Inside a move that takes the case from its unit: the unit's pending request is closed
    undecided."""
    return CaseRequest.objects.filter(case=case, decision=RequestDecision.PENDING).update(
        decision=RequestDecision.REFUSED, decided_at=now, decision_note=WITHDRAWN_NOTE
    )


def enforcement_release_check(actor: Any, case: GridCase, via: str) -> None:
    """Before a move that takes the case from the enforcement team (outside its transaction,
    so a refusal's audit row stays): refused when the team's task has an inspection on record
    and the actor may not drop it (only the team's lead or the dispatcher may)."""
    task = case.enforcement_task if case.enforcement_task_id is not None else None
    if task is not None:
        task_release_check(actor=actor, task=task, via=via)


def enforcement_release(
    actor: Any, case: GridCase, via: str, template: Any, now: dt.datetime, **params: Any
) -> None:
    """Inside a move that takes the case from the enforcement team (二次派遣 elsewhere, 回退,
    作废): the team's task for it is dropped (when still open) and unbound, with ``template``
    filled from the case's number and ``params`` as the reason, so
    no officer goes on working a matter the case no longer asks of the team. The reason is
    stored in the platform's language (``LANGUAGE_CODE``), whatever the actor's page shows."""
    task = case.enforcement_task if case.enforcement_task_id is not None else None
    if task is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = str(template) % {"number": case.number, **params}
    task_release(actor=actor, task=task, reason=text, via=via, now=now)
    case.enforcement_task = None


# --- photos -------------------------------------------------------------------------------------


def _photo_refused(
    message: Any, *, code: str, headline: Any = PHOTO_NOT_KEPT, **params: Any
) -> ValidationFailed:
    return ValidationFailed(
        headline,
        [FieldError(field="photos", code=code, message=message, params=params)],
        code="photo_refused",
    )


def uploads_of(photos: Iterable[Any]) -> list[tuple[Any, str]]:
    """``(file, name)`` pairs, or uploaded files (their own name)."""
    found = []
    for item in photos or ():
        if isinstance(item, tuple):
            upload, name = item
        else:
            upload, name = item, getattr(item, "name", "") or "photo"
        found.append((upload, str(name)))
    return found


def photos_required(photos: Iterable[Any], message: Any) -> list[tuple[Any, str]]:
    uploads = uploads_of(photos)
    if not uploads:
        raise _photo_refused(message, code="required", headline=PHOTO_MISSING)
    return uploads


def photos_keep(
    files: ExitStack,
    *,
    actor: Any,
    case: GridCase,
    uploads: Sequence[tuple[Any, str]],
    kind: str,
    now: dt.datetime,
) -> list[CasePhoto]:
    """Each photo checked by content (a JPEG or a PNG within ``PAPER_MAX_MB``, re-encoded
    without EXIF, encrypted) and linked to the case; run inside the move's transaction with
    ``files`` its ExitStack: a refusal removes the files already written."""
    if len(uploads) > PHOTOS_MAX:
        raise _photo_refused(
            _("At most %(max)s photos at a time."), code="too_many", max=PHOTOS_MAX
        )
    kept = []
    for upload, name in uploads:
        paper = files.enter_context(
            paper_stored(upload=upload, name=name, source=PaperSource.WINDOW, actor=actor)
        )
        if paper.content_type not in PHOTO_TYPES:
            raise _photo_refused(
                _("%(name)s is not a photo: send a JPEG or PNG picture."),
                code="not_a_photo",
                name=name,
            )
        kept.append(
            CasePhoto.objects.create(
                case=case, paper=paper, kind=kind, added_by=actor, added_at=now
            )
        )
    return kept


def working_hours_after(now: dt.datetime, hours: int) -> dt.datetime:
    return due_after(now, hours, TimeUnit.WORKING_HOUR)
