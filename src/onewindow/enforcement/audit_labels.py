"""Labels of comprehensive enforcement's audit actions and refusals (``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action

ACTION_LABELS: dict[str, object] = {}

PERMISSION_LABELS = {
    Action.ENFORCEMENT_VIEW: _("read enforcement tasks and their records"),
    Action.ENFORCEMENT_WORK: _("inspect on site, issue rectification notices, re-inspect"),
    Action.ENFORCEMENT_DECIDE: _("record penalty decisions"),
}
