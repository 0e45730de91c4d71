"""Labels of the workstations' audit actions (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "staff.sign_in": _("Signed in"),
    "staff.sign_out": _("Signed out"),
    "staff.session_timeout": _("Session timed out"),
    "staff.second_factor": _("Second factor checked"),
    "staff.second_factor_enrol": _("Second factor enrolled"),
    "staff.second_factor_reset": _("Second factor reset"),
    "staff.enrolment_code_issue": _("Enrolment code issued"),
    "staff.enrolment_code_use": _("Enrolment code used"),
    "staff.pending_enrolments_clean": _("Unfinished enrolments cleared"),
}
