"""What every enforcement move shares: the row locked and its revision checked, texts and
moments checked at the edge, the officers checked against the team, photos kept as papers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.services import sequence_next
from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList
from onewindow.core.validation import checked_text
from onewindow.enforcement.events import TASK_EVENTS
from onewindow.enforcement.models import EnforcementTask, TaskPhoto
from onewindow.enforcement.transitions import TASK_MACHINE
from onewindow.org.codes import Role
from onewindow.org.models import RoleAssignment
from onewindow.workflow import mover

MACHINE = TASK_MACHINE
TEXT_MAX_LENGTH = 4000
PLACE_MAX_LENGTH = 255
PHOTOS_MAX = 10
OFFICERS_MIN = 2
OFFICERS_MAX = 10
# A record's time typed on a phone is to the minute; the clocks of phone and server may differ.
CLOCK_SKEW = dt.timedelta(minutes=5)
# 荔湾区综合行政执法: the district's short name heads its documents' numbers.
DOCUMENT_PREFIX_DEFAULT = "荔综执"

Upload = tuple[Any, str]  # (the uploaded file, its name as uploaded)


@dataclass(frozen=True)
class LegalBasis:
    """The legal basis of a notice or a decision: the law or regulation and its article."""

    law: str
    article: str


def document_number(*, kind: str, year: int) -> str:
    """荔综执改字〔2026〕第7号 (notices: ``kind="改"``), 荔综执罚决字〔2026〕第7号 (decisions:
    ``kind="罚决"``): a sequence per kind and year (in the caller's transaction: call it last)."""
    prefix = getattr(settings, "ENFORCEMENT_DOCUMENT_PREFIX", DOCUMENT_PREFIX_DEFAULT)
    seq = sequence_next(prefix=f"ZF-{kind}-{year}")
    return f"{prefix}{kind}字〔{year}〕第{seq}号"


def task_number_next(*, today: dt.date) -> str:
    """ZF + the day + a six-digit daily sequence."""
    from onewindow.enforcement.models import NUMBER_PREFIX

    prefix = f"{NUMBER_PREFIX}{today:%Y%m%d}"
    return f"{prefix}{sequence_next(prefix=prefix):06d}"


def begin(task: EnforcementTask, action: str, expected_revision: Any) -> EnforcementTask:
    """In the move's transaction: the row locked, the page's revision checked (a missing one is
    stale), the table asked — before any input is looked at."""
    if expected_revision is None or isinstance(expected_revision, bool):
        raise MACHINE.stale()
    try:
        revision = int(expected_revision)
    except (TypeError, ValueError):
        raise MACHINE.stale() from None
    fresh = mover.lock(MACHINE, task)
    mover.check_revision(MACHINE, fresh, revision)
    if MACHINE.target(action, fresh.state) is None:
        raise MACHINE.not_allowed(
            action=TASK_EVENTS.verb(action), state=MACHINE.state_label(fresh.state)
        )
    return fresh


def text(
    errors: ErrorList,
    name: str,
    value: Any,
    *,
    required: bool = True,
    max_length: int = TEXT_MAX_LENGTH,
    multiline: bool = True,
    missing: Any = None,
) -> str:
    return checked_text(
        errors,
        name,
        value,
        max_length=max_length,
        required=required,
        multiline=multiline,
        missing=missing,
    )


def legal_basis_check(errors: ErrorList, basis: Any) -> LegalBasis:
    if not isinstance(basis, LegalBasis):
        errors.add("law", "required", _("Give the law or regulation and its article."))
        return LegalBasis("", "")
    law = text(
        errors,
        "law",
        basis.law,
        max_length=200,
        multiline=False,
        missing=_("Name the law or regulation (e.g. 广州市违法建设查处条例)."),
    )
    article = text(
        errors,
        "article",
        basis.article,
        max_length=64,
        multiline=False,
        missing=_("Name the article (e.g. 第二十条)."),
    )
    return LegalBasis(law, article)


def moment_check(
    errors: ErrorList, name: str, value: Any, *, now: dt.datetime, not_before: dt.datetime
) -> dt.datetime | None:
    """A record's time: an aware moment, not in the future, not before ``not_before`` (to the
    minute: a form's time has no seconds)."""
    if not isinstance(value, dt.datetime):
        errors.add(name, "required", _("Give the date and time (YYYY-MM-DD HH:MM)."))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        errors.add(name, "future", _("This time is in the future; give when it happened."))
        return None
    floor = not_before.replace(second=0, microsecond=0)
    if value < floor:
        errors.add(
            name,
            "too_early",
            _("This time is before %(when)s; give when it happened."),
            when=timezone.localtime(not_before).strftime("%Y-%m-%d %H:%M"),
        )
        return None
    return value


def officer_ids(errors: ErrorList, officers: Any, *, team_id: int) -> list[int]:
    """At least two distinct users who hold ``enforcement_officer`` for the team (行政处罚法
    §42: enforcement is done by two officers at least, each holding an enforcement licence)."""
    ids: set[int] = set()
    if not isinstance(officers, Iterable) or isinstance(officers, str | bytes):
        officers = ()
    for officer in officers:
        pk = getattr(officer, "pk", officer)
        if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk <= 10**9:
            errors.add("officers", "invalid", _("Choose the officers from the team's list."))
            return []
        ids.add(pk)
    if len(ids) > OFFICERS_MAX:
        errors.add(
            "officers", "too_many", _("At most %(max)s officers are named."), max=OFFICERS_MAX
        )
        return []
    holding = set(
        RoleAssignment.objects.filter(
            role=Role.ENFORCEMENT_OFFICER,
            department_id=team_id,
            user_id__in=ids,
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )
    if holding != ids:
        errors.add(
            "officers",
            "not_officer",
            _("Only the team's enforcement officers can be named; choose them from the list."),
        )
        return []
    if len(ids) < OFFICERS_MIN:
        errors.add(
            "officers",
            "too_few",
            _("Two enforcement officers at least must be present on site; name both."),
        )
        return []
    return sorted(ids)


def photos_check(photos: Sequence[Upload]) -> list[Upload]:
    from onewindow.core.errors import FieldError, ValidationFailed

    listed = list(photos or ())
    if len(listed) > PHOTOS_MAX:
        raise ValidationFailed(
            _("Nothing was recorded; keep only the photos that matter."),
            [
                FieldError(
                    field="photos",
                    code="too_many",
                    message=_("At most %(max)s photos go with one record."),
                    params={"max": PHOTOS_MAX},
                )
            ],
            code="photos_refused",
        )
    return listed


def photos_link(
    *,
    actor: Any,
    task: EnforcementTask,
    papers: Sequence[Any],
    now: dt.datetime,
    inspection: Any = None,
    reinspection: Any = None,
) -> None:
    for paper in papers:
        photo = TaskPhoto.objects.create(
            task=task,
            paper=paper,
            inspection=inspection,
            reinspection=reinspection,
            added_by=actor,
            added_at=now,
        )
        audit_record(
            actor=actor,
            action="enforcement.photo_add",
            obj=photo,
            object_repr=task.number,
            detail={
                "task": task.number,
                "paper": paper.pk,
                "content_type": paper.content_type,
                "size": paper.size,
                "sha256": paper.sha256,
            },
        )


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()
