"""Labels of the hotline's audit actions and refusals (found by ``core.audit_labels``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.hotline.events import WORK_ORDER_EVENTS
from onewindow.hotline.transitions import WORK_ORDER_MACHINE
from onewindow.org.permissions import Action

# Every move of the work order, audited as ``hotline.order_<action>``; then the reads of
# personal data, the centre's decisions, the reference data and the integrations.
ACTION_LABELS = {
    **{
        f"{WORK_ORDER_MACHINE.audit_prefix}{move.action}": WORK_ORDER_EVENTS[
            move.event or move.action
        ].label
        for move in WORK_ORDER_MACHINE.moves
    },
    "hotline.order_merged_in": _("A duplicate work order merged in"),
    "hotline.caller_phone_read": _("Caller's phone read (12345)"),
    "hotline.caller_history_read": _("Caller's earlier orders and cases looked up by phone"),
    "hotline.incoming_call_take": _("Incoming call taken (its number read)"),
    "hotline.extension_decide": _("Extension of a work order decided"),
    "hotline.catalogue_write": _("Dispatch catalogue written"),
    "hotline.handling_unit_set": _("Handling unit's kind and office hours set"),
    "hotline.open311_client_issue": _("Open311 key issued"),
    "hotline.open311_client_revoke": _("Open311 key revoked"),
    "hotline.indicators_export": _("12345 indicators exported"),
    "hotline.hotspots_export": _("12345 hot spots exported"),
    "hotline.attachment_add": _("Work order attachment added"),
    "hotline.attachment_read": _("Work order attachment opened"),
}

PERMISSION_LABELS = {
    Action.HOTLINE_VIEW: _("read 12345 work orders"),
    Action.HOTLINE_TAKE: _("take 12345 calls, answer and call back"),
    Action.HOTLINE_DISPATCH: _("dispatch, merge and split 12345 work orders"),
    Action.HOTLINE_HANDLE: _("sign for, handle and reply to 12345 work orders"),
    Action.HOTLINE_SUPERVISE: _("approve extensions, remind and supervise 12345 units"),
    Action.HOTLINE_MANAGE: _("keep the dispatch catalogue, time limits and Open311 keys"),
    "hotline.telephony": _("ring a call through to an agent (telephony system)"),
    "hotline.too_many_web_posts": _("send 12345 web requests (too many from one address)"),
    "hotline.attachment_read": _("open a work order's attachment"),
}
