"""The manager's dashboard: five charts of the cases the user supervises and their ratings,
each with its table and its Excel / PDF export."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from onewindow.core.audit import audit_record
from onewindow.core.errors import NotFoundOrForbidden
from onewindow.dashboard.tables import CHARTS, CHARTS_BY_KEY, chart_data, scene_for
from onewindow.org.permissions import Action, require
from onewindow.reports.responses import export_format, report_response
from onewindow.staff.decorators import staff_page


@staff_page
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every chart with its table; a constant number of queries (one GROUP BY a figure)."""
    require(request.user, Action.CASE_SUPERVISE)
    scene = scene_for(request.user)
    charts = []
    for chart in CHARTS:
        report = chart.build(scene)
        charts.append(
            {
                "key": chart.key,
                "report": report,
                "data": chart_data(chart.key, report),
                "data_id": f"chart-data-{chart.key}",
            }
        )
    return render(request, "dashboard/staff/dashboard.html", {"charts": charts, "scene": scene})


@staff_page
@require_safe
def export(request: HttpRequest, chart: str) -> HttpResponse:
    """One chart's table as an Excel workbook or a PDF (``?format=xlsx|pdf``): permission
    first, then the chart (an unknown one is "not found") and the format; audited."""
    require(request.user, Action.CASE_SUPERVISE)
    found = CHARTS_BY_KEY.get(chart)
    if found is None:
        raise NotFoundOrForbidden()
    fmt = export_format(request.GET.get("format"))
    report = found.build(scene_for(request.user))
    audit_record(
        actor=request.user,
        action="dashboard.export",
        object_type="report",
        object_id=chart,
        object_repr=str(report.title),
        detail={"format": fmt, "rows": len(report.rows)},
    )
    return report_response(report, fmt)
