"""The applicant's SMS about their case: which events are told, the texts, and handing the
message to the outbox (``notify``).

``case_event_notify(*, event_id)`` is the case machine's notifier, a ``core.tasks`` task the
mover queues after a case move commits: it runs on the task backend (Celery worker, a thread),
not in the request that made the move. It reads the applicant's mobile through
``applicants.services`` (decrypted there, audited, masked in the audit row), renders the text
in ``NOTIFY_LANGUAGE`` (default: the site's language) and calls
``notify.services.message_enqueue`` with the idempotency key ``"<event id>:sms"``: one event,
at most one message, however often replayed.

Texts: translatable strings with named placeholders — item, number, code (query code), date
(promised completion), deadline (papers due), centre (where to collect). msgids are English;
the zh-Hans catalogue carries the texts applicants receive, e.g. for ``accept``:
您的%(item)s申请已受理，办件号%(number)s，承诺%(date)s前办结。查询码%(code)s。
Every text then gets the case's short progress link (``WITH_LINK``:
进度：<PUBLIC_BASE_URL>/p/<number>), which carries the number only — never the query code.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.applicants.services import applicant_mobile_for_notice
from onewindow.cases.models import ApplicantType, CaseEvent, OutputMethod, PauseKind
from onewindow.cases.progress import progress_short_url
from onewindow.cases.rating_links import rating_link
from onewindow.cases.transitions import CASE_MACHINE
from onewindow.core.tasks import task
from onewindow.notify.selectors import message_for_key
from onewindow.notify.services import message_enqueue

if TYPE_CHECKING:
    from onewindow.notify.models import Notification

SUBJECT_TYPE = "cases.case"
CHANNEL = "sms"
# The moves the case machine declares as told to the applicant (``Move(notifies=True)``): the
# table says it once; a replayed or hand-called event of another kind gets no message.
NOTIFIED_ACTIONS = frozenset(move.action for move in CASE_MACHINE.moves if move.notifies)

MESSAGES: dict[str, Promise] = {
    "accept": _(
        "Your application for %(item)s has been accepted. Case number %(number)s; it will be "
        "completed by %(date)s. Query code %(code)s."
    ),
    "request_supplement": _(
        "Your application for %(item)s is not complete yet: please bring the papers listed on "
        "your notice by %(deadline)s. Case number %(number)s, query code %(code)s."
    ),
    "refuse": _(
        "Your application for %(item)s was not accepted; the reasons are on your notice. "
        "Case number %(number)s."
    ),
    "suspend": _(
        "Your case %(number)s (%(item)s) is paused for a special procedure; the time limit "
        "stops until it ends. Query code %(code)s."
    ),
    "suspend_supplement": _(
        "For your case %(number)s (%(item)s) the department needs more papers; the centre will "
        "tell you which. The time limit stops until they arrive. Query code %(code)s."
    ),
    "resume": _(
        "Your case %(number)s (%(item)s) is being handled again; it will be completed by %(date)s."
    ),
    "decide": _(
        "The result of your application for %(item)s is ready: please collect it at "
        "%(centre)s with your ID card. Case number %(number)s."
    ),
    "decide_sent": _(
        "The result of your application for %(item)s is ready and will be sent to you. "
        "Case number %(number)s."
    ),
    "deliver": _(
        "Your case %(number)s (%(item)s) is complete and the result has been handed over. "
        "Thank you; please rate our service."
    ),
    "complete_instant": _(
        "Your application for %(item)s was completed on the spot. Case number %(number)s."
    ),
}


# The short link (``progress.progress_short_url``) after the text: ``{PUBLIC_BASE_URL}/p/<number>``
# opens the progress page with the number filled in; a short URL keeps the SMS short.
WITH_LINK = _("%(message)s Progress: %(link)s")
# A completed case's message ends with its rating link instead (``rating_links``: a signed
# ``/r/<token>`` of ratings, no query code), when the rating side gives one.
WITH_RATING_LINK = _("%(message)s Rate: %(link)s")
RATED_ACTIONS = frozenset({"deliver", "complete_instant"})


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
    if language.startswith("zh") and values["item"].endswith("申请"):
        # The Chinese texts say "您的…申请": an item named "…申请" would read "申请申请".
        values["item"] = values["item"].removesuffix("申请")
    with translation.override(language):
        text = str(MESSAGES[code]) % values
        rate = rating_link(case=case, channel="sms") if event.action in RATED_ACTIONS else ""
        if rate:
            text = str(WITH_RATING_LINK) % {"message": text, "link": rate}
        else:
            # Every other message ends with the case's short progress link (the number, never
            # the code).
            text = str(WITH_LINK) % {
                "message": text,
                "link": progress_short_url(number=case.number),
            }
    return code, text


def _applicant_mobile(event: CaseEvent) -> str:
    """The applicant's mobile (a legal person's contact phone), read through the audited
    applicants service; ``""`` when there is none."""
    case = event.case
    reference = {"case_number": case.number, "event": event.pk}
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
def case_event_notify(*, event_id: int) -> Notification | None:
    """Hand the SMS for a public case event of a notified action to the outbox.

    Returns the message, the one already stored for this event (a replay: the phone is not
    read again), or None when the event is not notified or the applicant has no mobile.
    Side effects: one audited read of the applicant's phone; the outbox sends after commit."""
    event = CaseEvent.objects.select_related(
        "case__item_version", "case__person", "case__organisation", "case__output_centre"
    ).get(pk=event_id)
    if not event.public or event.action not in NOTIFIED_ACTIONS:
        return None
    key = f"{event.pk}:{CHANNEL}"
    existing = message_for_key(idempotency_key=key)
    if existing is not None:
        return existing
    with transaction.atomic():  # the audited read and the stored message, together
        phone = _applicant_mobile(event)
        if not phone:
            return None
        template_code, text = message_for_event(event)
        return message_enqueue(
            subject_type=SUBJECT_TYPE,
            subject_id=event.case_id,
            channel=CHANNEL,
            recipient=phone,
            template_code=template_code,
            text=text,
            idempotency_key=key,
            # The query code opens the progress page: the applicant's alone, never in a log.
            secrets=(event.case.query_code,),
        )
