"""The grids' entry in the staff shell. Called once from ``GridConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="grid.grids",
        label=_("Unit grids"),
        url_name="grid_staff:list",
        action=Action.GRID_VIEW,
        order=61,
        description=_(
            "The unit grids of each street on the map, their workers, import and export."
        ),
    )
