"""Labels of the applicants' audit actions (found by ``core.audit_labels``): most are reads of
personal data, each audited."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "applicants.person_register": _("Person registered"),
    "applicants.person_lookup": _("Person looked up"),
    "applicants.person_reveal": _("Personal data shown in full"),
    "applicants.person_profile": _("Person's profile read"),
    "applicants.person_prefill_read": _("Person's saved form data read"),
    "applicants.citizen_own_read": _("Citizen's own record read to pre-fill an application"),
    "applicants.person_prefill_update": _("Person's saved form data updated"),
    "applicants.person_details_compare": _("Person's details compared"),
    "applicants.person_admin_list": _("Persons listed in the admin"),
    "applicants.person_admin_view": _("Person viewed in the admin"),
    "applicants.person_change_request": _("Change of personal data requested"),
    "applicants.person_change_read": _("Change of personal data read"),
    "applicants.person_change_code_sent": _("Confirmation code sent"),
    "applicants.person_change_code_wrong": _("Wrong confirmation code"),
    "applicants.person_change_approve": _("Change of personal data approved"),
    "applicants.person_change_apply": _("Change of personal data applied"),
    "applicants.person_change_refuse": _("Change of personal data refused"),
    "applicants.organisation_register": _("Organisation registered"),
    "applicants.organisation_lookup": _("Organisation looked up"),
    "applicants.organisation_reveal": _("Organisation's data shown in full"),
    "applicants.organisation_admin_list": _("Organisations listed in the admin"),
    "applicants.organisation_admin_view": _("Organisation viewed in the admin"),
    "applicants.api": _("use the applicants API"),
    "notify.recipient_read": _("Applicant's mobile read to send a notice"),
}
