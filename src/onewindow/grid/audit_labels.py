"""Labels of the grids' audit actions and refusals (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action

ACTION_LABELS: dict[str, object] = {}

PERMISSION_LABELS = {
    Action.GRID_VIEW: _("read unit grids and their workers"),
    Action.GRID_MANAGE: _("import and keep unit grids, boundaries and grid workers"),
}
