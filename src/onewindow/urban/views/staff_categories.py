"""The grid categories' staff pages (``/staff/urban/categories/``), for the administrator
(``Action.URBAN_MANAGE``): the list by kind and major class with each subclass's conditions,
stages and units; the workbook import (every error listed, nothing stored) and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from onewindow.core.errors import ValidationFailed
from onewindow.org.permissions import Action, require
from onewindow.staff.decorators import staff_page
from onewindow.urban.selectors import category_catalogue
from onewindow.urban.services.categories import (
    MAX_WORKBOOK_BYTES,
    categories_export,
    categories_import,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE = "urban/staff_categories.html"


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(
        request,
        TEMPLATE,
        {
            "catalogue": category_catalogue(),
            "max_mb": MAX_WORKBOOK_BYTES // (1024 * 1024),
            **context,
        },
        status=status,
    )


@require_safe
@staff_page
def categories(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.URBAN_MANAGE)
    return _page(request, {})


@require_POST
@staff_page
def categories_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.URBAN_MANAGE)
    uploaded = request.FILES.get("workbook")
    # At most one byte over the limit is read: the service refuses it by its size.
    data = uploaded.read(MAX_WORKBOOK_BYTES + 1) if uploaded is not None else b""
    try:
        result = categories_import(
            actor=request.user,
            data=data,
            content_type=uploaded.content_type if uploaded is not None else None,
            filename=(uploaded.name or "") if uploaded is not None else "",
        )
    except ValidationFailed as exc:
        return _page(request, {"error": exc.as_dict()}, status=422)
    messages.success(
        request,
        _(
            "Imported: %(majors)s major classes, %(subclasses)s subclasses, %(units)s "
            "responsible units, %(stages)s stages; %(deactivated)s categories not in the "
            "workbook deactivated."
        )
        % result.__dict__,
    )
    return redirect("urban_staff:categories")


@require_safe
@staff_page
def categories_download(request: HttpRequest) -> HttpResponse:
    data = categories_export(actor=request.user)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, f"grid-categories-{timezone.localdate():%Y%m%d}.xlsx"
    )
    return response


URLS: list[URLPattern] = [
    path("categories/", categories, name="categories"),
    path("categories/import/", categories_upload, name="categories_import"),
    path("categories/export/", categories_download, name="categories_export"),
]
