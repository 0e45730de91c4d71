"""Labels of the calendar's audit actions (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.workcal.services import AUDIT_REMOVE, AUDIT_SET

ACTION_LABELS = {
    AUDIT_SET: _("Working-day override set"),
    AUDIT_REMOVE: _("Working-day override removed"),
}
