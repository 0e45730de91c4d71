"""The records of the procedure, each one move of the task:

    inspection_record   现场检查笔录   open → inspected (violation) or → concluded (none found)
    notice_issue        责令整改通知书 inspected → notified (the rectification deadline runs)
    reinspection_record 复查          notified → concluded (rectified) or → to_penalise
    penalty_decide      行政处罚决定书 to_penalise → concluded (the team's lead)

Each checks permission first (a task of another team answers "not found", as a missing one),
then every input at once (bilingual errors), then keeps the photos as papers and, in one
transaction, locks the task, checks the page's revision and the state, writes the record and
moves the task (event and audit rows). A refusal writes nothing: no record, no paper, no file.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ErrorList
from onewindow.enforcement.codes import Outcome, PartyKind, PenaltyKind
from onewindow.enforcement.errors import EnforcementRefused
from onewindow.enforcement.models import (
    EnforcementTask,
    Inspection,
    PenaltyDecision,
    RectificationNotice,
    Reinspection,
)
from onewindow.enforcement.services.common import (
    MACHINE,
    PLACE_MAX_LENGTH,
    LegalBasis,
    Upload,
    begin,
    document_number,
    legal_basis_check,
    moment_check,
    now_or,
    officer_ids,
    photos_check,
    photos_link,
    text,
)
from onewindow.enforcement.services.parties import PartyInput, party_create, party_input_check
from onewindow.org.permissions import require
from onewindow.papers.models import PaperSource
from onewindow.papers.services import paper_stored
from onewindow.workflow import mover
from onewindow.workflow.clock import end_of_day

AMOUNT_MAX = decimal.Decimal("10000000")  # 一千万元: beyond any one decision of a district team
DEADLINE_MAX_DAYS = 365
NOT_RECORDED = _("Nothing was recorded; correct the marked fields.")


def _papers(files: ExitStack, actor: Any, photos: Sequence[Upload]) -> list[Any]:
    return [
        files.enter_context(
            paper_stored(upload=upload, name=name, source=PaperSource.WINDOW, actor=actor)
        )
        for upload, name in photos
    ]


def inspection_record(
    *,
    actor: Any,
    task: EnforcementTask,
    revision: Any,
    at: dt.datetime,
    place: str,
    officers: Sequence[Any],
    findings: str,
    party: PartyInput | None,
    violation_found: bool,
    photos: Sequence[Upload] = (),
    now: dt.datetime | None = None,
) -> EnforcementTask:
    """现场检查: ``officers`` are two distinct enforcement officers of the team at least (users or
    their ids); a violation needs its ``party``. No violation found concludes the task."""
    require(actor, MACHINE.permission_for("inspect"), task, hide=True)
    now = now_or(now)
    photos = photos_check(photos)
    errors = ErrorList()
    if not isinstance(violation_found, bool):
        errors.add("violation_found", "required", _("Say whether a violation was found."))
    when = moment_check(errors, "at", at, now=now, not_before=task.opened_at)
    place = text(
        errors,
        "place",
        place,
        max_length=PLACE_MAX_LENGTH,
        multiline=False,
        missing=_("Give the place inspected."),
    )
    findings = text(errors, "findings", findings, missing=_("Write what was found on site."))
    checked_party = party_input_check(party, errors) if party is not None else None
    if violation_found is True and party is None:
        errors.add(
            "party_kind", "required", _("A violation has its party: give the person or company.")
        )
    ids = officer_ids(errors, officers, team_id=task.team_id)
    errors.raise_if_any(NOT_RECORDED)
    assert when is not None  # no error: a moment
    action = "inspect" if violation_found else "inspect_clear"
    with ExitStack() as files:
        papers = _papers(files, actor, photos)
        with transaction.atomic():
            row = begin(task, action, revision)
            party_row = party_create(row, checked_party) if checked_party else None
            inspection = Inspection.objects.create(
                task=row,
                at=when,
                place=place,
                findings=findings,
                violation_found=violation_found,
                party=party_row,
                recorded_by=actor,
                recorded_at=now,
            )
            inspection.officers.set(ids)
            photos_link(actor=actor, task=row, papers=papers, now=now, inspection=inspection)
            if not violation_found:
                row.outcome, row.concluded_at = Outcome.NO_VIOLATION, now
            mover.move(
                MACHINE,
                row,
                action,
                actor=actor,
                now=now,
                data={"officers": ids, "party": party_row.pk if party_row else None},
            )
    return row


def notice_issue(
    *,
    actor: Any,
    task: EnforcementTask,
    revision: Any,
    deadline: dt.date,
    requirements: str,
    legal_basis: LegalBasis,
    now: dt.datetime | None = None,
) -> EnforcementTask:
    """责令整改通知书: the party rectifies by the end of ``deadline`` (a day after the issue, at
    most a year on); the deadline's clock runs until the re-inspection."""
    require(actor, MACHINE.permission_for("notify"), task, hide=True)
    now = now_or(now)
    errors = ErrorList()
    today = timezone.localtime(now).date()
    if not isinstance(deadline, dt.date) or isinstance(deadline, dt.datetime):
        errors.add("deadline", "required", _("Give the date to rectify by (YYYY-MM-DD)."))
    elif deadline <= today:
        errors.add(
            "deadline", "not_after_issue", _("The deadline must be after the day of the notice.")
        )
    elif deadline > today + dt.timedelta(days=DEADLINE_MAX_DAYS):
        errors.add(
            "deadline",
            "too_far",
            _("The deadline is at most %(days)s days after the notice."),
            days=DEADLINE_MAX_DAYS,
        )
    requirements = text(
        errors, "requirements", requirements, missing=_("Write what the party must put right.")
    )
    basis = legal_basis_check(errors, legal_basis)
    errors.raise_if_any(_("The notice is not issued; correct the marked fields."))
    with transaction.atomic():
        row = begin(task, "notify", revision)
        notice = RectificationNotice(
            task=row,
            issued_at=now,
            issued_by=actor,
            deadline=deadline,
            requirements=requirements,
            law=basis.law,
            article=basis.article,
        )
        notice.number = document_number(kind="改", year=today.year)
        notice.save()
        row.rectify_due_at = end_of_day(deadline)
        mover.move(
            MACHINE,
            row,
            "notify",
            actor=actor,
            now=now,
            data={"notice": notice.number, "deadline": deadline.isoformat()},
        )
    return row


