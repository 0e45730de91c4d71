from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "onewindow.staff"
    label = "staff"
    verbose_name = _("Staff workstations")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from onewindow.staff.checks import second_factor_roles_are_known
        from onewindow.staff.sessions import start_on_sign_in

        user_logged_in.connect(start_on_sign_in, dispatch_uid="staff.session_start")
        checks.register(second_factor_roles_are_known)
        register_admin_workstations()


def register_admin_workstations() -> None:
    """The homes of the security administrator and the auditor: their pages are in the admin,
    so the staff home and bar link there, each entry shown to whoever may do its action."""
    from onewindow.org.permissions import Action
    from onewindow.staff.navigation import register_workstation

    register_workstation(
        key="staff.accounts",
        label=_("Accounts and roles"),
        url_name="admin:auth_user_changelist",
        action=Action.ROLE_GRANT,
        order=80,
        description=_("Grant and withdraw roles; edit the accounts of the three duties."),
    )
    register_workstation(
        key="staff.enrolment_codes",
        label=_("Enrolment codes"),
        url_name="admin:staff_enrolmentcode_changelist",
        action=Action.SECURITY_MANAGE,
        order=81,
        description=_("Issue a one-time code for setting up a second factor."),
    )
    register_workstation(
        key="staff.second_factor_devices",
        label=_("Second-factor devices"),
        url_name="admin:staff_stafftotpdevice_changelist",
        action=Action.SECURITY_MANAGE,
        order=82,
        description=_("Reset a lost device, so that its owner sets up a new one."),
    )
    register_workstation(
        key="staff.audit_trail",
        label=_("Audit trail"),
        url_name="admin:core_auditlog_changelist",
        action=Action.AUDIT_TRAIL_VIEW,
        order=90,
        description=_("Read who did what, and every refusal."),
    )
