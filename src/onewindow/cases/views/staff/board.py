"""The e-supervision board: open cases by light, with counts per light and department; both
tables exported as an official report (Excel or PDF, ``onewindow.reports``)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from onewindow.cases.selectors import supervision_board, supervision_board_counts
from onewindow.cases.staff_selectors import supervision_calendar
from onewindow.cases.views.staff.common import LIGHT_LABELS, render_page, staff_page
from onewindow.catalog.names import local_text
from onewindow.core.audit import audit_record
from onewindow.core.errors import ApplicationError
from onewindow.org.permissions import Action, require
from onewindow.reports.report import Column, Kind, Report, cut_rows, export_limit
from onewindow.reports.responses import export_format, report_response
from onewindow.reports.units import scope_unit
from onewindow.workcal.calendar import calendar_gaps
from onewindow.workflow.clock import Light, light_boundaries

BOARD_PAGE_SIZE = 50
LIGHTS_SHOWN = (Light.RED, Light.YELLOW, Light.PAUSED, Light.GREEN)
EXPORT_TABLES = ("cases", "departments")


def _chosen_light(request: HttpRequest) -> str:
    chosen = request.GET.get("light", "")
    return chosen if chosen in {light.value for light in LIGHTS_SHOWN} else ""


@staff_page
@require_safe
def supervision(request: HttpRequest) -> HttpResponse:
    """Open cases by light (red, yellow, paused, green), with counts per light and department.

    Counted, sorted and paged by the database: two queries whatever the number of cases."""
    require(request.user, Action.CASE_SUPERVISE)
    now = timezone.now()
    bounds = light_boundaries(now, supervision_calendar(now))
    counts = supervision_board_counts(user=request.user, bounds=bounds)
    chosen = _chosen_light(request)
    shown = counts.lights[Light(chosen)] if chosen else counts.total
    # The page number is checked against the count the database gave; no second count.
    page = Paginator(range(shown), BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = supervision_board(
        user=request.user,
        bounds=bounds,
        light=Light(chosen) if chosen else None,
        offset=(page.number - 1) * BOARD_PAGE_SIZE,
        limit=BOARD_PAGE_SIZE,
    )
    return render_page(
        request,
        "supervision.html",
        {
            "page": page,
            "rows": rows,
            "lights": [
                (light, LIGHT_LABELS[light], counts.lights[light]) for light in LIGHTS_SHOWN
            ],
            "departments": [
                (
                    local_text(department.name, department.name_en),
                    [department.counts[light] for light in LIGHTS_SHOWN],
                    department.total,
                )
                for department in counts.departments
            ],
            "chosen": chosen,
            "total": counts.total,
            "query_prefix": f"light={chosen}" if chosen else "",
            "calendar_gaps": calendar_gaps(timezone.localdate(now)),
        },
    )


@staff_page
@require_safe
def supervision_export(request: HttpRequest) -> HttpResponse:
    """The board's open cases (of the chosen light, all of the user's scope up to
    ``reports.export_limit``, in the board's order) or its counts by department, as an Excel
    workbook or a PDF (``?format=xlsx|pdf``, ``?table=cases|departments``). Permission first,
    then the parameters; every export audited. No personal data: a row names the case, its
    item, department and centre, never the applicant."""
    require(request.user, Action.CASE_SUPERVISE)
    fmt = export_format(request.GET.get("format"))
    table = request.GET.get("table", "cases")
    if table not in EXPORT_TABLES:
        raise ApplicationError(
            message=_(
                "This table is not offered for export. Choose the cases (cases) or the "
                "departments (departments) on the page."
            ),
            code="export_table",
            status=400,
        )
    now = timezone.now()
    bounds = light_boundaries(now, supervision_calendar(now))
    counts = supervision_board_counts(user=request.user, bounds=bounds)
    chosen = _chosen_light(request)
    if table == "departments":
        report = _departments_report(request, counts, now)
    else:
        report = _cases_report(request, counts, bounds, chosen, now, export_limit(fmt))
    audit_record(
        actor=request.user,
        action="cases.supervision_export",
        object_type="report",
        object_id=f"supervision.{table}",
        object_repr=str(report.title),
        detail={"format": fmt, "table": table, "light": chosen, "rows": len(report.rows)},
    )
    return report_response(report, fmt)


def _cases_report(
    request: HttpRequest, counts: Any, bounds: Any, chosen: str, now: Any, limit: int
) -> Report:
    total = counts.lights[Light(chosen)] if chosen else counts.total
    rows = supervision_board(
        user=request.user,
        bounds=bounds,
        light=Light(chosen) if chosen else None,
        offset=0,
        limit=limit,
    )
    kept, notes = cut_rows(
        [
            {
                "light": str(LIGHT_LABELS[row.light]),
                "number": row.number,
                "item": local_text(row.item_name, row.item_name_en),
                "department": local_text(row.department_name, row.department_name_en),
                "centre": local_text(row.centre_name, row.centre_name_en),
                "state": row.state_label,
                "due": f"{timezone.localtime(row.due_at):%Y-%m-%d}" if row.due_at else "",
            }
            for row in rows
        ],
        total,
        limit=limit,
    )
    title = gettext("Supervision: open cases")
    return Report(
        title=title,
        unit=scope_unit(request.user, Action.CASE_SUPERVISE),
        slug="supervision-cases",
        period_label=_as_of(now),
        generated_at=now,
        columns=[
            Column("light", _("Deadline light")),
            Column("number", _("Case number")),
            Column("item", _("Item")),
            Column("department", _("Department")),
            Column("centre", _("Centre")),
            Column("state", _("State")),
            Column("due", _("Promised completion")),
        ],
        rows=kept,
        footnotes=[
            *(
                [gettext("Light shown: %(light)s") % {"light": LIGHT_LABELS[Light(chosen)]}]
                if chosen
                else []
            ),
            gettext("Cases: %(count)s") % {"count": total},
            *notes,
        ],
    )


def _departments_report(request: HttpRequest, counts: Any, now: Any) -> Report:
    keys = [str(light) for light in LIGHTS_SHOWN]
    rows = [
        {
            "department": local_text(department.name, department.name_en),
            **{
                key: department.counts[light] for key, light in zip(keys, LIGHTS_SHOWN, strict=True)
            },
            "total": department.total,
        }
        for department in counts.departments
    ]
    return Report(
        title=gettext("Supervision: open cases by department"),
        unit=scope_unit(request.user, Action.CASE_SUPERVISE),
        slug="supervision-departments",
        period_label=_as_of(now),
        generated_at=now,
        columns=[
            Column("department", _("Department")),
            *[
                Column(key, LIGHT_LABELS[light], Kind.INTEGER)
                for key, light in zip(keys, LIGHTS_SHOWN, strict=True)
            ],
            Column("total", _("Total"), Kind.INTEGER),
        ],
        rows=rows,
        totals={
            "department": gettext("Total"),
            **{key: counts.lights[light] for key, light in zip(keys, LIGHTS_SHOWN, strict=True)},
            "total": counts.total,
        },
    )


def _as_of(now: Any) -> str:
    return gettext("As of %(moment)s") % {"moment": f"{timezone.localtime(now):%Y-%m-%d %H:%M}"}
