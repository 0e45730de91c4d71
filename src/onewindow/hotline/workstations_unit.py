"""The hotline's unit entries in the staff shell. Called once from ``HotlineConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="hotline.unit",
        label=_("12345 work orders"),
        url_name="hotline_staff:unit_queue",
        action=Action.HOTLINE_HANDLE,
        order=49,
        description=_("Sign for, handle and reply to the 12345 orders dispatched to your unit."),
    )
