"""The applicant's SMS about their online application: sent, to be corrected, accepted, not
accepted.

``online_event_notify(*, event_id)`` is the machine's notifier (a ``core.tasks`` task run after
commit by ``workflow.tasks.event_notice_deliver``, and again by its sweep). The recipient is the
applicant's mobile, read through ``applicants.services.applicant_mobile_for_notice`` (decrypted
there, audited, masked in the audit row); the message goes to the outbox with the key
``"online:<event id>:sms"``: one event, at most one message, however often replayed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.applicants.services import applicant_mobile_for_notice
from onewindow.citizens.models import ACCOUNT_PHONE_CONTEXT
from onewindow.core import crypto
from onewindow.core.audit import audit_record
from onewindow.core.tasks import task
from onewindow.notify.selectors import message_for_key
from onewindow.notify.services import message_enqueue
from onewindow.online.models import OnlineApplication, OnlineEvent
from onewindow.online.transitions import ONLINE_MACHINE

if TYPE_CHECKING:
    from onewindow.notify.models import Notification

SUBJECT_TYPE = "online.application"
CHANNEL = "sms"
NOTIFIED_ACTIONS = frozenset(move.action for move in ONLINE_MACHINE.moves if move.notifies)

MESSAGES: dict[str, Promise] = {
    "submit": _(
        "Your online application %(reference)s for %(item)s has been sent to %(centre)s for "
        "pre-review."
    ),
    "request_correction": _(
        "Your online application %(reference)s for %(item)s needs corrections (补正): see "
        '"my applications", correct it online and send it again.'
    ),
    "accept": _(
        "Your online application %(reference)s for %(item)s has been accepted: case number "
        "%(number)s. No visit is needed."
    ),
    "accept_visit": _(
        "Your online application %(reference)s for %(item)s has been accepted: case number "
        "%(number)s. Please bring the originals of your papers to %(centre)s."
    ),
    "refuse": _(
        "Your online application %(reference)s for %(item)s was not accepted; the reasons are "
        'under "my applications".'
    ),
}


def message_for_event(event: OnlineEvent) -> tuple[str, str]:
    application = event.application
    code = event.action
    if code == "accept" and event.data.get("visit"):
        code = "accept_visit"
    item = str(application.item_version.snapshot["name"])
    language = getattr(settings, "NOTIFY_LANGUAGE", settings.LANGUAGE_CODE)
    values = {
        "reference": application.reference,
        "item": item,
        "centre": application.centre.name,
        "number": str(event.data.get("case", "")),
    }
    with translation.override(language):
        return code, str(MESSAGES[code]) % values


def _account_mobile(application: OnlineApplication) -> str:
    """The account's own mobile (a person registered without one), audited as applicants do."""
    account = application.account
    phone = crypto.decrypt(account.phone_encrypted, context=ACCOUNT_PHONE_CONTEXT)
    audit_record(
        actor=None,
        action="notify.recipient_read",
        obj=account,
        detail={
            "online_reference": application.reference,
            "purpose": "notify",
            "phone": account.phone_masked,
        },
    )
    return phone


@task
def online_event_notify(*, event_id: int) -> Notification | None:
    """Hand the SMS for a told event to the outbox (or return the one stored already)."""
    event = OnlineEvent.objects.select_related(
        "application__item_version",
        "application__centre",
        "application__person",
        "application__account",
    ).get(pk=event_id)
    if not event.public or event.action not in NOTIFIED_ACTIONS:
        return None
    key = f"online:{event.pk}:{CHANNEL}"
    existing = message_for_key(idempotency_key=key)
    if existing is not None:
        return existing
    application = event.application
    with transaction.atomic():
        phone = applicant_mobile_for_notice(
            person=application.person,
            purpose="notify",
            reference={"online_reference": application.reference, "event": event.pk},
        )
        if not phone:
            phone = _account_mobile(application)
        if not phone:
            return None
        template_code, text = message_for_event(event)
        return message_enqueue(
            subject_type=SUBJECT_TYPE,
            subject_id=application.pk,
            channel=CHANNEL,
            recipient=phone,
            template_code=f"online_{template_code}",
            text=text,
            idempotency_key=key,
        )
