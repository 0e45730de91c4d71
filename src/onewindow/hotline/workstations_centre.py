"""The hotline centre's entries in the staff shell. Called once from ``HotlineConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="hotline.call",
        label=_("Hotline call screen"),
        url_name="hotline_staff:call",
        action=Action.HOTLINE_TAKE,
        order=31,
        description=_("Take a 12345 call: accept and dispatch, answer directly, or refuse."),
    )
    register_workstation(
        key="hotline.submitted",
        label=_("Hotline orders to accept"),
        url_name="hotline_staff:submitted",
        action=Action.HOTLINE_TAKE,
        order=32,
        description=_("Orders from the web, accounts, Open311 and bad ratings to accept."),
    )
    register_workstation(
        key="hotline.dispatch",
        label=_("Hotline dispatch"),
        url_name="hotline_staff:dispatch",
        action=Action.HOTLINE_DISPATCH,
        order=33,
        description=_("Dispatch accepted orders to the units (派单), returns first in view."),
    )
    register_workstation(
        key="hotline.callbacks",
        label=_("Hotline call-backs"),
        url_name="hotline_staff:callbacks",
        action=Action.HOTLINE_TAKE,
        order=34,
        description=_("Call the callers back after the units' replies (回访)."),
    )
    register_workstation(
        key="hotline.extensions",
        label=_("Hotline extensions"),
        url_name="hotline_staff:extensions",
        action=Action.HOTLINE_SUPERVISE,
        order=35,
        description=_("Approve or reject the units' extension requests (延期)."),
    )
    register_workstation(
        key="hotline.supervision",
        label=_("Hotline supervision"),
        url_name="hotline_staff:supervision",
        action=Action.HOTLINE_SUPERVISE,
        order=36,
        description=_("Orders at the units with their lights; remind the late ones (催办)."),
    )
    register_workstation(
        key="hotline.wallboard",
        label=_("Hotline wallboard"),
        url_name="hotline_staff:wallboard",
        action=Action.HOTLINE_TAKE,
        order=37,
        description=_("The centre's figures now, refreshed every 30 seconds."),
    )
