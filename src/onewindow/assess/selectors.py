"""Reads of the assessment, scoped to the user: the units they may assess, the weights in force,
the cases behind one figure (the drill-down), the honours of a month and the public board."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from onewindow.assess.codes import DEFAULT_WEIGHTS, Figure
from onewindow.assess.models import Honour, ScoreWeights
from onewindow.assess.tables import (
    Period,
    Unit,
    as_of,
    instant,
    on_time,
    rectify_overdue,
    red,
    supplement_asked,
    supplement_pause,
    task_on_time,
    yellow,
)
from onewindow.cases.models import Case, CaseTask
from onewindow.cases.transitions import TaskState
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.org.codes import RegionLevel
from onewindow.org.models import Region, RoleAssignment, ServiceCentre
from onewindow.org.permissions import Action, can, require, scope_queryset
from onewindow.ratings import figures as rating_figures
from onewindow.ratings.models import Rating


def units_for_user(user: Any, action: Action = Action.ASSESS_VIEW) -> list[Unit]:
    """The district and streets whose whole region the user's scope covers, then the centres
    (two queries)."""
    regions = [
        Unit.of_region(region)
        for region in Region.objects.filter(
            level__in=[RegionLevel.DISTRICT, RegionLevel.STREET]
        ).order_by("code")
        if can(user, action, Unit.of_region(region).target)
    ]
    centres = scope_queryset(
        user,
        action,
        ServiceCentre.objects.filter(is_active=True).select_related("region"),
        centre_path="id",
        region_code_path="region__code",
    ).order_by("level", "code")
    return regions + [Unit.of_centre(centre) for centre in centres]


def unit_default(user: Any, units: list[Unit]) -> Unit:
    """The unit a page opens on: the user's own centre when it is among ``units`` (a manager
    assesses their centre first, and sets its weights there), else the widest unit."""
    own = set(
        RoleAssignment.objects.filter(user=user, centre__isnull=False).values_list(
            "centre_id", flat=True
        )
    )
    return next((unit for unit in units if unit.centre_id in own), units[0])


def unit_for_user(user: Any, key: str | None, action: Action = Action.ASSESS_VIEW) -> Unit:
    """The unit ``key`` names (``c:<centre code>`` or ``r:<region code>``), if the user may see
    it: a missing unit and another's answer the same (``NotFoundOrForbidden``, audited)."""
    unit = unit_of(key)
    if unit is None:
        raise NotFoundOrForbidden()  # (the staff page audits the miss as ``denied:not_found``)
    require(user, action, unit.target, hide=True)
    return unit


def unit_of(key: str | None) -> Unit | None:
    kind, _sep, code = str(key or "").partition(":")
    code = code.strip()[:32]
    if kind == "c" and code:
        centre = ServiceCentre.objects.select_related("region").filter(code=code).first()
        return Unit.of_centre(centre) if centre else None
    if kind == "r" and code:
        region = Region.objects.filter(
            code=code, level__in=[RegionLevel.DISTRICT, RegionLevel.STREET]
        ).first()
        return Unit.of_region(region) if region else None
    return None


def weights_current(centre_id: int | None) -> dict[str, int]:
    """The weights in force for a centre (the defaults until its manager sets some)."""
    if centre_id is None:
        return dict(DEFAULT_WEIGHTS)
    latest = ScoreWeights.objects.filter(centre_id=centre_id).order_by("-set_at", "-id").first()
    return latest.as_dict() if latest else dict(DEFAULT_WEIGHTS)


def weights_at(centre_id: int | None, moment: dt.datetime) -> dict[str, int]:
    """The weights that were in force at ``moment``: the last version set before it (the
    defaults before the first). A month's ranking, its export and its honours are scored with
    the weights in force at the end of the month (``period.end``; for the current month that
    is the newest version), so a later edit never rewrites a past month."""
    if centre_id is None:
        return dict(DEFAULT_WEIGHTS)
    version = (
        ScoreWeights.objects.filter(centre_id=centre_id, set_at__lt=moment)
        .order_by("-set_at", "-id")
        .first()
    )
    return version.as_dict() if version else dict(DEFAULT_WEIGHTS)


def weights_history(centre_id: int, limit: int = 20) -> list[ScoreWeights]:
    return list(
        ScoreWeights.objects.filter(centre_id=centre_id)
        .select_related("set_by")
        .order_by("-set_at", "-id")[:limit]
    )


