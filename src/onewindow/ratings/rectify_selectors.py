"""Reads of the bad-rating loop, scoped to the user: the rectification queue (department lead:
their department; centre manager: their centre), one rectification, the appeals to review, and
"my ratings" — the ratings about a member of staff, without anything that names the rater."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Value, When

from onewindow.core.audit import audit_record
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.org.permissions import Action, can, require, scope_queryset
from onewindow.ratings.codes import FORMS, Option, dimensions_for
from onewindow.ratings.models import RatedStaff, Rating, Rectification
from onewindow.ratings.transitions import OPEN_STATES, RECTIFICATION_MACHINE, RectificationState
from onewindow.workflow.clock import Light, LightBoundaries

S = RectificationState
MACHINE = RECTIFICATION_MACHINE
NUMBER_MAX_LENGTH = 40
FILTERS = ("open", "overdue", "closed")
CLOSED_STATES = frozenset({S.CLOSED, S.UPHELD})


def _scoped(user: Any, action: Action, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return scope_queryset(
        user,
        action,
        queryset,
        department_path="department_id",
        centre_path="centre_id",
        region_code_path="rating__region_code",
    )


def is_rated_in(user: Any, rating_id: int) -> bool:
    """Whether ``user`` is among the staff ``rating_id`` is about (``RatedStaff``)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and RatedStaff.objects.filter(rating_id=rating_id, user=user).exists()
    )


def refuse_rated_staff(user: Any, rectification: Rectification, permission: str) -> None:
    """The rated staff are outside the scope of their own rating's rectification (they must not
    see who rated them, nor work it): the one "not found" answer, the refusal audited. Their
    own "my ratings" (without the rater) and the appeal stay theirs."""
    if is_rated_in(user, rectification.rating_id):
        audit_record(
            actor=user,
            action=f"denied:{permission}",
            obj=rectification,
            allowed=False,
            detail={"why": "rated in it"},
        )
        raise NotFoundOrForbidden()


def not_rated(user: Any, rating_path: str = "rating_id") -> Any:
    """Rows whose rating is not about ``user`` (to leave their own ratings out of a list)."""
    return ~Exists(RatedStaff.objects.filter(rating_id=OuterRef(rating_path), user_id=user.pk))


def ratings_in_scope(user: Any) -> QuerySet[Rating]:
    """The ratings ``user`` may read (``rating.view``), for the indicators."""
    return scope_queryset(
        user,
        Action.RATING_VIEW,
        Rating.objects.all(),
        department_path="department_id",
        centre_path="centre_id",
        region_code_path="region_code",
    )


def overdue_condition(now: dt.datetime) -> Q:
    return Q(state=S.CALLBACK, callback_due_at__lt=now) | Q(state=S.LEDGER, due_at__lt=now)


def rectification_queue(user: Any, *, show: str, now: dt.datetime) -> QuerySet[Rectification]:
    """The rectifications ``user`` works (``rating.rectify``): ``open`` (nearest deadline first),
    ``overdue`` (open past the call-back's or the ledger's deadline) or ``closed`` (latest
    first)."""
    rows = _scoped(
        user,
        Action.RECTIFY_WORK,
        Rectification.objects.select_related("rating", "department", "owner"),
    ).filter(not_rated(user))
    if show == "closed":
        return rows.filter(state__in=sorted(CLOSED_STATES)).order_by("-closed_at", "-id")
    rows = rows.filter(state__in=sorted(OPEN_STATES))
    if show == "overdue":
        rows = rows.filter(overdue_condition(now))
    deadline = Case(
        When(state=S.CALLBACK, then=F("callback_due_at")),
        When(state=S.LEDGER, then=F("due_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )
    return rows.annotate(deadline=deadline).order_by(
        F("deadline").asc(nulls_last=True), "opened_at", "id"
    )


@dataclass(frozen=True)
class Deadline:
    kind: str  # "callback" | "ledger" | ""
    due: dt.datetime | None
    light: Light


def deadline_of(rectification: Rectification, bounds: LightBoundaries) -> Deadline:
    """The deadline running now and its light: the call-back's while it is to be made, the
    ledger's while the fix is on the ledger; none otherwise."""
    if rectification.state == S.CALLBACK:
        callback_due = rectification.callback_due_at
        return Deadline("callback", callback_due, bounds.light(due=callback_due))
    if rectification.state == S.LEDGER:
        ledger_due = rectification.due_at
        return Deadline("ledger", ledger_due, bounds.light(due=ledger_due))
    return Deadline("", None, Light.STOPPED)


def rectification_for(user: Any, number: str) -> Rectification:
    """One rectification for its page: whoever works it, reviews its appeal or reads ratings in
    its scope; anyone else (and a number that does not exist) gets the one 404."""
    if not number or len(number) > NUMBER_MAX_LENGTH:
        raise NotFoundOrForbidden()
    row = (
        Rectification.objects.select_related(
            "rating__case__person",
            "rating__case__organisation",
            "rating__window",
            "department",
            "centre",
            "owner",
            "appeal_by",
        )
        .filter(number=number)
        .first()
    )
    if row is None:
        raise NotFoundOrForbidden()
    if not (can(user, Action.RECTIFY_WORK, row) or can(user, Action.RATING_APPEAL_REVIEW, row)):
        require(user, Action.RATING_VIEW, row, hide=True)
    refuse_rated_staff(user, row, Action.RATING_VIEW)
    return row


def moves_for(user: Any, rectification: Rectification) -> list[str]:
    """The moves ``user`` may make on ``rectification`` now (the appeal is made from "my
    ratings", by the rated staff)."""
    return [
        action
        for action in MACHINE.allowed_actions(rectification.state)
        if action not in {"open", "appeal"}
        and can(user, MACHINE.permission_for(action), rectification)
    ]


def appeals_to_review(user: Any) -> QuerySet[Rectification]:
    return (
        _scoped(
            user,
            Action.RATING_APPEAL_REVIEW,
            Rectification.objects.filter(state=S.APPEALED).select_related(
                "rating", "department", "appeal_by"
            ),
        )
        .filter(not_rated(user))
        .order_by("opened_at", "id")
    )


def my_ratings(user: Any) -> QuerySet[RatedStaff]:
    """The ratings about ``user`` (as window clerk or back-office staff), latest first."""
    return (
        RatedStaff.objects.filter(user=user)
        .select_related("rating__rectification", "rating__department", "rating__window")
        .order_by("-rating__rated_at", "-id")
    )


def may_appeal(user: Any, rating: Rating) -> bool:
    """Whether ``user`` (rated in ``rating``) may appeal it now: a bad rating whose
    rectification is verified, not yet resolved, and not appealed before."""
    rectification = getattr(rating, "rectification", None)
    if rectification is None or MACHINE.target("appeal", rectification.state) is None:
        return False
    if rectification.appeal_by_id is not None:  # one appeal per rectification
        return False
    return can(user, MACHINE.permission_for("appeal"), rectification)


def options_shown(rating: Rating) -> list[Option]:
    """The options ticked, with their labels from the form version the rating was given on."""
    form = FORMS.get(rating.form_version, {}).get(rating.occasion, ())
    by_code = {option.code: option for option in form}
    return [by_code[code] for code in rating.options if code in by_code]


def dimensions_shown(rating: Rating) -> list[tuple[Any, int]]:
    """(dimension label, level) in the form's order."""
    return [
        (dimension.label, rating.dimensions[dimension.value])
        for dimension in dimensions_for(rating.occasion)
        if dimension.value in rating.dimensions
    ]
