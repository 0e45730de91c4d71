"""Writes of the working-day calendar: local overrides of the official calendar.

A centre manager (or an administrator) sets a day as working or not, with a reason, or removes
the override so the official calendar applies again. ``calendar_year_apply`` loads a whole
year's official holidays and make-up working days at once (the ``calendar_year`` command), for a
year the bundled ``chinesecalendar`` does not cover yet.

Permission (``Action.CALENDAR_EDIT``) is checked before the transaction, so a refusal's audit row
is kept; every change writes an audit row in the same transaction as the change.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import ErrorList, FieldError, NotFoundOrForbidden, ValidationFailed
from onewindow.org.permissions import Action, require
from onewindow.workcal.models import CalendarOverride

REASON_MAX_LENGTH = CalendarOverride._meta.get_field("reason").max_length or 128
AUDIT_SET = "workcal.override_set"
AUDIT_REMOVE = "workcal.override_remove"


@dataclass(frozen=True)
class OverrideLine:
    """One day of a calendar file, already checked."""

    line: int
    day: dt.date
    is_working_day: bool
    reason: str


def calendar_override_errors(*, day: Any, is_working_day: Any, reason: str) -> ErrorList:
    """What is wrong with one override; empty when it can be saved (used by the admin form)."""
    errors = ErrorList()
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        errors.add("day", "required", _("Give the date."))
    if not isinstance(is_working_day, bool):
        errors.add("is_working_day", "required", _("Say whether the day is a working day."))
    text = (reason or "").strip()
    if not text:
        errors.add(
            "reason",
            "required",
            _("Give the reason (e.g. the State Council notice, or a local closure)."),
        )
    elif len(text) > REASON_MAX_LENGTH:
        errors.add(
            "reason",
            "too_long",
            _("The reason is too long (at most %(limit)s characters)."),
            limit=REASON_MAX_LENGTH,
        )
    return errors


def _snapshot(row: CalendarOverride | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"is_working_day": row.is_working_day, "reason": row.reason}


def _override_set_locked(
    *, day: dt.date, is_working_day: bool, reason: str, actor: Any, source: str = ""
) -> CalendarOverride:
    previous = CalendarOverride.objects.select_for_update().filter(day=day).first()
    before = _snapshot(previous)
    row = previous or CalendarOverride(day=day)
    row.is_working_day = is_working_day
    row.reason = reason.strip()
    row.created_by = actor if getattr(actor, "is_authenticated", False) else None
    row.save()
    detail: dict[str, Any] = {
        "day": day.isoformat(),
        "is_working_day": is_working_day,
        "reason": row.reason,
        "previous": before,
    }
    if source:
        detail["source"] = source
    audit_record(actor=actor, action=AUDIT_SET, obj=row, detail=detail)
    return row


def calendar_override_set(
    *, day: dt.date, is_working_day: bool, reason: str, actor: Any
) -> CalendarOverride:
    """Make ``day`` a working day or a day off, whatever the official calendar says.

    Creates the override or replaces the one of that day; audited ``workcal.override_set`` with
    the previous values. Deadlines computed from now on use it; deadlines already promised to
    applicants are not moved.
    """
    require(actor, Action.CALENDAR_EDIT)
    calendar_override_errors(day=day, is_working_day=is_working_day, reason=reason).raise_if_any(
        _("The calendar day cannot be saved.")
    )
    with transaction.atomic():
        return _override_set_locked(
            day=day, is_working_day=is_working_day, reason=reason, actor=actor
        )


def calendar_override_remove(*, day: dt.date, actor: Any) -> None:
    """Remove the override of ``day``: the official calendar applies again. Audited
    ``workcal.override_remove`` with the removed values; "not found" when there is none."""
    require(actor, Action.CALENDAR_EDIT)
    with transaction.atomic():
        row = CalendarOverride.objects.select_for_update().filter(day=day).first()
        if row is None:
            raise NotFoundOrForbidden(_("There is no local override for this day."))
        audit_record(
            actor=actor,
            action=AUDIT_REMOVE,
            obj=row,
            detail={"day": day.isoformat(), "previous": _snapshot(row)},
        )
        row.delete()


# --- a year from a file ---------------------------------------------------------------------


def calendar_file_parse(*, text: str, year: int) -> list[OverrideLine]:
    """Check a calendar file (``date,working,reason`` per line; see the app README) whole.

    Blank lines and lines starting with ``#`` are skipped, as is a first line ``date,...``.
    Raises ``ValidationFailed`` listing every bad line (``row`` = line number) — a file with any
    error is never applied in part.
    """
    errors: list[FieldError] = []
    lines: list[OverrideLine] = []
    seen: dict[dt.date, int] = {}

    def problem(at: int, field_name: str, code: str, message: Any, /, **params: Any) -> None:
        errors.append(
            FieldError(field=field_name, code=code, message=message, params=params, row=at)
        )

    for number, cells in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if not cells or not "".join(cells).strip() or cells[0].strip().startswith("#"):
            continue
        if number == 1 and cells[0].strip().lower() == "date":
            continue  # a header line
        if len(cells) != 3:
            problem(
                number,
                "line",
                "columns",
                _("Expected 3 columns (date,working,reason), found %(count)s."),
                count=len(cells),
            )
            continue
        raw_day, raw_working, reason = (cell.strip() for cell in cells)
        day: dt.date | None = None
        try:
            day = dt.date.fromisoformat(raw_day)
            if len(raw_day) != 10:
                raise ValueError(raw_day)
        except ValueError:
            problem(
                number,
                "date",
                "invalid_date",
                _("%(value)s is not a date written as YYYY-MM-DD."),
                value=raw_day,
            )
            day = None
        if day is not None and day.year != year:
            problem(
                number,
                "date",
                "other_year",
                _("%(value)s is not in %(year)s."),
                value=raw_day,
                year=year,
            )
        if day is not None and day in seen:
            problem(
                number,
                "date",
                "duplicate",
                _("%(value)s is already given on line %(line)s."),
                value=raw_day,
                line=seen[day],
            )
        if raw_working not in ("0", "1"):
            problem(
                number,
                "working",
                "invalid_choice",
                _("Write 1 for a working day or 0 for a day off, not %(value)s."),
                value=raw_working,
            )
        for error in calendar_override_errors(day=day, is_working_day=True, reason=reason):
            if error.field == "reason":
                problem(number, "reason", error.code, error.message, **error.params)
        if day is not None:
            seen.setdefault(day, number)
            lines.append(OverrideLine(number, day, raw_working == "1", reason))
    if not lines and not errors:
        problem(1, "line", "empty", _("The file has no days."))
    if errors:
        raise ValidationFailed(
            _("The calendar file has errors: nothing was loaded."), errors, code="calendar_file"
        )
    return lines


def calendar_year_apply(
    *, year: int, lines: list[OverrideLine], actor: Any, replace: bool = False, source: str = ""
) -> dict[str, int]:
    """Set every day of ``lines`` (from ``calendar_file_parse``) in one transaction.

    With ``replace``, overrides of ``year`` that the file does not mention are removed, so a
    corrected file replaces the previous one. Each change is audited like a single edit.
    Returns counts: ``set`` and ``removed``.
    """
    require(actor, Action.CALENDAR_EDIT)
    for line in lines:
        if line.day.year != year:
            raise ValidationFailed(
                _("The calendar file has errors: nothing was loaded."),
                [
                    FieldError(
                        field="date",
                        code="other_year",
                        message=_("%(value)s is not in %(year)s."),
                        params={"value": line.day.isoformat(), "year": year},
                        row=line.line,
                    )
                ],
                code="calendar_file",
            )
    removed = 0
    with transaction.atomic():
        for line in lines:
            _override_set_locked(
                day=line.day,
                is_working_day=line.is_working_day,
                reason=line.reason,
                actor=actor,
                source=source,
            )
        if replace:
            listed = {line.day for line in lines}
            stale = CalendarOverride.objects.select_for_update().filter(day__year=year)
            for row in stale.exclude(day__in=listed):
                audit_record(
                    actor=actor,
                    action=AUDIT_REMOVE,
                    obj=row,
                    detail={
                        "day": row.day.isoformat(),
                        "previous": _snapshot(row),
                        "source": source,
                    },
                )
                row.delete()
                removed += 1
    return {"set": len(lines), "removed": removed}
