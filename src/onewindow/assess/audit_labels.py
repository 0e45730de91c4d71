"""What the audit trail shows for the assessment (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "assess.weights_set": _("Score weights changed"),
    "assess.honour_confirm": _("Honour of the month confirmed"),
    "assess.export": _("Monthly table exported"),
}
