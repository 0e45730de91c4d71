"""The Open311 clients' entry in the staff shell. Called once from ``HotlineConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="hotline.open311_clients",
        label=_("Open311 clients"),
        url_name="hotline_staff:open311_clients",
        action=Action.HOTLINE_MANAGE,
        order=59,
        description=_("Issue and revoke the API keys of Open311 client applications."),
    )
