"""The assessment's entry in the staff shell (called once from ``AssessConfig.ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_workstation


def register() -> None:
    register_workstation(
        key="assess.tables",
        label=_("Monthly assessment"),
        url_name="assess_staff:tables",
        action=Action.ASSESS_VIEW,
        order=70,
        description=_(
            "The three monthly tables: ratings, efficiency and e-supervision, staff ranking."
        ),
    )
