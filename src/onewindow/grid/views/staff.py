"""The grids' staff pages: the grids of a street with their map, one grid with its workers and
outline, the GeoJSON import and export, and the outlines the maps draw (grid/gridmap.js)."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from onewindow.core.errors import (
    ApplicationError,
    FieldError,
    NotFoundOrForbidden,
    ValidationFailed,
)
from onewindow.core.validation import DAY_MAX, DAY_MIN, record_id, reject_control_characters
from onewindow.grid.models import Grid, GridPost
from onewindow.grid.selectors import grids_geojson
from onewindow.grid.services import grid_post_end, grid_post_set, grids_export, grids_import
from onewindow.grid.views.params import GEOJSON_CONTENT_TYPE, region_prefix
from onewindow.org.codes import RegionLevel, Role
from onewindow.org.models import Region, RoleAssignment
from onewindow.org.permissions import Action, can, require, scope_queryset
from onewindow.staff.decorators import staff_page


def _outlines_url(prefix: str) -> str:
    return f"{reverse('grid_staff:outlines')}?region={prefix}"


@require_safe
@staff_page
def grid_list(request: HttpRequest) -> HttpResponse:
    """The streets to choose from, and the chosen street's grids (the first street by default)
    with their map. Three queries whatever the number of grids."""
    require(request.user, Action.GRID_VIEW)
    streets = list(
        Region.objects.filter(level=RegionLevel.STREET).order_by("code").only("code", "name")
    )
    chosen = request.GET.get("street", "")
    reject_control_characters(street=chosen)
    street = next((s for s in streets if s.code == chosen), streets[0] if streets else None)
    grids: list[Grid] = []
    if street is not None:
        today = timezone.localdate()
        open_posts = Q(posts__since__lte=today) & (
            Q(posts__until__isnull=True) | Q(posts__until__gte=today)
        )
        grids = list(
            scope_queryset(
                request.user,
                Action.GRID_VIEW,
                Grid.objects.filter(is_active=True, code__startswith=street.code[:9]),
                region_code_path="community__code",
            )
            .select_related("community")
            .annotate(workers=Count("posts", filter=open_posts))
            .order_by("code")
        )
    return render(
        request,
        "grid/staff/list.html",
        {
            "streets": streets,
            "street": street,
            "grids": grids,
            "outlines_url": _outlines_url(street.code[:9]) if street else "",
            "can_manage": can(request.user, Action.GRID_MANAGE),
        },
    )


def _grid_or_404(request: HttpRequest, code: str, action: Action) -> Grid:
    grid = Grid.objects.select_related("community").filter(code=code).first()
    if grid is None:
        require(request.user, action)
        raise NotFoundOrForbidden()
    require(request.user, action, grid, hide=True)
    return grid


def _candidates(grid: Grid, posts: list[GridPost]) -> list[Any]:
    """The grid workers whose role covers the grid's community and who hold no open post on
    it: one query."""
    open_users = {p.user_id for p in posts if p.until is None}
    prefixes = [grid.community_code[:n] for n in (6, 9, 12)]
    seen: dict[int, Any] = {}
    for assignment in (
        RoleAssignment.objects.filter(
            role=Role.GRID_WORKER, region__code__in=[f"{p}{'0' * (12 - len(p))}" for p in prefixes]
        )
        .select_related("user")
        .order_by("user__username")
    ):
        if assignment.user_id not in open_users and assignment.user.is_active:
            seen.setdefault(assignment.user_id, assignment.user)
    return list(seen.values())


def _detail(request: HttpRequest, grid: Grid, *, errors: Any = None, status: int = 200) -> Any:
    posts = list(GridPost.objects.filter(grid=grid).select_related("user").order_by("-since", "pk"))
    points = [{"lon": grid.label_lon, "lat": grid.label_lat, "light": "green", "label": grid.name}]
    can_manage = can(request.user, Action.GRID_MANAGE, grid)
    return render(
        request,
        "grid/staff/detail.html",
        {
            "grid": grid,
            "posts": posts,
            "points": points,
            "outlines_url": _outlines_url(grid.community_code),
            "today": timezone.localdate(),
            "can_manage": can_manage,
            "candidates": _candidates(grid, posts) if can_manage else [],
            "errors": errors or [],
        },
        status=status,
    )


@require_safe
@staff_page
def grid_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One grid: its community, area, workers (current and past) and outline on the map; an
    administrator posts workers and ends posts here."""
    return _detail(request, _grid_or_404(request, code, Action.GRID_VIEW))