def reinspection_record(
    *,
    actor: Any,
    task: EnforcementTask,
    revision: Any,
    at: dt.datetime,
    officers: Sequence[Any],
    rectified: bool,
    findings: str,
    photos: Sequence[Upload] = (),
    now: dt.datetime | None = None,
) -> EnforcementTask:
    """复查: rectified concludes the task; not rectified — recorded only once the deadline has
    passed — leaves the penalty to the team's lead."""
    require(actor, MACHINE.permission_for("reinspect_rectified"), task, hide=True)
    now = now_or(now)
    photos = photos_check(photos)
    notice = RectificationNotice.objects.filter(task_id=task.pk).first()
    errors = ErrorList()
    if not isinstance(rectified, bool):
        errors.add("rectified", "required", _("Say whether the party has rectified."))
    when = moment_check(
        errors, "at", at, now=now, not_before=notice.issued_at if notice else task.opened_at
    )
    if (
        rectified is False
        and when is not None
        and notice is not None
        and timezone.localtime(when).date() <= notice.deadline
    ):
        errors.add(
            "rectified",
            "deadline_running",
            _(
                "The party has until %(deadline)s to rectify: record "
                '"not rectified" after that day.'
            ),
            deadline=notice.deadline.isoformat(),
        )
    findings = text(errors, "findings", findings, missing=_("Write what was found on site."))
    ids = officer_ids(errors, officers, team_id=task.team_id)
    errors.raise_if_any(NOT_RECORDED)
    assert when is not None  # no error: a moment
    action = "reinspect_rectified" if rectified else "reinspect_unrectified"
    with ExitStack() as files:
        papers = _papers(files, actor, photos)
        with transaction.atomic():
            row = begin(task, action, revision)
            record = Reinspection.objects.create(
                task=row,
                at=when,
                rectified=rectified,
                findings=findings,
                recorded_by=actor,
                recorded_at=now,
            )
            record.officers.set(ids)
            photos_link(actor=actor, task=row, papers=papers, now=now, reinspection=record)
            row.rectify_due_at = None
            if rectified:
                row.outcome, row.concluded_at = Outcome.RECTIFIED, now
            mover.move(MACHINE, row, action, actor=actor, now=now, data={"officers": ids})
    return row


