"""Grid management's figures in the staff shell: the month's indicators per grid, community,
street, unit or grid worker with the score (``/staff/urban/figures/``) and their Excel / PDF
export; the leaders' phone page (``/staff/urban/today/``: today's numbers, the overdue cases,
the map) and the map's data as JSON (the open cases' points, the month's heat per grid).

Permission first (``urban.view``), then the parameters (month ``YYYY-MM``; ``region``: a street
or community code the user may read; ``level``); every page a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from onewindow.core.audit import audit_record
from onewindow.core.errors import FieldError, NotFoundOrForbidden, ValidationFailed
from onewindow.hotline.indicators import Month
from onewindow.org.codes import RegionLevel
from onewindow.org.models import Region
from onewindow.org.permissions import Action, can, require
from onewindow.reports.responses import export_format, report_response
from onewindow.staff.decorators import staff_page
from onewindow.urban.figures_reports import indicator_report, score_report
from onewindow.urban.indicators import LEVEL_LABELS, LEVELS, Level
from onewindow.urban.leaders import category_heat, open_case_points, overdue_cases, today_counts

REGION_LEVELS = (RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY)


def _month(request: HttpRequest) -> Month:
    raw = request.GET.get("month")
    if raw in (None, ""):
        return Month.of(timezone.now())
    month = Month.parse(str(raw)[:16])
    if month is None:
        raise ValidationFailed(
            _("The month is not valid: write it as YYYY-MM, e.g. 2026-11."),
            [FieldError(field="month", code="invalid", message=_("Write the month as YYYY-MM."))],
        )
    return month


def _level(request: HttpRequest) -> str:
    raw = str(request.GET.get("level", "") or Level.STREET)[:16]
    if raw not in LEVELS:
        raise ValidationFailed(
            _("Choose how to group the figures."),
            [FieldError(field="level", code="invalid", message=_("Choose a grouping."))],
        )
    return raw


def _region(request: HttpRequest) -> Region | None:
    """The street or community asked for (``region``: its 12-digit code), one the user may
    read; none: every case the user may read. Missing and not-yours answer the same."""
    raw = str(request.GET.get("region", "") or "")
    if not raw:
        return None
    if len(raw) != 12 or not (raw.isascii() and raw.isdigit()):
        raise NotFoundOrForbidden()
    region = Region.objects.filter(code=raw, level__in=REGION_LEVELS).first()
    if region is None:
        raise NotFoundOrForbidden()
    require(request.user, Action.URBAN_VIEW, region, hide=True)
    return region


def _regions(user: Any) -> list[Region]:
    """The streets and communities with unit grids that the user may pick. One query."""
    found = (
        Region.objects.filter(
            Q(level=RegionLevel.COMMUNITY, grids__isnull=False)
            | Q(level=RegionLevel.STREET, children__grids__isnull=False)
        )
        .distinct()
        .order_by("code")
    )
    return [r for r in found if can(user, Action.URBAN_VIEW, r)]


def _scene(request: HttpRequest) -> dict[str, Any]:
    require(request.user, Action.URBAN_VIEW)
    month = _month(request)
    region = _region(request)
    return {
        "month": month,
        "region": region,
        "prefix": region.prefix if region else "",
        "unit_name": region.name if region else "",
        "query": f"month={month.key}" + (f"&region={region.code}" if region else ""),
    }


@require_safe
@staff_page
def figures(request: HttpRequest) -> HttpResponse:
    """The indicators of one level and the score: the indicators' queries (seven and the
    names), the weights, the regions for the picker."""
    scene = _scene(request)
    level = _level(request)
    report, found = indicator_report(
        user=request.user,
        month=scene["month"],
        level=level,
        prefix=scene["prefix"],
        unit_name=scene["unit_name"],
    )
    scene.update(
        level=level,
        levels=[(key, LEVEL_LABELS[key]) for key in LEVELS],
        report=report,
        score=score_report(
            user=request.user, month=scene["month"], figures=found, unit_name=scene["unit_name"]
        ),
        regions=_regions(request.user),
        may_manage=can(request.user, Action.URBAN_MANAGE),
    )
    return render(request, "urban/figures_page.html", scene)


EXPORTS = (*LEVELS, "score")


@require_safe
@staff_page
def figures_export(request: HttpRequest, table: str) -> HttpResponse:
    require(request.user, Action.URBAN_VIEW)
    fmt = export_format(request.GET.get("format"))
    if table not in EXPORTS:
        raise NotFoundOrForbidden()
    scene = _scene(request)
    level = Level.STREET if table == "score" else table
    report, found = indicator_report(
        user=request.user,
        month=scene["month"],
        level=level,
        prefix=scene["prefix"],
        unit_name=scene["unit_name"],
    )
    if table == "score":
        report = score_report(
            user=request.user, month=scene["month"], figures=found, unit_name=scene["unit_name"]
        )
    audit_record(
        actor=request.user,
        action="urban.figures_export",
        object_type="report",
        object_id=f"{table}:{scene['month'].key}:{scene['prefix']}",
        object_repr=str(report.title),
        detail={"format": fmt, "rows": len(report.rows), "month": scene["month"].key},
    )
    return report_response(report, fmt)


def _outlines_url() -> str:
    """The unit grids' GeoJSON (the grid app's outlines endpoint)."""
    return reverse("grid_staff:outlines")


@require_safe
@staff_page
def today(request: HttpRequest) -> HttpResponse:
    """The leaders' phone page: three queries for the numbers and the overdue list, one for
    the picker; the map loads its data from the two JSON addresses."""
    scene = _scene(request)
    now = timezone.now()
    scene.update(
        counts=today_counts(user=request.user, prefix=scene["prefix"], now=now),
        overdue=overdue_cases(user=request.user, prefix=scene["prefix"], now=now),
        regions=_regions(request.user),
        outlines_url=_outlines_url(),
        now=now,
    )
    return render(request, "urban/today.html", scene)


@require_safe
@staff_page
def map_points(request: HttpRequest) -> HttpResponse:
    scene = _scene(request)
    return JsonResponse(open_case_points(prefix=scene["prefix"], user=request.user))


@require_safe
@staff_page
def map_heat(request: HttpRequest) -> HttpResponse:
    scene = _scene(request)
    category = str(request.GET.get("category", "") or "")
    if len(category) > 16 or not all(c.isascii() and c.isalnum() for c in category):
        raise NotFoundOrForbidden()
    heat = category_heat(
        prefix=scene["prefix"], month=scene["month"], user=request.user, category=category
    )
    return JsonResponse({"month": scene["month"].key, "heat": heat})


URLS: list[URLPattern] = [
    path("figures/", figures, name="figures"),
    path("figures/export/<slug:table>/", figures_export, name="figures_export"),
    path("today/", today, name="today"),
    path("map/points.json", map_points, name="map_points"),
    path("map/heat.json", map_heat, name="map_heat"),
]
