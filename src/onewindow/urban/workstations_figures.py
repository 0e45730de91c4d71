"""Grid management's figures in the staff shell. Called once from ``UrbanConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="urban.figures",
        label=_("Grid figures"),
        url_name="urban_staff:figures",
        action=Action.URBAN_VIEW,
        order=57,
        description=_(
            "The grid indicators of a month per grid, community, street, unit and worker."
        ),
    )
    register_workstation(
        key="urban.today",
        label=_("Grid today"),
        url_name="urban_staff:today",
        action=Action.URBAN_VIEW,
        order=58,
        description=_("Today's grid cases, the overdue ones and the map, for a phone."),
    )
