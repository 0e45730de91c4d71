"""Labels of the ratings' audit actions and refusals (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.org.permissions import Action
from onewindow.ratings.events import RECTIFICATION_EVENTS
from onewindow.ratings.transitions import RECTIFICATION_MACHINE

# Every move of the rectification, audited as ``ratings.rectification_<action>``.
ACTION_LABELS = {
    f"{RECTIFICATION_MACHINE.audit_prefix}{move.action}": RECTIFICATION_EVENTS[
        move.event or move.action
    ].label
    for move in RECTIFICATION_MACHINE.moves
}

PERMISSION_LABELS = {
    Action.RATING_VIEW: _("read ratings"),
    Action.RATING_REPORT: _("mark ratings as reported to the province"),
    Action.RECTIFY_WORK: _("work the rectification of a bad rating"),
    Action.RATING_APPEAL: _("appeal a rating about you"),
    Action.RATING_APPEAL_REVIEW: _("review appeals against ratings"),
    Action.ASSESS_VIEW: _("read the assessment tables and rankings"),
    Action.ASSESS_MANAGE: _("set score weights and confirm honours"),
}
