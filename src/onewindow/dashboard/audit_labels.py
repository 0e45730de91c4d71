"""What the audit trail shows for the dashboard (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "dashboard.export": _("Dashboard table exported"),
}
