"""Grid management's entries in the staff shell for the case flow. Called once from
``UrbanConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="urban.supervision",
        label=_("Grid supervision centre"),
        url_name="urban_staff:supervision",
        action=Action.URBAN_FILE,
        order=38,
        description=_("File the grid reports (立案), approve the units' requests, close cases."),
    )
    register_workstation(
        key="urban.command",
        label=_("Grid command centre"),
        url_name="urban_staff:command",
        action=Action.URBAN_DISPATCH,
        order=39,
        description=_("Dispatch the filed grid cases to the responsible units (派遣)."),
    )
    register_workstation(
        key="urban.unit",
        label=_("Grid cases of my unit"),
        url_name="urban_staff:unit_queue",
        action=Action.URBAN_HANDLE,
        order=52,
        description=_("Handle the grid cases dispatched to your unit and feed back with photos."),
    )
    register_workstation(
        key="urban.tasks",
        label=_("My grid tasks"),
        url_name="urban_staff:tasks",
        # The grid workers' (the 值班长 also verifies, by video, from the case's page).
        action=Action.URBAN_REPORT,
        order=53,
        description=_("Verify reports and check the units' work on site (核实, 核查)."),
    )
