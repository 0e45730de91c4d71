"""The case flow's entries in the staff shell: its workstations and the case-number box.

Called once from ``CasesConfig.ready()``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.staff.navigation import register_tool, register_workstation


def register() -> None:
    register_workstation(
        key="cases.intake",
        label=_("Intake"),
        url_name="cases_staff:intake",
        action=Action.CASE_ACCEPT,
        order=10,
        description=_("Read the ID card, check the papers, accept."),
    )
    register_workstation(
        key="cases.queue",
        label=_("Department queue"),
        url_name="cases_staff:queue",
        action=Action.CASE_WORK,
        order=20,
        description=_("Review and decide the cases of your department."),
    )
    register_workstation(
        key="cases.output",
        label=_("Output desk"),
        url_name="cases_staff:output",
        action=Action.CASE_DELIVER,
        order=30,
        description=_("Hand over results and give back papers."),
    )
    register_workstation(
        key="cases.supervision",
        label=_("Supervision"),
        url_name="cases_staff:supervision",
        action=Action.CASE_SUPERVISE,
        order=40,
        description=_("Watch the deadlines: red, yellow, paused."),
    )
    register_tool(
        key="cases.find",
        template="cases/staff/_find_case.html",
        action=Action.CASE_VIEW,
        order=10,
    )
