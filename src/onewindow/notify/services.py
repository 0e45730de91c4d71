"""Writes of the notification outbox.

``notify_case_event`` turns one public case event into at most one SMS to the applicant and
queues it; ``tasks.notification_send`` sends it. Called by ``cases.services.case_transition``
through ``transaction.on_commit``, so a message is only ever about a committed change.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation

from onewindow.applicants.models import ORGANISATION_PHONE_CONTEXT, PERSON_PHONE_CONTEXT
from onewindow.cases.models import ApplicantType, Case, CaseEvent, OutputMethod, PauseKind
from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.notify.messages import MESSAGES
from onewindow.notify.models import RECIPIENT_CONTEXT, Channel, Notification

NOTIFIED_ACTIONS = frozenset(
    {
        "accept",
        "request_supplement",
        "refuse",
        "suspend",
        "resume",
        "decide",
        "deliver",
        "complete_instant",
    }
)
MOBILE_PHONE = re.compile(r"^1[3-9]\d{9}$")  # SMS reaches mobiles only, not fixed lines


def _applicant_mobile(case: Case, *, event: CaseEvent) -> str:
    """The applicant's mobile phone in clear, or "" when there is none.

    The applicants app reveals phones only to staff (``person_reveal`` needs an actor holding
    a role); this is the system reading it to send the applicant's own notice, so it decrypts
    here with the applicants' column context and writes its own audit row (masked only)."""
    if case.applicant_type == ApplicantType.LEGAL_PERSON and case.organisation is not None:
        token = case.organisation.contact_phone_encrypted
        context, masked = ORGANISATION_PHONE_CONTEXT, case.organisation.contact_phone_masked
        source: models.Model = case.organisation
    elif case.person is not None:
        token = case.person.phone_encrypted
        context, masked = PERSON_PHONE_CONTEXT, case.person.phone_masked
        source = case.person
    else:
        return ""
    if not token:
        return ""
    phone = crypto.decrypt(token, context=context)
    audit_record(
        actor=None,
        action="notify.recipient_read",
        obj=source,
        detail={
            "purpose": "notify",
            "case_number": case.number,
            "event": event.pk,
            "phone": masked,
        },
    )
    digits = crypto.normalise_identifier(phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE_PHONE.match(digits) else ""


def _local_date(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = (
            dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value)
        )
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def message_for_event(event: CaseEvent) -> tuple[str, str]:
    """(template code, text) of the message for ``event``, in ``NOTIFY_LANGUAGE`` (default:
    the site's language)."""
    case = event.case
    code = event.action
    if code == "suspend" and event.data.get("kind") == PauseKind.SUPPLEMENT:
        code = "suspend_supplement"
    if code == "decide" and case.output_method != OutputMethod.WINDOW:
        code = "decide_sent"
    values = {
        "item": case.item_version.snapshot["name"],
        "number": case.number,
        "code": case.query_code,
        # The promise as it stood when the event happened, not as it is when this runs.
        "date": _local_date(event.data.get("due_at") or case.due_at),
        "deadline": _local_date(event.data.get("deadline") or case.supplement_deadline),
        "centre": case.output_centre.name,
    }
    language = getattr(settings, "NOTIFY_LANGUAGE", settings.LANGUAGE_CODE)
    with translation.override(language):
        text = str(MESSAGES[code]) % values
    return code, text


def notify_case_event(*, event_id: int) -> Notification | None:
    """Store the SMS for a public case event of a notified action and queue its sending.

    Returns the notification, the one already stored for this event (a replay), or None when
    the event is not notified or the applicant has no mobile phone. Side effects: one audited
    read of the applicant's phone; ``notification_send`` after commit."""
    from onewindow.notify.tasks import notification_send

    event = CaseEvent.objects.select_related(
        "case__item_version", "case__person", "case__organisation", "case__output_centre"
    ).get(pk=event_id)
    if not event.public or event.action not in NOTIFIED_ACTIONS:
        return None
    key = f"{event.pk}:{Channel.SMS}"
    existing = Notification.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            phone = _applicant_mobile(event.case, event=event)
            if not phone:
                return None
            template_code, text = message_for_event(event)
            notification = Notification.objects.create(
                case=event.case,
                channel=Channel.SMS,
                recipient_encrypted=crypto.encrypt(phone, context=RECIPIENT_CONTEXT),
                recipient_masked=crypto.mask_phone(phone),
                template_code=template_code,
                text=text,
                idempotency_key=key,
            )
            notification_send.enqueue(notification_id=notification.pk)
    except IntegrityError:  # a concurrent replay stored it first
        return Notification.objects.get(idempotency_key=key)
    return notification
