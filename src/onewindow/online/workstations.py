"""The pre-review queue's entry in the staff shell. Called once from ``OnlineConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="online.review",
        label=_("Online pre-review"),
        url_name="online_staff:queue",
        action=Action.CASE_ACCEPT,
        order=12,
        description=_("Pre-review the applications sent online: accept, ask for 补正, refuse."),
    )
