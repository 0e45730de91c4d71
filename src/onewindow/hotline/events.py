"""The one vocabulary of a work order's events: staff labels, what the caller is told (or
nothing), and the verbs refusals use."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import EventType, EventVocabulary

WORK_ORDER_EVENTS = EventVocabulary(
    [
        EventType(
            "submit",
            _("Submitted, waiting to be accepted"),
            _("We have received your request"),
            _("submit"),
        ),
        EventType(
            "take",
            _("Accepted by the hotline (受理)"),
            _("Your request has been accepted"),
            _("accept"),
        ),
        EventType(
            "answer",
            _("Answered directly on first contact (直接答复)"),
            _("Your question was answered"),
            _("answer directly"),
        ),
        EventType(
            "refuse",
            _("Not accepted (不予受理)"),
            _("Your request cannot be handled by the hotline"),
            _("refuse"),
        ),
        EventType(
            "dispatch",
            _("Dispatched to the handling unit (派单)"),
            _("Your request has been passed to the unit responsible"),
            _("dispatch"),
        ),
        EventType(
            "sign", _("Signed for by the unit (签收)"), _("The unit is handling it"), _("sign for")
        ),
        EventType(
            "return",
            _("Returned by the unit: not its matter (退单)"),
            None,
            _("return"),
        ),
        EventType(
            "reply",
            _("Replied by the unit (办理回复)"),
            _("The unit has replied"),
            _("reply"),
        ),
        EventType(
            "redo",
            _("Sent back to be handled again (重办)"),
            _("Your request is being handled again"),
            _("send back for redo"),
        ),
        EventType(
            "close",
            _("Closed after the call-back (办结)"),
            _("Your request is closed"),
            _("close"),
        ),
        EventType("merge", _("Merged into another order (合并)"), None, _("merge")),
        EventType("merged_in", _("A duplicate order was merged in"), None, _("merge in")),
        EventType("split", _("Split into orders for several units (拆分)"), None, _("split")),
        EventType(
            "close_split",
            _("Closed: every split order is closed"),
            _("Your request is closed"),
            _("close"),
        ),
        EventType("callback", _("Call-back recorded (回访)"), None, _("call back")),
        EventType("assist_sign", _("Signed for by an assisting unit"), None, _("sign for")),
        EventType(
            "assist_opinion",
            _("Opinion of an assisting unit (协办意见)"),
            None,
            _("give an opinion"),
        ),
        EventType(
            "extend_request", _("Extension asked for (申请延期)"), None, _("ask for an extension")
        ),
        EventType(
            "extend_approve", _("Extension approved (延期)"), None, _("approve the extension")
        ),
        EventType("extend_reject", _("Extension rejected"), None, _("reject the extension")),
        EventType("remind", _("Reminder sent (催办)"), None, _("remind")),
        EventType("supervise", _("Supervision order issued (督办)"), None, _("supervise")),
    ],
    other_label=_("Work order updated"),
    other_public_label=_("Your request was updated"),
)