RATING_FIGURES = {
    Figure.RATED: Q(),
    Figure.RATED_5: Q(level=5),
    Figure.RATED_4: Q(level=4),
    Figure.RATED_3: Q(level=3),
    Figure.RATED_2: Q(level=2),
    Figure.RATED_1: Q(level=1),
    Figure.DEFAULTED: Q(is_default=True),
    Figure.BAD: rating_figures.bad(),
    Figure.RECTIFIED: rating_figures.bad_rectified(),
}
ACCEPTED_FIGURES = {
    Figure.ACCEPTED: Q(),
    Figure.SUPPLEMENT: supplement_asked,
    Figure.INSTANT: instant,
}
DECIDED_FIGURES = {
    Figure.DECIDED: Q(),
    Figure.ON_TIME: on_time,
    Figure.YELLOW: yellow,
    Figure.RED: red,
}


def _condition(spec: Any) -> Q:
    return spec() if callable(spec) else spec


def cases_behind(
    *,
    unit: Unit,
    period: Period,
    figure: str,
    department_id: int | None = None,
    user_id: int | None = None,
) -> QuerySet[Case]:
    """The cases one figure of the tables counts (the same conditions as ``tables``), for the
    unit and month, optionally one department's (tables 1–2) or one person's (table 3)."""
    cases = Case.objects.all()
    by_department = Q(department_id=department_id) if department_id is not None else Q()
    if figure in RATING_FIGURES or figure == Figure.RECTIFY_OVERDUE:
        condition = (
            rectify_overdue(as_of(period))
            if figure == Figure.RECTIFY_OVERDUE
            else RATING_FIGURES[Figure(figure)]
        )
        ratings = Rating.objects.filter(
            period.within("rated_at"), unit.ratings(), condition, by_department
        )
        cases = cases.filter(pk__in=ratings.values("case_id"))
    elif figure in ACCEPTED_FIGURES:
        cases = cases.filter(
            unit.cases(),
            period.within("accepted_at"),
            by_department,
            _condition(ACCEPTED_FIGURES[Figure(figure)]),
        )
    elif figure in DECIDED_FIGURES:
        cases = cases.filter(
            unit.cases(),
            period.within("decided_at"),
            by_department,
            _condition(DECIDED_FIGURES[Figure(figure)]),
        )
    elif figure in (Figure.TAKEN_IN, Figure.RETURNED) and user_id is not None:
        cases = cases.filter(unit.cases(), period.within("accepted_at"), clerk_id=user_id)
        if figure == Figure.RETURNED:
            cases = cases.filter(supplement_pause())
    elif figure in (Figure.HANDLED, Figure.HANDLED_ON_TIME) and user_id is not None:
        tasks = CaseTask.objects.filter(
            unit.where("case__centre_id", "case__centre__region__code"),
            period.within("finished_at"),
            state=TaskState.DONE,
            assignee_id=user_id,
        )
        if figure == Figure.HANDLED_ON_TIME:
            tasks = tasks.filter(task_on_time())
        cases = cases.filter(pk__in=tasks.values("case_id"))
    elif figure == Figure.STAFF_RATED and user_id is not None:
        ratings = Rating.objects.filter(
            period.within("rated_at"),
            unit.ratings(),
            counts_in_scores=True,
            is_default=False,
            rated_staff__user_id=user_id,
        )
        cases = cases.filter(pk__in=ratings.values("case_id"))
    else:
        return Case.objects.none()
    return cases.select_related("item", "department", "centre").order_by("number")


def honours_of(*, centre_id: int, period: Period) -> dict[str, Honour]:
    """The confirmed honours of a centre for a month, by kind (one query)."""
    return {
        h.kind: h
        for h in Honour.objects.filter(centre_id=centre_id, month=period.first_day).select_related(
            "user", "window", "confirmed_by"
        )
    }


def honour_board(limit: int = 60) -> list[Honour]:
    """The public honour board: the confirmed honours of every centre, newest month first (one
    query; only the staff member's name and the window's number are shown)."""
    return list(
        Honour.objects.select_related("centre", "user", "window").order_by(
            "-month", "centre__code", "kind"
        )[:limit]
    )
