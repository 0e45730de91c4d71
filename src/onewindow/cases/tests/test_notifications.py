"""SMS notifications of case events: one message per public step, sent once, phone encrypted.

The case side (``cases.notifications``) chooses and renders the message and resolves the
recipient; the generic outbox (``notify``) stores and sends it."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from django.utils import timezone

from onewindow.applicants.models import PERSON_PHONE_CONTEXT
from onewindow.cases.models import ApplicantType, CaseEvent, MaterialStatus, TaskOutcome
from onewindow.cases.notifications import case_event_notify
from onewindow.cases.services import (
    MaterialReceipt,
    case_accept,
    case_complete_instant,
    case_deliver,
    case_refuse_at_intake,
    case_request_supplement,
    case_supplement_received,
    task_claim,
    task_complete,
)
from onewindow.core import crypto
from onewindow.core.models import AuditLog
from onewindow.notify.backends import MemoryBackend
from onewindow.notify.models import (
    RECIPIENT_CONTEXT,
    TEXT_CONTEXT,
    Notification,
    NotificationStatus,
)
from onewindow.notify.services import messages_dispatch_due
from onewindow.notify.tasks import notification_send
from onewindow.testing.celery import celery_broker_unreachable
from onewindow.testing.factories import create_organisation
from onewindow.workflow.tasks import event_notice_deliver, notices_deliver_due

__all__ = ["celery_broker_unreachable"]  # the fixture, imported to be used here

NOTHING_TOLD = {"told": 0, "skipped": 0, "failed": 0}
PHONE = "13800138000"
ITEM = "既有住宅增设电梯"
PUBLIC_BASE_URL = "https://ywt.example.gov.cn"


@pytest.fixture(autouse=True)
def _sms(settings):
    """Messages go to the in-memory gateway, rendered in English (the msgids), so the exact
    texts do not depend on the translation catalogue."""
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.NOTIFY_LANGUAGE = "en"
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


class FailingBackend:
    """A gateway that refuses every message."""

    def send(self, phone: str, text: str, *, shown: str) -> str:
        raise ConnectionError("gateway unreachable")


def link(number: str) -> str:
    """The short progress link every message ends with (English: the ``/en/`` page)."""
    return f" Progress: {PUBLIC_BASE_URL}/en/p/{number}"


def local_date(value: dt.datetime) -> str:
    return timezone.localtime(value).date().isoformat()


def sent() -> list[tuple[str, str]]:
    return [(phone, text) for phone, text, _id in MemoryBackend.outbox]


def messages() -> list[tuple[str, str]]:
    return [
        (code, crypto.decrypt(text, context=TEXT_CONTEXT))
        for code, text in Notification.objects.order_by("id").values_list(
            "template_code", "text_encrypted"
        )
    ]


def test_every_step_of_the_lift_flow_sends_exactly_one_message(
    city, django_capture_on_commit_callbacks
):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    case = run(case_accept, intake=city.intake())
    n, code = case.number, case.query_code
    accepted_due = local_date(case.due_at)
    assert messages() == [
        (
            "accept",
            f"Your application for {ITEM} has been accepted. Case number {n}; it will be "
            f"completed by {accepted_due}. Query code {code}." + link(n),
        )
    ]

    # Seven joint departments approve (no message), one asks for papers (the clock stops).
    asking = city.joint_departments[0]
    for department in city.joint_departments[1:]:
        task = case.tasks.get(kind="review", department=department)
        run(task_claim, task=task, actor=city.approvers[department.pk])
        task.refresh_from_db()
        run(
            task_complete,
            task=task,
            actor=city.approvers[department.pk],
            outcome=TaskOutcome.APPROVE,
            opinion="同意",
        )
    assert Notification.objects.count() == 1
    task = case.tasks.get(kind="review", department=asking)
    run(task_claim, task=task, actor=city.approvers[asking.pk])
    task.refresh_from_db()
    run(
        task_complete,
        task=task,
        actor=city.approvers[asking.pk],
        outcome=TaskOutcome.RETURN_FOR_SUPPLEMENT,
        opinion="请补充结构图纸",
    )
    run(
        case_supplement_received,
        case=case,
        actor=city.clerk,
        receipts=[MaterialReceipt(name="业主表决意见书")],
    )
    case.refresh_from_db()
    task.refresh_from_db()
    run(
        task_complete,
        task=task,
        actor=city.approvers[asking.pk],
        outcome=TaskOutcome.APPROVE,
        opinion="同意",
    )
    lead = city.lead_department
    for kind, user in (
        ("review", city.approvers[lead.pk]),
        ("decide", city.leads[lead.pk]),
        ("complete", city.approvers[lead.pk]),
    ):
        step = case.tasks.get(kind=kind, department=lead)
        run(task_claim, task=step, actor=user)
        step.refresh_from_db()
        run(task_complete, task=step, actor=user, outcome=TaskOutcome.APPROVE, opinion="同意")
    case.refresh_from_db()
    run(
        case_deliver, case=case, actor=city.output_clerk, method="window", collector_id_checked=True
    )

    resumed_due = local_date(case.due_at)
    told = messages()
    # The hand-over's message ends with the case's rating link instead (``rating_links``: the
    # ratings app's signed /r/<token>, no query code; tested in ratings/tests/rate).
    delivered_code, delivered_text = told[-1]
    rate_link = re.search(rf" Rate: {PUBLIC_BASE_URL}/en/r/(\S+)$", delivered_text)
    assert rate_link is not None, delivered_text
    assert code not in delivered_text
    told[-1] = (delivered_code, delivered_text[: rate_link.start()] + link(n))
    assert told == [
        (
            "accept",
            f"Your application for {ITEM} has been accepted. Case number {n}; it will be "
            f"completed by {accepted_due}. Query code {code}." + link(n),
        ),
        (
            "suspend_supplement",
            f"For your case {n} ({ITEM}) the department needs more papers; the centre will tell "
            f"you which. The time limit stops until they arrive. Query code {code}." + link(n),
        ),
        (
            "resume",
            f"Your case {n} ({ITEM}) is being handled again; it will be completed by "
            f"{resumed_due}." + link(n),
        ),
        (
            "decide",
            f"The result of your application for {ITEM} is ready: please collect it at "
            f"街道中心 with your ID card. Case number {n}." + link(n),
        ),
        (
            "deliver",
            f"Your case {n} ({ITEM}) is complete and the result has been handed over. "
            "Thank you; please rate our service." + link(n),
        ),
    ]
    # One message per notified public move, none for task steps or papers arriving.
    notified = case.events.filter(
        action__in=["accept", "suspend", "resume", "decide", "deliver"], public=True
    )
    assert notified.count() == 5
    assert case.events.filter(public=True).count() > 5
    assert set(Notification.objects.values_list("status", "attempts")) == {
        (NotificationStatus.SENT, 1)
    }
    assert sent() == [(PHONE, text) for _code, text in messages()]


def test_intake_outcomes_each_send_their_message(city, django_capture_on_commit_callbacks):
    wanting = city.receipts(**{"业主表决意见书": MaterialStatus.MISSING})
    deadline = timezone.localdate() + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        supplement = case_request_supplement(
            intake=city.intake(materials=wanting), deadline=deadline
        )
    with django_capture_on_commit_callbacks(execute=True):
        refused = case_refuse_at_intake(intake=city.intake(), reasons="不属于本机关职权范围")
    with django_capture_on_commit_callbacks(execute=True):
        instant = case_complete_instant(
            intake=city.intake(item=city.instant, window=city.instant_window)
        )
    with django_capture_on_commit_callbacks(execute=True):
        case_supplement_received(
            case=supplement, actor=city.clerk, receipts=[MaterialReceipt(name="业主表决意见书")]
        )
    supplement.refresh_from_db()
    told = messages()
    # Finished on the spot: the message ends with the case's rating link (``rating_links``).
    instant_code, instant_text = told[2]
    rate_link = re.search(rf" Rate: {PUBLIC_BASE_URL}/en/r/(\S+)$", instant_text)
    assert rate_link is not None, instant_text
    assert instant.query_code not in instant_text
    told[2] = (instant_code, instant_text[: rate_link.start()] + link(instant.number))
    assert told == [
        (
            "request_supplement",
            f"Your application for {ITEM} is not complete yet: please bring the papers listed "
            f"on your notice by {deadline.isoformat()}. Case number {supplement.number}, query "
            f"code {supplement.query_code}." + link(supplement.number),
        ),
        (
            "refuse",
            f"Your application for {ITEM} was not accepted; the reasons are on your notice. "
            f"Case number {refused.number}." + link(refused.number),
        ),
        (
            "complete_instant",
            f"Your application for 城乡居民养老保险待遇核定 was completed on the spot. "
            f"Case number {instant.number}." + link(instant.number),
        ),
        (
            "accept",
            f"Your application for {ITEM} has been accepted. Case number {supplement.number}; "
            f"it will be completed by {local_date(supplement.due_at)}. Query code "
            f"{supplement.query_code}." + link(supplement.number),
        ),
    ]


def test_nothing_is_sent_before_the_transaction_commits(city):
    case_accept(intake=city.intake())  # the test transaction never commits
    assert Notification.objects.count() == 0
    assert MemoryBackend.outbox == []


def test_replaying_the_event_and_the_send_task_sends_once(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_accept(intake=city.intake())
    event = case.events.get(action="accept")
    notification = Notification.objects.get()
    assert notification.idempotency_key == f"{event.pk}:sms"
    assert (notification.subject_type, notification.subject_id) == ("cases.case", str(case.pk))

    with django_capture_on_commit_callbacks(execute=True):
        again = case_event_notify(event_id=event.pk)
    assert again == notification
    assert notification_send(notification_id=notification.pk) == NotificationStatus.SENT
    assert notification_send(notification_id=notification.pk) == NotificationStatus.SENT

    assert Notification.objects.count() == 1
    assert len(MemoryBackend.outbox) == 1
    # The replay read the phone once only.
    assert AuditLog.objects.filter(action="notify.recipient_read").count() == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)
    assert notification.provider_message_id == MemoryBackend.outbox[0][2]
    assert notification.sent_at is not None


def test_the_phone_is_stored_encrypted_and_its_read_is_audited(
    city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_accept(intake=city.intake())
    row = Notification.objects.values().get()
    assert all(PHONE not in str(value) for value in row.values())
    assert row["recipient_masked"] == "138****8000"
    assert crypto.decrypt(row["recipient_encrypted"], context=RECIPIENT_CONTEXT) == PHONE
    # Bound to its own column: the applicant's ciphertext context does not open it.
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(row["recipient_encrypted"], context=PERSON_PHONE_CONTEXT)
    read = AuditLog.objects.get(action="notify.recipient_read")
    assert read.actor is None
    assert read.object_id == str(city.person.pk)
    assert read.detail == {
        "purpose": "notify",
        "case_number": case.number,
        "event": case.events.get(action="accept").pk,
        "phone": "138****8000",
    }
    assert PHONE not in str(read.detail) + read.object_repr


def test_a_failing_gateway_marks_the_message_failed_and_counts_attempts(
    city, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BACKEND = "onewindow.cases.tests.test_notifications.FailingBackend"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        case = case_accept(intake=city.intake())
    notification = Notification.objects.get(subject_type="cases.case", subject_id=str(case.pk))
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 1)
    assert notification.last_error == "ConnectionError: gateway unreachable"
    assert notification.sent_at is None

    assert notification_send(notification_id=notification.pk) == NotificationStatus.FAILED
    notification.refresh_from_db()
    assert notification.attempts == 2

    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    assert notification_send(notification_id=notification.pk) == NotificationStatus.SENT
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == (
        NotificationStatus.SENT,
        3,
        "",
    )
    assert len(MemoryBackend.outbox) == 1


def test_a_message_that_keeps_failing_stops_at_the_attempt_limit(
    city, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BACKEND = "onewindow.cases.tests.test_notifications.FailingBackend"
    settings.NOTIFY_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        case_accept(intake=city.intake())
    notification = Notification.objects.get()
    for _attempt in range(3):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    # The second failed attempt made it a dead letter; the third run sent nothing.
    assert (notification.status, notification.attempts) == (NotificationStatus.DEAD, 2)


def test_an_organisation_is_told_on_its_contact_mobile_and_a_fixed_line_gets_nothing(
    city, django_capture_on_commit_callbacks
):
    mobile = create_organisation(actor=city.clerk, contact_phone="13912345678")
    landline = create_organisation(
        actor=city.clerk, name="另一家公司", contact_phone="020-81234567"
    )
    for organisation in (mobile, landline):
        with django_capture_on_commit_callbacks(execute=True):
            case_accept(
                intake=city.intake(
                    applicant_type=ApplicantType.LEGAL_PERSON,
                    person=None,
                    organisation=organisation,
                )
            )
    assert Notification.objects.get().recipient_masked == "139****5678"
    assert sent()[0][0] == "13912345678"


def test_events_that_are_not_notified_store_nothing(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_accept(intake=city.intake())
    task = case.tasks.filter(kind="review").first()
    with django_capture_on_commit_callbacks(execute=True):
        task_claim(task=task, actor=city.approvers[task.department_id])
    claim = CaseEvent.objects.get(action="task_claim")
    assert case_event_notify(event_id=claim.pk) is None
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_never_breaks_the_move_and_the_sweep_tells_it_exactly_once(
    city, celery_broker_unreachable, caplog
):
    # A real commit and a real refused connection (the broker's port is closed): the hand-off
    # is lost, the move stands, and its event keeps the durable intent.
    with caplog.at_level(logging.WARNING, logger="onewindow.core.tasks"):
        case = case_accept(intake=city.intake())
    assert "event_notice_deliver not queued, the broker is unreachable" in caplog.text
    case.refresh_from_db()
    assert case.state == "accepted"
    event = CaseEvent.objects.get(case=case, action="accept")
    assert event.notify_pending is True
    assert Notification.objects.count() == 0

    # Within the grace period the sweep leaves it to the queued hand-off.
    assert notices_deliver_due(now=event.at + dt.timedelta(seconds=59)) == NOTHING_TOLD
    assert Notification.objects.count() == 0

    later = event.at + dt.timedelta(seconds=61)
    assert notices_deliver_due(now=later) == {"told": 1, "skipped": 0, "failed": 0}
    notice = Notification.objects.get()
    assert (notice.template_code, notice.idempotency_key) == ("accept", f"{event.pk}:sms")
    event.refresh_from_db()
    assert event.notify_pending is False
    # Its send was not queued either (same broker): the outbox's own sweep sends it.
    assert MemoryBackend.outbox == []
    assert messages_dispatch_due(now=later)["sent"] == 1
    assert sent()[0][0] == PHONE

    # Run again, or the lost hand-off arriving late: nothing more is stored or sent.
    assert notices_deliver_due(now=later) == NOTHING_TOLD
    assert event_notice_deliver(machine="cases.case", event_id=event.pk) is False
    # Two runners at once on a database without row locks: the second finds the key, stores
    # nothing and only clears the flag.
    CaseEvent.objects.filter(pk=event.pk).update(notify_pending=True)
    assert notices_deliver_due(now=later) == {"told": 1, "skipped": 0, "failed": 0}
    assert Notification.objects.count() == 1
    assert CaseEvent.objects.filter(notify_pending=True).count() == 0
    assert len(MemoryBackend.outbox) == 1


def test_on_the_sync_backend_a_told_move_is_handed_over_at_once_and_nothing_stays_pending(
    city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_accept(intake=city.intake())
    event = CaseEvent.objects.get(case=case, action="accept")
    assert event.notify_pending is False
    assert Notification.objects.get().idempotency_key == f"{event.pk}:sms"
    task = case.tasks.filter(kind="review").first()
    with django_capture_on_commit_callbacks(execute=True):
        task_claim(task=task, actor=city.approvers[task.department_id])
    # A move that is not told never carries the intent.
    assert CaseEvent.objects.get(action="task_claim").notify_pending is False
    assert notices_deliver_due(now=timezone.now() + dt.timedelta(hours=1)) == NOTHING_TOLD
    assert Notification.objects.count() == 1


def test_exactly_the_moves_the_table_marks_are_told_and_each_has_its_text():
    from onewindow.cases.notifications import MESSAGES, NOTIFIED_ACTIONS

    # Written out again: a withdrawal is said at the window, not by SMS.
    assert {
        "accept",
        "request_supplement",
        "refuse",
        "suspend",
        "resume",
        "decide",
        "deliver",
        "complete_instant",
    } == NOTIFIED_ACTIONS
    assert set(MESSAGES) >= NOTIFIED_ACTIONS
