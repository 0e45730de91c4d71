"""The grid categories' entry in the staff shell. Called once from ``UrbanConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="urban.categories",
        label=_("Grid categories"),
        url_name="urban_staff:categories",
        action=Action.URBAN_MANAGE,
        order=62,
        description=_(
            "The categories of components and events with their conditions, units and staged "
            "time limits; import and export them as a workbook."
        ),
    )
