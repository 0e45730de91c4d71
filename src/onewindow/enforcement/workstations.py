"""The enforcement team's entry in the staff shell. Called once from
``EnforcementConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="enforcement.tasks",
        label=_("Enforcement tasks"),
        url_name="enforcement_staff:queue",
        action=Action.ENFORCEMENT_VIEW,
        order=56,
        description=_(
            "Inspect on site, issue rectification notices, re-inspect and decide penalties."
        ),
    )
