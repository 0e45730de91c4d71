"""The grids' one public address: ``/grid/outlines.geojson?region=``, the base map the
citizen's report page (``/grid/report/``) draws for a tap to give the place. Boundaries, codes
and names only — the same FeatureCollection as the staff maps' (``grids_geojson``), which holds
no one's data — so it needs no sign-in and may be cached by anyone for five minutes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from onewindow.core.errors import ValidationFailed
from onewindow.grid.selectors import grids_geojson
from onewindow.grid.views.params import GEOJSON_CONTENT_TYPE, region_prefix

MAX_AGE_SECONDS = 300


@require_safe
def outlines(request: HttpRequest) -> HttpResponse:
    """GET or HEAD only (anything else 405). ``?region=`` as on the staff maps ("" the whole
    district; digits, at most 14): a bad one answers 422 in the platform's error format (JSON),
    a control character 400 (the middleware). Two queries."""
    try:
        prefix = region_prefix(request)
    except ValidationFailed as error:
        refused = JsonResponse(error.as_dict(), status=error.status)
        refused["Cache-Control"] = "no-store"
        return refused
    response = JsonResponse(
        grids_geojson(prefix=prefix),
        content_type=GEOJSON_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
    response["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    return response


URLS: list[URLPattern] = [
    path("grid/outlines.geojson", outlines, name="outlines"),
]
