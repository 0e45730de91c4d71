"""The bad-rating loop (差评整改) on the workflow kernel: one function per move.

``rectification_open`` is called by ``rate`` in the transaction that stores a bad rating: every
差评 opens one, owned by the rating's department (and centre), with the call-back due within
``RATING_CALLBACK_WORKING_DAYS`` working days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList, NotFoundOrForbidden
from onewindow.core.validation import checked_text
from onewindow.org.permissions import require
from onewindow.ratings.codes import Level
from onewindow.ratings.errors import AppealedOnce
from onewindow.ratings.events import RECTIFICATION_EVENTS
from onewindow.ratings.models import (
    CallbackResult,
    RatedStaff,
    Rating,
    Rectification,
    RectificationEvent,
    Resolution,
)
from onewindow.ratings.rectify_selectors import is_rated_in, refuse_rated_staff
from onewindow.ratings.transitions import RECTIFICATION_MACHINE, RectificationState
from onewindow.workflow import mover
from onewindow.workflow.clock import TimeUnit, clock_start, due_after

MACHINE = RECTIFICATION_MACHINE


def rectification_number(rating: Rating) -> str:
    """ZG + the rating's local day + its id: unique with the rating, readable on the phone."""
    return f"ZG{timezone.localtime(rating.rated_at):%Y%m%d}{rating.pk:07d}"


def rectification_open(*, rating: Rating, now: dt.datetime) -> Rectification:
    """Open the rectification of the bad ``rating`` (the platform's move: no actor). The owner
    is the window clerk rated for a visit, else the first back-office staff rated, else nobody
    (the department's lead picks it up). Must run inside the rating's transaction."""
    assert rating.is_bad, "only a bad rating opens a rectification"
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("rectification_open runs inside the rating's transaction")
    rated = list(RatedStaff.objects.filter(rating=rating).order_by("role", "id"))
    window = [r.user_id for r in rated if r.role == "window"]
    back = [r.user_id for r in rated if r.role == "back_office"]
    owners = window or back
    owner_id = owners[0] if owners else None
    rectification = Rectification(
        number=rectification_number(rating),
        rating=rating,
        department_id=rating.department_id,
        centre_id=rating.centre_id,
        owner_id=owner_id,
        state="",
        opened_at=now,
        callback_due_at=due_after(now, settings.RATING_CALLBACK_WORKING_DAYS, TimeUnit.WORKING_DAY),
    )
    mover.move(
        MACHINE,
        rectification,
        "open",
        actor=None,
        now=now,
        data={"rating": rating.pk, "level": rating.level},
    )
    return rectification


# --- the moves of the loop ---------------------------------------------------------------------
#
# Each move: the permission first, before the transaction (a refusal's audit row stays; "missing"
# and "not yours" answer the same), then in one transaction the row locked, the revision the
# page showed checked, the input checked, the writes and the move. A refused move writes nothing.

TEXT_MAX_LENGTH = 2000
DECISION_MAX_LENGTH = 2000
EXCLUDED_REASON_MAX_LENGTH = 255
CALLBACK_PURPOSE = "rating call-back (差评回访)"


def _stale_unless_given(expected_revision: int | None) -> None:
    """A page always sends the revision it showed: a missing one is refused as stale."""
    if expected_revision is None:
        raise MACHINE.stale()


def _begin(rectification: Rectification, action: str, expected_revision: int | None) -> Any:
    """In the move's transaction: the row locked, the page's revision checked, the table asked
    (a move not allowed now is refused before any input is looked at)."""
    _stale_unless_given(expected_revision)
    fresh = mover.lock(MACHINE, rectification)
    mover.check_revision(MACHINE, fresh, expected_revision)
    if MACHINE.target(action, fresh.state) is None:
        raise MACHINE.not_allowed(
            action=RECTIFICATION_EVENTS.verb(action), state=MACHINE.state_label(fresh.state)
        )
    return fresh


def _text(
    errors: ErrorList,
    name: str,
    value: str,
    *,
    required: bool = True,
    max_length: int = TEXT_MAX_LENGTH,
    missing: Any = None,
) -> str:
    return checked_text(
        errors, name, value, max_length=max_length, required=required, missing=missing
    )


def _finish(
    rectification: Rectification, action: str, *, actor: Any, now: dt.datetime, **kw: Any
) -> None:
    mover.move(MACHINE, rectification, action, actor=actor, now=now, **kw)