def amount_check(errors: ErrorList, amount: Any, kind: str) -> decimal.Decimal:
    """Yuan, two decimals at most, 0 … ``AMOUNT_MAX``; a fine is more than nothing, a warning
    or an order to demolish carries no amount."""
    value: decimal.Decimal | None = None
    if isinstance(amount, decimal.Decimal | int | str) and not isinstance(amount, bool):
        try:
            value = decimal.Decimal(str(amount).strip().replace(",", ""))
        except decimal.InvalidOperation:
            value = None
    if value is None or not value.is_finite():
        errors.add("amount", "invalid", _("Give the amount in yuan, e.g. 5000 or 5000.00."))
        return decimal.Decimal(0)
    if value < 0 or value > AMOUNT_MAX:
        errors.add(
            "amount",
            "out_of_range",
            _("The amount lies between 0 and %(max)s yuan."),
            max=f"{AMOUNT_MAX:,}",
        )
        return decimal.Decimal(0)
    if value != value.quantize(decimal.Decimal("0.01")):
        errors.add("amount", "precision", _("The amount has two decimals at most (fen)."))
        return decimal.Decimal(0)
    if kind == PenaltyKind.FINE and value == 0:
        errors.add("amount", "fine_zero", _("A fine has an amount above zero."))
    if kind in {PenaltyKind.WARNING, PenaltyKind.DEMOLITION} and value != 0:
        errors.add(
            "amount", "no_amount", _("A warning or an order to demolish has no amount; give 0.")
        )
    return value.quantize(decimal.Decimal("0.01"))


def penalty_decide(
    *,
    actor: Any,
    task: EnforcementTask,
    revision: Any,
    legal_basis: LegalBasis,
    facts: str,
    kind: str,
    amount: Any,
    now: dt.datetime | None = None,
) -> EnforcementTask:
    """行政处罚决定: the team's lead decides on the party of the inspection, once the
    re-inspection found the notice not complied with; the task concludes. A company's
    decision is kept disclosable (the business-disclosure work publishes it)."""
    require(actor, MACHINE.permission_for("penalise"), task, hide=True)
    now = now_or(now)
    errors = ErrorList()
    if kind not in PenaltyKind.values:
        errors.add("kind", "invalid_choice", _("Choose the kind of penalty."))
    basis = legal_basis_check(errors, legal_basis)
    facts = text(errors, "facts", facts, missing=_("Write the facts of the violation."))
    value = amount_check(errors, amount, kind)
    errors.raise_if_any(_("The decision is not recorded; correct the marked fields."))
    with transaction.atomic():
        row = begin(task, "penalise", revision)
        inspection = Inspection.objects.filter(task=row).select_related("party").first()
        party = inspection.party if inspection else None
        if party is None:
            raise EnforcementRefused(
                _("The inspection names no party; a penalty needs one."), code="no_party"
            )
        decision = PenaltyDecision(
            task=row,
            decided_at=now,
            decided_by=actor,
            law=basis.law,
            article=basis.article,
            facts=facts,
            kind=kind,
            amount=value,
            party=party,
            disclosable=party.kind == PartyKind.COMPANY,
        )
        decision.number = document_number(kind="罚决", year=timezone.localtime(now).year)
        decision.save()
        row.outcome, row.concluded_at = Outcome.PENALISED, now
        mover.move(
            MACHINE,
            row,
            "penalise",
            actor=actor,
            now=now,
            data={"decision": decision.number, "kind": kind, "amount": str(value)},
        )
    return row
