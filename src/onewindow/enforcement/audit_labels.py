"""Labels of comprehensive enforcement's audit actions and refusals (``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.enforcement.events import TASK_EVENTS
from onewindow.enforcement.transitions import TASK_MACHINE
from onewindow.org.permissions import Action

# Every move of the task, audited as ``enforcement.task_<action>``; the reads of personal data
# and of photos.
ACTION_LABELS: dict[str, object] = {
    **{
        f"{TASK_MACHINE.audit_prefix}{move.action}": TASK_EVENTS[move.event or move.action].label
        for move in TASK_MACHINE.moves
    },
    "enforcement.party_id_read": _("read a party's full ID number"),
    "enforcement.party_phone_read": _("read a party's phone"),
    "enforcement.photo_add": _("added a photo to an enforcement record"),
    "enforcement.photo_read": _("opened a photo of an enforcement record"),
}

PERMISSION_LABELS = {
    Action.ENFORCEMENT_VIEW: _("read enforcement tasks and their records"),
    Action.ENFORCEMENT_WORK: _("inspect on site, issue rectification notices, re-inspect"),
    Action.ENFORCEMENT_DECIDE: _("record penalty decisions"),
}
