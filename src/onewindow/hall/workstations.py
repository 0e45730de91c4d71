"""The hall's entries in the staff shell: the window clerk's workstation, the phone agent's
booking page and the manager's queue figures. Called once from ``HallConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="hall.windows",
        label=_("Call tickets"),
        url_name="hall_staff:windows",
        action=Action.HALL_SERVE,
        order=15,
        description=_("Call the next ticket to your window, call again, skip, mark served."),
    )
    register_workstation(
        key="hall.phone_booking",
        label=_("Book for a caller"),
        url_name="hall_staff:phone_booking",
        action=Action.HALL_BOOK_FOR_CALLER,
        order=55,
        description=_("Book a slot at a service hall for somebody on the phone."),
    )
    register_workstation(
        key="hall.manager",
        label=_("Queue figures"),
        url_name="hall_staff:manager",
        action=Action.HALL_MANAGE,
        order=65,
        description=_("Queue lengths now; waits and people served by hour."),
    )
