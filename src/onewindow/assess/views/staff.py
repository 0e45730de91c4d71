"""The assessment's staff pages: the three monthly tables (month and unit pickers), the cases
behind any figure, the weights of a centre's score, and the confirmation of the month's service
star and model window. Each page checks ``assess.view`` (or ``assess.manage``) first; a unit
outside the user's scope answers the one 404 page (``staff_page``)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.assess import selectors, services
from onewindow.assess.codes import DEFAULT_WEIGHTS, SHORT_LABELS, Figure, HonourKind, ScoreFigure
from onewindow.assess.exports import GRID_NOTE, HOTLINE_NOTE, TABLES, as_report, table_export
from onewindow.assess.grid import grid_table
from onewindow.assess.hotline import hotline_table
from onewindow.assess.tables import Period, Unit, efficiency_table, rating_table, staff_table
from onewindow.catalog.names import english_active
from onewindow.core.audit import audit_record
from onewindow.core.errors import (
    ApplicationError,
    FieldError,
    NotFoundOrForbidden,
    ValidationFailed,
)
from onewindow.core.validation import record_id
from onewindow.org.models import ServiceCentre
from onewindow.org.permissions import Action, can, require
from onewindow.reports.responses import export_format, report_response
from onewindow.staff.decorators import staff_page

CASES_PER_PAGE = 50


def error_texts(error: ApplicationError) -> dict[str, Any]:
    data = error.as_dict()
    key = "message_en" if english_active() else "message"
    return {
        "message": data[key],
        "message_en": "" if key == "message_en" else data["message_en"],
        "fields": {e["field"]: e[key] for e in data["errors"]},
        "code": data["code"],
    }


def period_of(text: str | None) -> Period:
    """The month asked for (``YYYY-MM``), by default the last complete month."""
    if not text:
        return Period.of(timezone.now()).previous
    period = Period.parse(text)
    if period is None:
        raise ValidationFailed(
            _("Choose a month as YYYY-MM (for example 2026-11)."),
            [FieldError("month", "month", _("Choose a month as YYYY-MM (for example 2026-11)."))],
            code="month",
        )
    return period


def _scene(request: HttpRequest, action: Action = Action.ASSESS_VIEW) -> dict[str, Any]:
    """The unit and month of a table page, with the pickers' choices (permission first)."""
    require(request.user, action, None)
    units = selectors.units_for_user(request.user, action)
    key = str(request.GET.get("unit", "") or request.POST.get("unit", ""))[:40]
    if key:
        unit = selectors.unit_for_user(request.user, key, action)
    elif units:
        unit = selectors.unit_default(request.user, units)
    else:
        raise NoUnit()
    period = period_of(str(request.GET.get("month", "") or request.POST.get("month", ""))[:7])
    return {
        "units": units,
        "unit": unit,
        "period": period,
        "query": urlencode({"unit": unit.key, "month": period.key}),
        "may_manage": unit.centre_id is not None
        and can(request.user, Action.ASSESS_MANAGE, unit.target),
    }


class NoUnit(Exception):
    """The user may assess, but no centre or region is in their scope (a department lead)."""


def no_unit(view: Any) -> Any:
    """Answer a page saying so when the user has no unit to assess (inside ``staff_page``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NoUnit:
            return render(request, "assess/staff/no_unit.html", {})

    return wrapped


def _weights_for(unit: Unit, period: Period) -> dict[str, int]:
    """The weights in force at the end of the month shown (``selectors.weights_at``)."""
    return selectors.weights_at(unit.centre_id, period.end)


@require_safe
@staff_page
@no_unit
def ratings(request: HttpRequest) -> HttpResponse:
    scene = _scene(request)
    scene["table"] = rating_table(unit=scene["unit"], period=scene["period"])
    scene["tab"] = "ratings"
    return render(request, "assess/staff/ratings.html", scene)


@require_safe
@staff_page
@no_unit
def efficiency(request: HttpRequest) -> HttpResponse:
    scene = _scene(request)
    scene["table"] = efficiency_table(unit=scene["unit"], period=scene["period"])
    scene["tab"] = "efficiency"
    return render(request, "assess/staff/efficiency.html", scene)


@require_safe
@staff_page
@no_unit
def hotline(request: HttpRequest) -> HttpResponse:
    """The 12345 hotline section: the handling units of the unit's region (``assess.hotline``)."""
    scene = _scene(request)
    scene["table"] = hotline_table(unit=scene["unit"], period=scene["period"])
    scene["note"] = HOTLINE_NOTE
    scene["tab"] = "hotline"
    return render(request, "assess/staff/hotline.html", scene)


@require_safe
@staff_page
@no_unit
def grid(request: HttpRequest) -> HttpResponse:
    """Grid management's section: the streets (or communities) of the unit's region
    (``assess.grid``)."""
    scene = _scene(request)
    scene["table"] = grid_table(unit=scene["unit"], period=scene["period"])
    scene["note"] = GRID_NOTE
    scene["tab"] = "grid"
    return render(request, "assess/staff/grid.html", scene)


