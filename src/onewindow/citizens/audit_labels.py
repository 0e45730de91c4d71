"""Labels of the citizen channel's audit actions (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "citizens.code_sent": _("Citizen sign-in code sent"),
    "citizens.sign_in": _("Citizen signed in"),
    "citizens.account_create": _("Citizen account created"),
    "citizens.token_revoke": _("Citizen sign-in revoked"),
    "citizens.bind": _("Citizen account bound to a real name"),
    "citizens.rebind": _("Citizen account's real name changed"),
    "citizens.company_claim": _("Company account opened by its legal representative"),
    "citizens.agent_grant": _("Company agent authorised"),
    "citizens.agent_revoke": _("Company agent's authorisation ended"),
    "citizens.cases_read": _("Citizen read their cases"),
    "citizens.case_read": _("Citizen read a case's progress"),
    "citizens.messages_read": _("Citizen read their messages"),
    "citizens.papers_read": _("Citizen read their kept papers"),
    "citizens.paper_read": _("Citizen opened one of their kept papers"),
    "citizens.paper_withdraw": _("Citizen withdrew a kept paper"),
    "citizens.me_read": _("Citizen read their account"),
    "citizens.account_admin_list": _("Citizen accounts listed in the admin"),
    "citizens.account_admin_view": _("Citizen account opened in the admin"),
    "citizens.company_admin_list": _("Company accounts listed in the admin"),
    "citizens.company_admin_view": _("Company account opened in the admin"),
    "citizens.agent_grant_admin_list": _("Agent authorisations listed in the admin"),
    "citizens.agent_grant_admin_view": _("Agent authorisation opened in the admin"),
}
