"""What the grid views share: the GeoJSON content type and the ``?region=`` code read and
checked (the staff pages and the public outlines answer a bad one alike)."""

from __future__ import annotations

from django.http import HttpRequest

from onewindow.core.validation import reject_control_characters
from onewindow.grid.services import region_prefix_checked

GEOJSON_CONTENT_TYPE = "application/geo+json"


def region_prefix(request: HttpRequest, default: str = "") -> str:
    """``?region=``: "" (the district) or at most 14 ASCII digits (a region or grid code's
    start; the rule is ``grid.services.region_prefix_checked``); anything else raises
    ``ValidationFailed`` (422)."""
    raw = request.GET.get("region", default)
    reject_control_characters(region=raw)
    return region_prefix_checked(raw)
