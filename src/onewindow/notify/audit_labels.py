"""Labels of the notifications' audit actions (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "notify.retry": _("Message sent again"),
}
