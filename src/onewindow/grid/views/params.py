"""What the grid views share: the GeoJSON content type and the ``?region=`` code read and
checked (the staff pages and the public outlines answer a bad one alike)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.core.validation import reject_control_characters
from onewindow.grid.models import GRID_CODE_LENGTH

GEOJSON_CONTENT_TYPE = "application/geo+json"


def region_prefix(request: HttpRequest, default: str = "") -> str:
    """``?region=``: "" (the district) or at most 14 ASCII digits (a region or grid code's
    start); anything else raises ``ValidationFailed`` (422)."""
    raw = request.GET.get("region", default)
    reject_control_characters(region=raw)
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= GRID_CODE_LENGTH):
        raise ValidationFailed(
            _("The region code is not valid."),
            [
                FieldError(
                    field="region",
                    code="invalid",
                    message=_("Give the digits of a region code (at most 14)."),
                )
            ],
        )
    return raw
