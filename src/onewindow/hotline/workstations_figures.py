"""The hotline figures' entry in the staff shell. Called once from ``HotlineConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="hotline.figures",
        label=_("Hotline figures"),
        url_name="hotline_staff:figures",
        action=Action.HOTLINE_VIEW,
        order=51,
        description=_("The 12345 indicators per unit and the recurring problems of a month."),
    )
