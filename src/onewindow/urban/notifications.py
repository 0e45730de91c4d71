"""Telling a citizen who reported a problem on the web what became of it (SMS, through the
outbox), as ``hotline.notifications`` does for a caller.

``grid_case_event_notify(*, event_id)`` is the grid case machine's notifier (a ``core.tasks``
task the mover queues after a told move commits). Only a public report's reporter who left a
mobile is told, of the public events (``CASE_EVENTS`` public labels); grid workers' own reports
and the cases from 12345 keep no phone (the hotline answers its own callers). The phone is
decrypted here and the read audited (masked). The idempotency key
``"urban.case:<event id>:sms"`` makes a replay store nothing new; the query code in the first
message is kept secret in the outbox's copies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.identifiers import MOBILE_RE
from onewindow.core.tasks import task
from onewindow.notify.selectors import message_for_key
from onewindow.notify.services import message_enqueue
from onewindow.urban.events import CASE_EVENTS
from onewindow.urban.models import REPORTER_PHONE_CONTEXT, GridCaseEvent

if TYPE_CHECKING:
    from onewindow.notify.models import Notification

SUBJECT_TYPE = "urban.case"
CHANNEL = "sms"
FIRST = _(
    "Grid management: we have received your report %(number)s (query code %(code)s); follow "
    "it on the web with the number and the code."
)
LATER = _("Grid management: your report %(number)s: %(label)s.")


def message_text(event: GridCaseEvent) -> tuple[str, list[str]]:
    """The text of ``event`` in ``NOTIFY_LANGUAGE``, and the parts only the reporter may read."""
    case = event.case
    code = case.query_code if event.action == "report_public" else ""
    language = getattr(settings, "NOTIFY_LANGUAGE", settings.LANGUAGE_CODE)
    with translation.override(language):
        label = str(CASE_EVENTS.public_label(event.action))
        template = FIRST if code else LATER
        text = str(template) % {"number": case.number, "code": code, "label": label}
    return text, [code] if code else []


@task
def grid_case_event_notify(*, event_id: int) -> Notification | None:
    """Hand the SMS telling of a public event to the outbox; returns the message (the one
    already stored for this event on a replay), or ``None`` when nobody is to be told."""
    event = GridCaseEvent.objects.select_related("case").get(pk=event_id)
    case = event.case
    if (
        not event.public
        or event.action not in CASE_EVENTS
        or CASE_EVENTS[event.action].public_label is None
        or not case.reporter_phone_encrypted
    ):
        return None
    key = f"{SUBJECT_TYPE}:{event.pk}:{CHANNEL}"
    existing = message_for_key(idempotency_key=key)
    if existing is not None:
        return existing
    with transaction.atomic():
        phone = crypto.decrypt(case.reporter_phone_encrypted, context=REPORTER_PHONE_CONTEXT)
        if not MOBILE_RE.fullmatch(phone):
            return None  # a fixed line takes no SMS
        audit_record(
            actor=None,
            action="urban.reporter_phone_read",
            obj=case,
            detail={"phone": case.reporter_phone_masked, "purpose": "notify", "event": event.pk},
        )
        text, secrets = message_text(event)
        return message_enqueue(
            subject_type=SUBJECT_TYPE,
            subject_id=case.pk,
            channel=CHANNEL,
            recipient=phone,
            template_code=f"urban.{event.action}",
            text=text,
            idempotency_key=key,
            secrets=secrets,
        )
