"""Labels of the organisation's audit actions and of the permission actions (refusals read
"拒绝：<permission>"), found by ``core.audit_labels``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action

ACTION_LABELS = {
    "org.account_change": _("Account changed"),
    "org.account_password": _("Account password set"),
    "org.centre_create": _("Service centre created"),
    "org.department_create": _("Department created"),
    "org.role_change": _("Role changed"),
    "org.role_grant": _("Role granted"),
    "org.role_withdraw": _("Role withdrawn"),
    "org.security_admin_create": _("Security administrator created"),
    "org.staff_create": _("Staff account created"),
}

PERMISSION_LABELS = {
    Action.CATALOG_VIEW_DRAFT: _("view draft catalogue items"),
    Action.CATALOG_EDIT: _("edit the catalogue"),
    Action.CATALOG_IMPORT: _("import the catalogue"),
    Action.CATALOG_EXPORT: _("export the catalogue"),
    Action.ORG_VIEW: _("view the organisation"),
    Action.ORG_MANAGE: _("manage the organisation"),
    Action.STAFF_MANAGE: _("manage staff accounts"),
    Action.ROLE_GRANT: _("grant roles"),
    Action.SECURITY_MANAGE: _("manage account security"),
    Action.AUDIT_VIEW: _("view masked records"),
    Action.AUDIT_TRAIL_VIEW: _("read the audit trail"),
    Action.CASE_ACCEPT: _("accept cases"),
    Action.CASE_VIEW: _("view cases"),
    Action.CASE_WORK: _("work on cases"),
    Action.CASE_DELIVER: _("hand over results"),
    Action.CASE_SUPERVISE: _("supervise cases"),
    Action.CASE_PAPER_ADD: _("add a case's electronic papers"),
    Action.CASE_PAPER_VIEW: _("open a case's electronic papers"),
    Action.CALENDAR_EDIT: _("edit the working-day calendar"),
    Action.PERSON_READ: _("read personal data"),
    Action.NOTIFY_MANAGE: _("manage notifications"),
}