def rectification_verify(
    *,
    rectification: Rectification,
    actor: Any,
    callback_result: str,
    finding: str,
    expected_revision: int | None,
    now: dt.datetime | None = None,
) -> Rectification:
    """The call-back (回访核实): the rater reached or not, and what the department found. A
    rater not reached is a call-back made and recorded (the finding says what was checked
    instead)."""
    require(actor, MACHINE.permission_for("verify"), rectification, hide=True)
    refuse_rated_staff(actor, rectification, MACHINE.permission_for("verify"))
    now = now or timezone.now()
    with transaction.atomic():
        row = _begin(rectification, "verify", expected_revision)
        errors = ErrorList()
        if callback_result not in CallbackResult.values:
            errors.add(
                "callback_result",
                "invalid_choice",
                _("Say whether the rater was reached on the call-back."),
            )
        finding = _text(
            errors,
            "finding",
            finding,
            missing=_("Write what the call-back found (what happened, what the rater said)."),
        )
        errors.raise_if_any(_("The call-back is not recorded; correct the marked fields."))
        row.callback_at = now
        row.callback_result = callback_result
        row.finding = finding
        _finish(
            row,
            "verify",
            actor=actor,
            now=now,
            reason=finding,
            data={"callback_result": callback_result},
        )
    return row


def rectification_fix_now(
    *,
    rectification: Rectification,
    actor: Any,
    fix_summary: str,
    expected_revision: int | None,
    now: dt.datetime | None = None,
) -> Rectification:
    """Fixed at once (立行立改): what was fixed. The rater is told; a second call-back follows."""
    require(actor, MACHINE.permission_for("fix_now"), rectification, hide=True)
    refuse_rated_staff(actor, rectification, MACHINE.permission_for("fix_now"))
    now = now or timezone.now()
    with transaction.atomic():
        row = _begin(rectification, "fix_now", expected_revision)
        errors = ErrorList()
        fix_summary = _text(errors, "fix_summary", fix_summary, missing=_("Write what was fixed."))
        errors.raise_if_any(_("The fix is not recorded; correct the marked fields."))
        row.resolution = Resolution.FIXED_AT_ONCE
        row.fix_summary = fix_summary
        row.fixed_at = now
        _finish(row, "fix_now", actor=actor, now=now, reason=fix_summary)
    return row


def ledger_days_bounds() -> tuple[int, int]:
    return settings.RATING_LEDGER_MIN_DAYS, settings.RATING_LEDGER_MAX_DAYS


def rectification_ledger(
    *,
    rectification: Rectification,
    actor: Any,
    days: Any,
    plan: str,
    expected_revision: int | None,
    now: dt.datetime | None = None,
) -> Rectification:
    """Put on the rectification ledger (限期整改): what will be fixed, by a deadline of
    ``days`` working days (``RATING_LEDGER_MIN_DAYS`` … ``RATING_LEDGER_MAX_DAYS``); the
    ledger's clock starts. The rater is told the deadline."""
    require(actor, MACHINE.permission_for("ledger"), rectification, hide=True)
    refuse_rated_staff(actor, rectification, MACHINE.permission_for("ledger"))
    now = now or timezone.now()
    low, high = ledger_days_bounds()
    with transaction.atomic():
        row = _begin(rectification, "ledger", expected_revision)
        errors = ErrorList()
        limit = _working_days(errors, days, low, high)
        plan = _text(errors, "plan", plan, missing=_("Write what will be fixed, and how."))
        errors.raise_if_any(_("The ledger entry is not saved; correct the marked fields."))
        assert limit is not None
        row.resolution = Resolution.LEDGER
        due = clock_start(row, limit=limit, unit=TimeUnit.WORKING_DAY, now=now)
        _finish(
            row,
            "ledger",
            actor=actor,
            now=now,
            reason=plan,
            data={"days": limit, "due_at": due.isoformat()},
        )
    return row


