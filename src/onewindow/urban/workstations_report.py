"""The grid worker's entry in the staff shell (the phone page). Called once from
``UrbanConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="urban.report",
        label=_("Report from the street"),
        url_name="urban_staff:report",
        action=Action.URBAN_REPORT,
        order=54,
        description=_("Report a problem with photo and place; works without a network."),
    )
