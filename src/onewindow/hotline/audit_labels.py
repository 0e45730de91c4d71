"""The labels of the hotline's audit actions (core.audit_labels reads them for the trail)."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "hotline.attachment_add": _("Work order attachment added"),
    "hotline.attachment_read": _("Work order attachment opened"),
}