def _working_days(errors: ErrorList, value: Any, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        errors.add(
            "days",
            "out_of_range",
            _("Give a deadline of %(low)s to %(high)s working days."),
            low=low,
            high=high,
        )
        return None
    return number


def rectification_submit_fix(
    *,
    rectification: Rectification,
    actor: Any,
    fix_summary: str,
    evidence: str,
    expected_revision: int | None,
    now: dt.datetime | None = None,
) -> Rectification:
    """The ledger's fix done, with its evidence (text: what shows the fix — a notice changed, a
    rule published, a training held); the clock stops. The rater is told; a second call-back
    follows. ``data["in_time"]``: done by the ledger's deadline."""
    require(actor, MACHINE.permission_for("submit_fix"), rectification, hide=True)
    refuse_rated_staff(actor, rectification, MACHINE.permission_for("submit_fix"))
    now = now or timezone.now()
    with transaction.atomic():
        row = _begin(rectification, "submit_fix", expected_revision)
        errors = ErrorList()
        fix_summary = _text(errors, "fix_summary", fix_summary, missing=_("Write what was fixed."))
        evidence = _text(
            errors,
            "evidence",
            evidence,
            missing=_("Write the evidence of the fix (what shows it is done, where it is kept)."),
        )
        errors.raise_if_any(_("The fix is not recorded; correct the marked fields."))
        in_time = row.due_at is not None and now <= row.due_at
        row.fix_summary = fix_summary
        row.evidence = evidence
        row.fixed_at = now
        _finish(
            row, "submit_fix", actor=actor, now=now, reason=fix_summary, data={"in_time": in_time}
        )
    return row


def rectification_explain(
    *,
    rectification: Rectification,
    actor: Any,
    explanation: str,
    expected_revision: int | None,
    now: dt.datetime | None = None,
) -> Rectification:
    """Explained (解释说明): what the rater asked has no legal basis, or was done as the law
    says; the explanation given. Closes the rectification; the rater is told."""
    require(actor, MACHINE.permission_for("explain"), rectification, hide=True)
    refuse_rated_staff(actor, rectification, MACHINE.permission_for("explain"))
    now = now or timezone.now()
    with transaction.atomic():
        row = _begin(rectification, "explain", expected_revision)
        errors = ErrorList()
        explanation = _text(
            errors,
            "explanation",
            explanation,
            missing=_("Write the explanation given to the rater (the rule it rests on)."),
        )
        errors.raise_if_any(_("The explanation is not recorded; correct the marked fields."))
        row.resolution = Resolution.EXPLAINED
        row.explanation = explanation
        row.closed_at = now
        _finish(row, "explain", actor=actor, now=now, reason=explanation)
    return row


def rectification_appeal(
    *,
    rectification: Rectification,
    actor: Any,
    reason: str,
    expected_revision: int | None,
    now: dt.datetime | None = None,
) -> Rectification:
    """The rated staff's appeal (申诉) of a rating they think malicious or not theirs: only a
    member of staff the rating is about (``RatedStaff``), with a reason; the centre manager
    reviews it. Anyone else gets the one "not found" answer (audited). One appeal per
    rectification: a second one, after a rejection, is refused (``AppealedOnce``, 409)."""
    require(actor, MACHINE.permission_for("appeal"), rectification, hide=True)
    if not is_rated_in(actor, rectification.rating_id):
        audit_record(
            actor=actor,
            action=f"denied:{MACHINE.permission_for('appeal')}",
            obj=rectification,
            allowed=False,
            detail={"why": "not rated in it"},
        )
        raise NotFoundOrForbidden()
    now = now or timezone.now()
    with transaction.atomic():
        row = _begin(rectification, "appeal", expected_revision)
        if row.appeal_by_id is not None:
            # One appeal per rectification: after a rejection, the department resolves it.
            raise AppealedOnce()
        errors = ErrorList()
        reason = _text(
            errors,
            "reason",
            reason,
            missing=_("Write why the rating should not count (what happened at the window)."),
        )
        errors.raise_if_any(_("The appeal is not sent; correct the marked fields."))
        row.appeal_by = actor
        row.appeal_reason = reason
        row.appeal_decision = ""
        _finish(row, "appeal", actor=actor, now=now, reason=reason)
    return row


def _decide(
    *,
    rectification: Rectification,
    actor: Any,
    decision: str,
    action: str,
    expected_revision: int | None,
    now: dt.datetime | None,
) -> Rectification:
    require(actor, MACHINE.permission_for(action), rectification, hide=True)
    refuse_rated_staff(actor, rectification, MACHINE.permission_for(action))
    now = now or timezone.now()
    with transaction.atomic():
        row = _begin(rectification, action, expected_revision)
        errors = ErrorList()
        decision = _text(
            errors,
            "decision",
            decision,
            max_length=DECISION_MAX_LENGTH,
            missing=_("Write the decision on the appeal and its grounds."),
        )
        errors.raise_if_any(_("The decision is not recorded; correct the marked fields."))
        row.appeal_decision = decision
        if action == "uphold_appeal":
            row.resolution = Resolution.APPEAL_UPHELD
            row.closed_at = now
            rating = Rating.objects.select_for_update(of=("self",)).get(pk=row.rating_id)
            rating.counts_in_scores = False
            with translation.override(settings.LANGUAGE_CODE):
                why = str(UPHELD_REASON) % {"number": row.number, "decision": decision}
            rating.excluded_reason = why[:EXCLUDED_REASON_MAX_LENGTH]
            rating.save(update_fields=["counts_in_scores", "excluded_reason"])
        _finish(row, action, actor=actor, now=now, reason=decision)
    return row


UPHELD_REASON = _("Appeal upheld (%(number)s): %(decision)s")


def rectification_uphold_appeal(
    *,
    rectification: Rectification,
    actor: Any,
    decision: str,
    expected_revision: int | None,
    now: dt.datetime | None = None,
) -> Rectification:
    """The centre manager upholds the appeal: the rating stops counting in every score and
    ranking (``Rating.counts_in_scores`` false, ``excluded_reason``); it stays in the record."""
    return _decide(
        rectification=rectification,
        actor=actor,
        decision=decision,
        action="uphold_appeal",
        expected_revision=expected_revision,
        now=now,
    )


def rectification_reject_appeal(
    *,
    rectification: Rectification,
    actor: Any,
    decision: str,
    expected_revision: int | None,
    now: dt.datetime | None = None,
) -> Rectification:
    """The centre manager rejects the appeal: back to the department, to be resolved."""
    return _decide(
        rectification=rectification,
        actor=actor,
        decision=decision,
        action="reject_appeal",
        expected_revision=expected_revision,
        now=now,
    )


def rectification_recheck(
    *,
    rectification: Rectification,
    actor: Any,
    level: Any,
    note: str,
    expected_revision: int | None,
    now: dt.datetime | None = None,
) -> Rectification:
    """The second call-back, after the fix: the rater's view of it (a level 1–5) and a note.
    Closes the rectification."""
    require(actor, MACHINE.permission_for("recheck"), rectification, hide=True)
    refuse_rated_staff(actor, rectification, MACHINE.permission_for("recheck"))
    now = now or timezone.now()
    with transaction.atomic():
        row = _begin(rectification, "recheck", expected_revision)
        errors = ErrorList()
        try:
            chosen = int(str(level).strip())
        except (TypeError, ValueError):
            chosen = 0
        if chosen not in Level.values:
            errors.add(
                "level",
                "invalid_choice",
                _("Choose the rater's view of the fix (one of the five levels)."),
            )
        note = _text(errors, "note", note, required=False)
        errors.raise_if_any(_("The call-back is not recorded; correct the marked fields."))
        row.recheck_at = now
        row.recheck_level = chosen
        row.closed_at = now
        _finish(row, "recheck", actor=actor, now=now, reason=note, data={"level": chosen})
    return row


# --- reminders ---------------------------------------------------------------------------------


def _reminded(kind: str) -> Exists:
    return Exists(
        RectificationEvent.objects.filter(
            rectification=OuterRef("pk"), action="remind", data__kind=kind
        )
    )


def reminders_due_sweep(*, now: dt.datetime | None = None) -> int:
    """A ``remind`` event (once each) for every call-back past its deadline still not made and
    every ledger past its deadline still not fixed. Returns how many were written. Safe to run
    twice at once: each row is locked and checked again before its reminder is written."""
    now = now or timezone.now()
    due = [
        (
            "callback",
            Q(state=RectificationState.CALLBACK, callback_due_at__lt=now),
            "callback_due_at",
        ),
        ("ledger", Q(state=RectificationState.LEDGER, due_at__lt=now), "due_at"),
    ]
    written = 0
    for kind, condition, field in due:
        ids = list(
            Rectification.objects.filter(condition)
            .filter(~_reminded(kind))
            .order_by("pk")
            .values_list("pk", flat=True)[:REMIND_BATCH]
        )
        for pk in ids:
            with transaction.atomic():
                row = (
                    Rectification.objects.select_for_update(of=("self",))
                    .filter(condition, pk=pk)
                    .filter(~_reminded(kind))
                    .first()
                )
                if row is None:
                    continue
                mover.record(
                    MACHINE,
                    row,
                    "remind",
                    actor=None,
                    public=False,
                    now=now,
                    data={"kind": kind, "due_at": getattr(row, field).isoformat()},
                )
                written += 1
    return written


REMIND_BATCH = 500
