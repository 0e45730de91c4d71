"""The hotline's figures page: the month's indicators per unit (and the city), the recurring
problems, and their Excel / PDF exports through ``reports``. A unit's staff see their own row."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from onewindow.core.audit import audit_record
from onewindow.core.errors import FieldError, NotFoundOrForbidden, ValidationFailed
from onewindow.hotline.figures_reports import hotspot_report, indicator_report, week_report
from onewindow.hotline.indicators import Month
from onewindow.org.permissions import Action, require
from onewindow.reports.responses import export_format, report_response
from onewindow.staff.decorators import staff_page


def _month(request: HttpRequest) -> Month:
    raw = request.GET.get("month")
    if raw in (None, ""):
        return Month.of(timezone.now())
    month = Month.parse(raw)
    if month is None:
        raise ValidationFailed(
            _("The month is not valid: write it as YYYY-MM, e.g. 2026-11."),
            [FieldError(field="month", code="invalid", message=_("Write the month as YYYY-MM."))],
        )
    return month


@require_safe
@staff_page
def figures(request: HttpRequest) -> HttpResponse:
    """A constant number of queries: five for the indicators, three for the recurring
    problems, two for the weeks."""
    require(request.user, Action.HOTLINE_VIEW)
    month = _month(request)
    report, _figures = indicator_report(user=request.user, month=month)
    return render(
        request,
        "hotline/figures_page.html",
        {
            "month": month,
            "report": report,
            "hotspots": hotspot_report(user=request.user, month=month),
            "weeks": week_report(user=request.user, month=month),
        },
    )


EXPORTS = ("indicators", "hotspots", "weeks")


@require_safe
@staff_page
def figures_export(request: HttpRequest, table: str) -> HttpResponse:
    require(request.user, Action.HOTLINE_VIEW)
    fmt = export_format(request.GET.get("format"))
    if table not in EXPORTS:
        raise NotFoundOrForbidden()
    month = _month(request)
    if table == "hotspots":
        report = hotspot_report(user=request.user, month=month)
    elif table == "weeks":
        report = week_report(user=request.user, month=month)
    else:
        report, _figures = indicator_report(user=request.user, month=month)
    audit_record(
        actor=request.user,
        action=f"hotline.{table}_export",
        object_type="report",
        object_id=month.key,
        object_repr=str(report.title),
        detail={"format": fmt, "rows": len(report.rows), "month": month.key},
    )
    return report_response(report, fmt)


URLS: list[URLPattern] = [
    path("figures/", figures, name="figures"),
    path("figures/export/<slug:table>/", figures_export, name="figures_export"),
]
