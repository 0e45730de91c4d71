"""The callers' SMS about their work order: which moves are told, the texts, and handing each
message to the outbox (``notify``), as ``cases.notifications`` does for a case.

``work_order_event_notify(*, event_id)`` is the work order machine's notifier (a ``core.tasks``
task the mover queues after a told move commits: ``Move(notifies=True)``). Every caller of the
order with a mobile and a reply wanted is told — a duplicate's callers, merged in, too. The
phone is decrypted here and the read audited (masked). The idempotency key
``"hotline.order:<event id>:<caller id>:sms"`` makes a replay store nothing new. The text
carries the order number (and, when the matter is received, the query code, kept secret in the
outbox's copies) and the unit's public reply — never who else called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.identifiers import MOBILE_RE
from onewindow.core.tasks import task
from onewindow.hotline.models import CALLER_PHONE_CONTEXT, OrderCaller, WorkOrderEvent
from onewindow.hotline.transitions import WORK_ORDER_MACHINE
from onewindow.notify.selectors import message_for_key
from onewindow.notify.services import message_enqueue

if TYPE_CHECKING:
    from onewindow.notify.models import Notification

SUBJECT_TYPE = "hotline.order"
CHANNEL = "sms"
NOTIFIED_ACTIONS = frozenset(move.action for move in WORK_ORDER_MACHINE.moves if move.notifies)
REPLY_MAX_CHARACTERS = 300

MESSAGES: dict[str, Promise] = {
    "submit": _(
        "12345: we have received your request, work order %(number)s (query code %(code)s). "
        "We will tell you when it is accepted."
    ),
    "take": _(
        "12345: your request has been accepted, work order %(number)s (query code %(code)s)."
    ),
    "answer": _("12345: your question was answered, work order %(number)s. %(reply)s"),
    "refuse": _(
        "12345: your request %(number)s cannot be handled by the hotline. Call 12345 to learn why."
    ),
    "reply": _("12345: the unit has replied on work order %(number)s: %(reply)s"),
    "redo": _("12345: work order %(number)s is being handled again by the unit."),
    "close": _("12345: work order %(number)s is closed. Thank you."),
    "close_split": _("12345: work order %(number)s is closed. Thank you."),
}


def message_text(event: WorkOrderEvent) -> tuple[str, list[str]]:
    """The text of ``event`` in ``NOTIFY_LANGUAGE``, and the parts only the caller may read."""
    order = event.order
    code = order.query_code if event.action in {"submit", "take"} else ""
    reply = (event.reason or "")[:REPLY_MAX_CHARACTERS]
    values = {"number": order.number, "code": code, "reply": reply}
    language = getattr(settings, "NOTIFY_LANGUAGE", settings.LANGUAGE_CODE)
    with translation.override(language):
        text = str(MESSAGES[event.action]) % values
    return text, [code] if code else []


@task
def work_order_event_notify(*, event_id: int) -> list[Notification]:
    """Hand one SMS per caller to tell of a told move to the outbox; returns the messages
    (those already stored for this event on a replay)."""
    event = WorkOrderEvent.objects.select_related("order").get(pk=event_id)
    if not event.public or event.action not in NOTIFIED_ACTIONS or not event.order.wants_reply:
        return []
    messages = []
    callers = OrderCaller.objects.filter(order_id=event.order_id, anonymous=False).exclude(
        phone_encrypted=""
    )
    for caller in callers.order_by("id"):
        key = f"{SUBJECT_TYPE}:{event.pk}:{caller.pk}:{CHANNEL}"
        existing = message_for_key(idempotency_key=key)
        if existing is not None:
            messages.append(existing)
            continue
        with transaction.atomic():
            phone = crypto.decrypt(caller.phone_encrypted, context=CALLER_PHONE_CONTEXT)
            if not MOBILE_RE.fullmatch(phone):
                continue  # a fixed line takes no SMS
            audit_record(
                actor=None,
                action="hotline.caller_phone_read",
                obj=event.order,
                detail={
                    "caller": caller.pk,
                    "phone": caller.phone_masked,
                    "purpose": "notify",
                    "event": event.pk,
                },
            )
            text, secrets = message_text(event)
            messages.append(
                message_enqueue(
                    subject_type=SUBJECT_TYPE,
                    subject_id=event.order_id,
                    channel=CHANNEL,
                    recipient=phone,
                    template_code=f"hotline.{event.action}",
                    text=text,
                    idempotency_key=key,
                    secrets=secrets,
                )
            )
    return messages