def _day(raw: str | None, name: str) -> Any:
    import datetime as dt

    try:
        day = dt.date.fromisoformat(raw or "")
    except ValueError:
        day = None
    if day is None or not DAY_MIN <= day <= DAY_MAX:
        raise ValidationFailed(
            _("The date is not valid."),
            [
                FieldError(
                    field=name,
                    code="invalid",
                    message=_("Give a date between %(first)s and %(last)s (YYYY-MM-DD)."),
                    params={"first": DAY_MIN.isoformat(), "last": DAY_MAX.isoformat()},
                )
            ],
        )
    return day


@require_http_methods(["POST"])
@staff_page
def post_add(request: HttpRequest, code: str) -> HttpResponse:
    grid = _grid_or_404(request, code, Action.GRID_MANAGE)
    try:
        user_id = record_id(request.POST.get("user"))
        user = next((u for u in _candidates(grid, []) if u.pk == user_id), None)
        if user is None:
            raise ValidationFailed(
                _("The grid worker cannot be posted."),
                [
                    FieldError(
                        field="user", code="invalid", message=_("Choose one of the grid workers.")
                    )
                ],
            )
        grid_post_set(
            actor=request.user, grid=grid, user=user, since=_day(request.POST.get("since"), "since")
        )
    except ApplicationError as exc:
        return _detail(request, grid, errors=[str(exc), *map(str, exc.errors)], status=exc.status)
    return redirect("grid_staff:detail", code=grid.code)


@require_http_methods(["POST"])
@staff_page
def post_end(request: HttpRequest, code: str, post_id: int) -> HttpResponse:
    grid = _grid_or_404(request, code, Action.GRID_MANAGE)
    post = GridPost.objects.filter(grid=grid, pk=record_id(post_id) or 0).first()
    if post is None:
        raise NotFoundOrForbidden()
    try:
        grid_post_end(actor=request.user, post=post, until=_day(request.POST.get("until"), "until"))
    except ApplicationError as exc:
        return _detail(request, grid, errors=[str(exc), *map(str, exc.errors)], status=exc.status)
    return redirect("grid_staff:detail", code=grid.code)


@require_http_methods(["GET", "POST"])
@staff_page
def grid_import(request: HttpRequest) -> HttpResponse:
    """Upload a GeoJSON file; a file with any problem is refused whole, each problem listed by
    feature."""
    require(request.user, Action.GRID_MANAGE)
    errors: list[dict[str, Any]] = []
    result = None
    status = 200
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        try:
            if uploaded is None:
                raise ValidationFailed(
                    _("The grid file cannot be imported; nothing was written."),
                    [
                        FieldError(
                            field="file",
                            code="required",
                            message=_("Choose a GeoJSON file to upload."),
                        )
                    ],
                )
            from django.conf import settings

            # Read one byte more than allowed: the service says the file is too large.
            data = uploaded.read(settings.GRID_IMPORT_MAX_BYTES + 1)
            result = grids_import(actor=request.user, data=data)
        except ValidationFailed as exc:
            errors = [error.as_dict() for error in exc.errors]
            status = 422
    return render(
        request,
        "grid/staff/import.html",
        {"errors": errors, "result": result},
        status=status,
    )


@require_safe
@staff_page
def grid_export(request: HttpRequest) -> HttpResponse:
    """The grids and boundaries under ``?region=`` as a .geojson download."""
    require(request.user, Action.GRID_VIEW)
    prefix = region_prefix(request)
    collection = grids_export(actor=request.user, region_code_prefix=prefix)
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body.encode("utf-8"), content_type=GEOJSON_CONTENT_TYPE)
    name = f"grids-{prefix or 'all'}-{timezone.localdate():%Y%m%d}.geojson"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@staff_page
def outlines(request: HttpRequest) -> HttpResponse:
    """The outlines a map draws (``grids_geojson``): two queries. They are the base map —
    boundaries, codes and names, no one's data — so whoever sees grid cases on a map (a
    department's lead on the leaders' page, ``urban.view``) gets them as well as ``grid.view``."""
    if not can(request.user, Action.GRID_VIEW):
        require(request.user, Action.URBAN_VIEW)
    prefix = region_prefix(request)
    response = JsonResponse(
        grids_geojson(prefix=prefix),
        content_type=GEOJSON_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
    response["Cache-Control"] = "private, max-age=300"
    return response


URLS: list[URLPattern] = [
    path("", grid_list, name="list"),
    path("import/", grid_import, name="import"),
    path("export.geojson", grid_export, name="export"),
    path("outlines.geojson", outlines, name="outlines"),
    path("<str:code>/", grid_detail, name="detail"),
    path("<str:code>/posts/", post_add, name="post_add"),
    path("<str:code>/posts/<int:post_id>/end/", post_end, name="post_end"),
]
