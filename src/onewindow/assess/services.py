"""Writes of the assessment: a centre's score weights (a new version, audited with the weights
before and after) and the confirmation of a month's honour (服务之星 / 流动红旗). Permission is
checked before anything is validated or looked up; each write is one transaction."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.assess.codes import DEFAULT_WEIGHTS, HonourKind
from onewindow.assess.models import Honour, ScoreWeights
from onewindow.assess.selectors import weights_at, weights_current
from onewindow.assess.tables import Period, StaffTable, Unit, staff_table
from onewindow.core.audit import audit_record
from onewindow.core.errors import ApplicationError, ErrorList, NotFoundOrForbidden
from onewindow.core.validation import reject_control_characters
from onewindow.org.models import ServiceCentre
from onewindow.org.permissions import Action, require


def weights_parse(raw: dict[str, Any]) -> dict[str, int]:
    """The four weights from a form or a body: whole numbers 0–100, their sum above 0; every
    problem reported at once (``ValidationFailed``)."""
    errors = ErrorList()
    weights: dict[str, int] = {}
    for figure in DEFAULT_WEIGHTS:
        text = str(raw.get(figure, "")).strip()
        try:
            value = int(text)
        except ValueError:
            errors.add(figure, "not_a_number", _("Enter a whole number from 0 to 100."))
            continue
        if not 0 <= value <= 100:
            errors.add(figure, "out_of_range", _("Enter a whole number from 0 to 100."))
            continue
        weights[figure] = value
    if not errors and sum(weights.values()) == 0:
        errors.add("volume", "sum_zero", _("At least one weight must be above 0."))
    errors.raise_if_any(_("The weights were not saved: correct the fields marked."), "weights")
    return weights


def weights_set(*, actor: Any, centre: ServiceCentre, raw: dict[str, Any]) -> ScoreWeights:
    """A new version of ``centre``'s weights (``raw`` as typed; see ``weights_parse``). Audited
    as ``assess.weights_set`` with the weights before and after."""
    require(actor, Action.ASSESS_MANAGE, centre, hide=True)
    weights = weights_parse(raw)
    with transaction.atomic():
        before = weights_current(centre.pk)
        row = ScoreWeights.objects.create(centre=centre, set_by=actor, **weights)
        audit_record(
            actor=actor,
            action="assess.weights_set",
            obj=row,
            object_repr=f"{centre.name} {row.set_at:%Y-%m-%d %H:%M}",
            detail={"centre": centre.code, "before": before, "after": weights},
        )
    return row


class HonourAlreadyConfirmed(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_("This honour is already confirmed for the month; it is not changed."),
            code="honour_confirmed",
            status=409,
        )


class HonourMonthNotOver(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "The month is not over yet: its honours are confirmed from the first day of "
                "the next month, on the month's final ranking."
            ),
            code="honour_month_open",
            status=409,
        )


class HonourCandidateUnknown(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_("Choose someone (or a window) from the month's ranking."),
            code="honour_candidate",
            status=422,
        )


def honour_confirm(
    *,
    actor: Any,
    centre: ServiceCentre,
    period: Period,
    kind: str,
    candidate_id: int | None = None,
    note: str = "",
    table: StaffTable | None = None,
) -> Honour:
    """Confirm the service star or the model window of ``centre`` for ``period``: the
    ranking's first unless the manager names another from the ranking (``candidate_id``: a
    user id, or a window id). One per month, centre and kind (a second try is refused and
    changes nothing). Audited as ``assess.honour_confirm``."""
    require(actor, Action.ASSESS_MANAGE, centre, hide=True)
    if kind not in HonourKind.values:
        raise NotFoundOrForbidden()
    reject_control_characters(note=str(note or ""))
    if timezone.now() < period.end:
        raise HonourMonthNotOver()
    table = table or staff_table(
        unit=Unit.of_centre(centre), period=period, weights=weights_at(centre.pk, period.end)
    )
    if kind == HonourKind.SERVICE_STAR:
        candidates = {r.user_id: r.score for r in table.rows if r.work}
        proposed = table.star.user_id if table.star else None
    else:
        candidates = {w.window_id: w.score for w in table.windows}
        proposed = table.model_window.window_id if table.model_window else None
    chosen = proposed if candidate_id is None else candidate_id
    if chosen is None or chosen not in candidates:
        raise HonourCandidateUnknown()
    staff = kind == HonourKind.SERVICE_STAR
    try:
        with transaction.atomic():
            honour = Honour.objects.create(
                month=period.first_day,
                centre=centre,
                kind=kind,
                user_id=chosen if staff else None,
                window_id=None if staff else chosen,
                score=candidates[chosen],
                proposed_user_id=proposed if staff else None,
                proposed_window_id=None if staff else proposed,
                note=str(note or "").strip()[:255],
                confirmed_by=actor,
                confirmed_at=timezone.now(),
            )
            audit_record(
                actor=actor,
                action="assess.honour_confirm",
                obj=honour,
                detail={
                    "centre": centre.code,
                    "month": period.key,
                    "kind": kind,
                    "chosen": chosen,
                    "proposed": proposed,
                    "score": str(candidates[chosen]),
                },
            )
    except IntegrityError as exc:
        raise HonourAlreadyConfirmed() from exc
    return honour
