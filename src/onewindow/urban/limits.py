"""Time limits of grid cases: a stage's deadline in its handling unit's office hours, and the
plan of a subclass's stages (each starting when the one before is due).

A limit in working hours (工作时) counts the office hours of working days on the working
calendar (``workcal``): the unit's own (``hotline.HandlingUnit.office_hours``), or the
platform's (``settings.WORKING_HOURS``) when it has none. Working days, natural days and hours
do not depend on office hours. All arithmetic is the kernel's (``workflow.clock``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from onewindow.hotline.models import HandlingUnit
from onewindow.workcal.calendar import WorkingCalendar
from onewindow.workflow.clock import OfficeHours, TimeUnit, due_after


def office_hours_of(department: Any) -> list[tuple[str, str]]:
    """The office hours of a handling unit (a ``Department`` or its id) as ("HH:MM", "HH:MM")
    pairs: its ``HandlingUnit`` row's, or ``[]`` — the platform's — when it has none or no row
    (or no unit is given). One query."""
    department_id = getattr(department, "pk", department)
    if department_id is None:
        return []
    hours = (
        HandlingUnit.objects.filter(department_id=department_id)
        .values_list("office_hours", flat=True)
        .first()
    )
    return [(str(opens), str(closes)) for opens, closes in hours or []]


def stage_due(
    *,
    start: dt.datetime,
    limit: float,
    unit: str,
    office_hours: OfficeHours | None = None,
    calendar: WorkingCalendar | None = None,
) -> dt.datetime:
    """When a stage of ``limit`` ``unit``s (``TimeUnit``) that starts at ``start`` is due, in
    the unit's ``office_hours`` (none or empty: the platform's). Raises ``ValueError`` for an
    unknown unit and ``ValidationFailed`` for invalid office hours."""
    return due_after(start, limit, TimeUnit(unit), calendar, office_hours=office_hours)


@dataclass(frozen=True)
class PlannedStage:
    order: int
    name: str
    limit: int
    unit: str
    starts_at: dt.datetime
    due_at: dt.datetime


def stages_plan(
    *,
    start: dt.datetime,
    stages: Iterable[Any],
    office_hours: OfficeHours | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[PlannedStage]:
    """The deadlines of a subclass's stages if the first began at ``start`` and each began
    when the one before is due — a plan to show (a case's real stages start when the unit
    actually moves on). ``stages``: ``CategoryStage`` rows or ``CaseStage`` rows (``order``,
    ``name``, ``limit``, ``unit``), or ``(name, limit, unit)`` tuples, in order."""
    planned: list[PlannedStage] = []
    begins = start
    for number, stage in enumerate(stages, start=1):
        if isinstance(stage, Sequence) and not isinstance(stage, str):
            name, limit, unit = stage
            order = number
        else:
            name, limit, unit = stage.name, stage.limit, stage.unit
            order = getattr(stage, "order", number)
        due = stage_due(
            start=begins, limit=limit, unit=unit, office_hours=office_hours, calendar=calendar
        )
        planned.append(
            PlannedStage(
                order=order,
                name=name,
                limit=limit,
                unit=TimeUnit(unit).value,
                starts_at=begins,
                due_at=due,
            )
        )
        begins = due
    return planned
