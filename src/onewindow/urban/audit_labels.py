"""Labels of grid management's audit actions and refusals (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.urban.events import CASE_EVENTS
from onewindow.urban.transitions import CASE_MACHINE

# Every move of the grid case, audited as ``urban.case_<action>``.
ACTION_LABELS = {
    **{
        f"{CASE_MACHINE.audit_prefix}{move.action}": CASE_EVENTS[move.event or move.action].label
        for move in CASE_MACHINE.moves
    },
    "urban.categories_import": _("Grid categories imported from a workbook"),
    "urban.categories_write": _("Grid categories written"),
    "urban.categories_export": _("Grid categories exported"),
}
ACTION_LABELS.update(
    {
        "urban.request_decide": _("Grid case request decided (延期, 挂账)"),
        "urban.photo_read": _("Grid case photo opened"),
        "urban.score_weights_set": _("Set the weights of the grid score"),
        "urban.figures_export": _("Exported the grid indicators"),
    }
)

PERMISSION_LABELS = {
    Action.URBAN_VIEW: _("read grid cases"),
    Action.URBAN_REPORT: _("report grid cases from the street"),
    Action.URBAN_VERIFY: _("verify and check grid cases on site"),
    Action.URBAN_FILE: _("file, close, approve and void grid cases"),
    Action.URBAN_DISPATCH: _("dispatch grid cases"),
    Action.URBAN_HANDLE: _("handle grid cases and feed back"),
    Action.URBAN_MANAGE: _("keep the grid categories and their time limits"),
}
