"""The rater's SMS about the rectification of their bad rating: which moves are told, the texts,
and handing the message to the outbox (``notify``) — as ``cases.notifications`` does for a case.

``rectification_event_notify(*, event_id)`` is the rectification machine's notifier, a
``core.tasks`` task the mover queues after a told move commits (``fix_now``, ``ledger``,
``submit_fix``, ``explain``: ``Move(notifies=True)``). The rater is the rated case's applicant
(a person, or an organisation's contact phone), read through
``applicants.services.applicant_mobile_for_notice`` (decrypted there, audited with the masked
phone). The text is rendered in ``NOTIFY_LANGUAGE`` (default: the site's language); the
idempotency key ``"ratings.rectification:<event id>:sms"`` (the subject first: case events key
theirs ``"<event id>:sms"``) makes a replay store nothing new. The texts carry the item,
the case number, the rectification number and (for the ledger) the deadline — never what the
department wrote (it may name people).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.applicants.services import applicant_mobile_for_notice
from onewindow.cases.models import ApplicantType
from onewindow.core.tasks import task
from onewindow.notify.selectors import message_for_key
from onewindow.notify.services import message_enqueue
from onewindow.ratings.models import Rectification, RectificationEvent
from onewindow.ratings.transitions import RECTIFICATION_MACHINE

if TYPE_CHECKING:
    from onewindow.notify.models import Notification

SUBJECT_TYPE = "ratings.rectification"
CHANNEL = "sms"
NOTIFIED_ACTIONS = frozenset(move.action for move in RECTIFICATION_MACHINE.moves if move.notifies)

MESSAGES: dict[str, Promise] = {
    "fix_now": _(
        "Thank you for rating %(item)s (case %(number)s). The problem you pointed out has been "
        "fixed at once; we will call you to check. Rectification %(rectification)s."
    ),
    "ledger": _(
        "Thank you for rating %(item)s (case %(number)s). The problem you pointed out will be "
        "fixed by %(date)s; we will call you when it is done. Rectification %(rectification)s."
    ),
    "submit_fix": _(
        "The problem you pointed out about %(item)s (case %(number)s) has been fixed; we will "
        "call you to check. Rectification %(rectification)s."
    ),
    "explain": _(
        "About your rating of %(item)s (case %(number)s): the department has explained the "
        "matter to you. If you disagree, call 12345. Rectification %(rectification)s."
    ),
}


def message_for_event(event: RectificationEvent) -> tuple[str, str]:
    """(template code, text) of the message for ``event``, in ``NOTIFY_LANGUAGE``."""
    rectification = event.rectification
    rating = rectification.rating
    due = event.data.get("due_at") or rectification.due_at
    if isinstance(due, str):
        due = dt.datetime.fromisoformat(due)
    values = {
        "item": rating.case_name,
        "number": rating.case_number,
        "rectification": rectification.number,
        "date": timezone.localtime(due).date().isoformat() if due else "",
    }
    language = getattr(settings, "NOTIFY_LANGUAGE", settings.LANGUAGE_CODE)
    with translation.override(language):
        text = str(MESSAGES[event.action]) % values
    return event.action, text


def _rater_mobile(event: RectificationEvent) -> str:
    """The rater's mobile: the rated case's applicant (a legal person's contact phone), read
    through the audited applicants service; ``""`` when there is none."""
    case = event.rectification.rating.case
    reference = {
        "case_number": case.number,
        "rectification": event.rectification.number,
        "event": event.pk,
    }
    if case.applicant_type == ApplicantType.LEGAL_PERSON and case.organisation is not None:
        return applicant_mobile_for_notice(
            organisation=case.organisation, purpose="notify", reference=reference
        )
    if case.person is not None:
        return applicant_mobile_for_notice(
            person=case.person, purpose="notify", reference=reference
        )
    return ""


@task
def rectification_event_notify(*, event_id: int) -> Notification | None:
    """Hand the SMS telling the rater the outcome of a told move to the outbox.

    Returns the message, the one already stored for this event (a replay: the phone is not
    read again), or None when the event is not told or the rater has no mobile. Side effects:
    one audited read of the rater's phone; ``Rectification.rater_told_at`` set."""
    event = RectificationEvent.objects.select_related(
        "rectification__rating__case__person", "rectification__rating__case__organisation"
    ).get(pk=event_id)
    if not event.public or event.action not in NOTIFIED_ACTIONS:
        return None
    key = f"{SUBJECT_TYPE}:{event.pk}:{CHANNEL}"
    existing = message_for_key(idempotency_key=key)
    if existing is not None:
        return existing
    with transaction.atomic():  # the audited read, the stored message and the mark, together
        phone = _rater_mobile(event)
        if not phone:
            return None
        template_code, text = message_for_event(event)
        message = message_enqueue(
            subject_type=SUBJECT_TYPE,
            subject_id=event.rectification_id,
            channel=CHANNEL,
            recipient=phone,
            template_code=f"ratings.{template_code}",
            text=text,
            idempotency_key=key,
        )
        # Not a move: the mark that the rater was told (no revision, so no page goes stale).
        Rectification.objects.filter(pk=event.rectification_id).update(rater_told_at=timezone.now())
        return message