def _ranking_page(
    request: HttpRequest, scene: dict[str, Any], *, error: Any = None, status: int = 200
) -> HttpResponse:
    unit = scene["unit"]
    scene["table"] = staff_table(
        unit=unit, period=scene["period"], weights=_weights_for(unit, scene["period"])
    )
    scene["tab"] = "ranking"
    # Honours are confirmed on a month's final ranking (the service refuses earlier).
    scene["month_over"] = timezone.now() >= scene["period"].end
    scene["figures"] = ScoreFigure
    scene["weights_shown"] = [
        (key, SHORT_LABELS.get(key, key), value) for key, value in scene["table"].weights.items()
    ]
    scene["honours"] = (
        selectors.honours_of(centre_id=unit.centre_id, period=scene["period"])
        if unit.centre_id is not None
        else {}
    )
    scene["error"] = error
    return render(request, "assess/staff/ranking.html", scene, status=status)


@require_safe
@staff_page
@no_unit
def ranking(request: HttpRequest) -> HttpResponse:
    return _ranking_page(request, _scene(request))


@require_safe
@staff_page
@no_unit
def cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure of a table (paged; two queries for any number of cases)."""
    scene = _scene(request)
    figure = str(request.GET.get("figure", ""))[:32]
    if figure not in Figure.values:
        raise NotFoundOrForbidden()

    def number(name: str) -> int | None:
        text = str(request.GET.get(name, "") or "")
        if not text:
            return None
        value = record_id(text)
        if value is None:
            raise NotFoundOrForbidden()
        return value

    department_id, user_id = number("department"), number("user")
    found = selectors.cases_behind(
        unit=scene["unit"],
        period=scene["period"],
        figure=figure,
        department_id=department_id,
        user_id=user_id,
    )
    page = Paginator(found, CASES_PER_PAGE).get_page(request.GET.get("page"))
    extra = {"figure": figure}
    if department_id is not None:
        extra["department"] = str(department_id)
    if user_id is not None:
        extra["user"] = str(user_id)
    scene.update(
        figure=Figure(figure),
        page=page,
        filters=f"{scene['query']}&{urlencode(extra)}",
    )
    return render(request, "assess/staff/cases.html", scene)


def _managed_centre(request: HttpRequest, scene: dict[str, Any]) -> ServiceCentre:
    unit = scene["unit"]
    if unit.centre_id is None:
        raise NotFoundOrForbidden()
    centre = ServiceCentre.objects.select_related("region").get(pk=unit.centre_id)
    require(request.user, Action.ASSESS_MANAGE, centre, hide=True)
    return centre


@require_http_methods(["GET", "POST"])
@staff_page
@no_unit
def weights(request: HttpRequest) -> HttpResponse:
    scene = _scene(request, Action.ASSESS_MANAGE)
    centre = _managed_centre(request, scene)
    error, status, values = None, 200, selectors.weights_current(centre.pk)
    if request.method == "POST":
        raw = {figure: str(request.POST.get(figure, ""))[:8] for figure in DEFAULT_WEIGHTS}
        try:
            services.weights_set(actor=request.user, centre=centre, raw=raw)
        except ValidationFailed as exc:
            error, status, values = error_texts(exc), 422, raw  # type: ignore[assignment]
        else:
            return HttpResponseRedirect(
                f"{reverse('assess_staff:weights')}?{scene['query']}&saved=1"
            )
    scene.update(
        centre=centre,
        values=values,
        figures=[
            (f, ScoreFigure(f).label, values.get(f, ""), SHORT_LABELS[f]) for f in DEFAULT_WEIGHTS
        ],
        history=selectors.weights_history(centre.pk),
        error=error,
        saved=request.GET.get("saved") == "1",
        tab="weights",
    )
    return render(request, "assess/staff/weights.html", scene, status=status)


@require_POST
@staff_page
@no_unit
def honour_confirm(request: HttpRequest) -> HttpResponse:
    scene = _scene(request, Action.ASSESS_MANAGE)
    centre = _managed_centre(request, scene)
    kind = str(request.POST.get("kind", ""))[:16]
    if kind not in HonourKind.values:
        raise NotFoundOrForbidden()
    text = str(request.POST.get("candidate", "") or "")
    candidate = record_id(text)
    if text and candidate is None:
        raise NotFoundOrForbidden()
    try:
        services.honour_confirm(
            actor=request.user,
            centre=centre,
            period=scene["period"],
            kind=kind,
            candidate_id=candidate,
            note=str(request.POST.get("note", ""))[:255],
        )
    except ApplicationError as exc:
        if isinstance(exc, NotFoundOrForbidden):
            raise
        return _ranking_page(request, scene, error=error_texts(exc), status=exc.status)
    return HttpResponseRedirect(f"{reverse('assess_staff:ranking')}?{scene['query']}")


@require_safe
@staff_page
@no_unit
def export(request: HttpRequest, table: str) -> HttpResponse:
    """One of the three tables as an Excel workbook or a PDF (``?format=xlsx|pdf``):
    permission first, then the table and the format, then the unit; audited."""
    require(request.user, Action.ASSESS_VIEW, None)
    if table not in TABLES:
        raise NotFoundOrForbidden()
    fmt = export_format(request.GET.get("format"))
    scene = _scene(request)
    unit, period = scene["unit"], scene["period"]
    data = table_export(table=table, unit=unit, period=period, weights=_weights_for(unit, period))
    report = as_report(data, unit=unit, period=period, fmt=fmt)
    audit_record(
        actor=request.user,
        action="assess.export",
        object_type="report",
        object_id=f"{table}:{unit.key}:{period.key}",
        object_repr=str(report.title),
        detail={"format": fmt, "rows": len(report.rows), "unit": unit.key, "month": period.key},
    )
    return report_response(report, fmt)
