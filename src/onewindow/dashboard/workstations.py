"""The dashboard's entry in the staff shell. Called once from ``DashboardConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="dashboard.manager",
        label=_("Dashboard"),
        url_name="dashboard_staff:dashboard",
        action=Action.CASE_SUPERVISE,
        order=45,
        description=_("Cases by month, intake by hour, windows' workload, overdue cases, ratings."),
    )
