"""Code values of grid management (GB/T 30428): what a case is, where it came from, how its
stages are counted."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    """部件 (a fixed object: a manhole cover, a lamp) or 事件 (something happening)."""

    COMPONENT = "component", _("Component (部件)")
    EVENT = "event", _("Event (事件)")


class Source(models.TextChoices):
    """信息采集: who told the platform."""

    INSPECTOR = "inspector", _("Grid worker's patrol (监督员上报)")
    SELF_HANDLED = "self", _("Handled on the spot by the grid worker (自行处置)")
    PUBLIC = "public", _("Citizen on the web (公众上报)")
    HOTLINE = "hotline", _("12345 hotline")
    OPEN311 = "open311", _("Open311 client")


# Public reports are verified on site (核实) before they are filed.
PUBLIC_SOURCES = frozenset({Source.PUBLIC, Source.HOTLINE, Source.OPEN311})


class PhotoKind(models.TextChoices):
    REPORT = "report", _("When reported")
    VERIFY = "verify", _("On verification (核实)")
    HANDLING = "handling", _("Handling (处置)")
    AFTER = "after", _("After, on checking (核查)")


class RequestKind(models.TextChoices):
    """What a unit asks the supervision centre to approve."""

    EXTENSION = "extension", _("Extension (延期)")
    PARK = "park", _("Park long-term (挂账)")


class RequestDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
