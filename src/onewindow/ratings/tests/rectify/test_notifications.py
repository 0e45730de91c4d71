"""The rater's SMS: the outcome of fix_now, ledger (with the deadline), submit_fix and explain —
exact texts, once per event, through the audited phone read; nothing for the other moves."""

from __future__ import annotations

import pytest
from django.utils import timezone

from onewindow.core import crypto
from onewindow.core.models import AuditLog
from onewindow.notify.backends import MemoryBackend
from onewindow.notify.models import TEXT_CONTEXT, Notification
from onewindow.ratings.models import Rectification, RectificationEvent
from onewindow.ratings.notifications import NOTIFIED_ACTIONS, rectification_event_notify
from onewindow.ratings.services import rectify
from onewindow.ratings.tests.rectify.conftest import fresh, rating_of

pytestmark = pytest.mark.django_db
PHONE = "13800138000"
ITEM = "城乡居民养老保险待遇核定"


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.NOTIFY_LANGUAGE = "en"
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


def told() -> list[tuple[str, str]]:
    return [
        (code, crypto.decrypt(text, context=TEXT_CONTEXT))
        for code, text in Notification.objects.filter(subject_type="ratings.rectification")
        .order_by("id")
        .values_list("template_code", "text_encrypted")
    ]


def notify_last(r: Rectification) -> None:
    event = RectificationEvent.objects.filter(rectification=r).latest("id")
    rectification_event_notify(event_id=event.pk)


def verify(r, lead):
    rectify.rectification_verify(
        rectification=r,
        actor=lead,
        callback_result="reached",
        finding="属实",
        expected_revision=fresh(r).revision,
    )
    notify_last(r)


def test_exactly_the_four_outcomes_are_told():
    assert {"fix_now", "ledger", "submit_fix", "explain"} == NOTIFIED_ACTIONS


def test_the_ledger_and_the_fix_are_told_with_the_deadline(bad, lead, instant_case):
    verify(bad, lead)
    assert told() == []  # the call-back itself is not a message
    rectify.rectification_ledger(
        rectification=bad,
        actor=lead,
        days=5,
        plan="增开窗口",
        expected_revision=fresh(bad).revision,
    )
    notify_last(bad)
    due = timezone.localtime(fresh(bad).due_at).date().isoformat()
    number, case = bad.number, instant_case.number
    rectify.rectification_submit_fix(
        rectification=bad,
        actor=lead,
        fix_summary="已增开",
        evidence="排班表",
        expected_revision=fresh(bad).revision,
    )
    notify_last(bad)
    assert told() == [
        (
            "ratings.ledger",
            f"Thank you for rating {ITEM} (case {case}). The problem you pointed out will be "
            f"fixed by {due}; we will call you when it is done. Rectification {number}.",
        ),
        (
            "ratings.submit_fix",
            f"The problem you pointed out about {ITEM} (case {case}) has been fixed; we will "
            f"call you to check. Rectification {number}.",
        ),
    ]
    assert [to for to, _text, _id in MemoryBackend.outbox] == []  # sent after commit only
    assert fresh(bad).rater_told_at is not None
    reads = AuditLog.objects.filter(action="notify.recipient_read", detail__rectification=number)
    assert reads.count() == 2
    assert reads.first().detail["phone"] == "138****8000"


def test_fix_now_and_explain_texts_in_chinese(bad, lead, instant_case, settings):
    settings.NOTIFY_LANGUAGE = "zh-hans"
    verify(bad, lead)
    rectify.rectification_fix_now(
        rectification=bad, actor=lead, fix_summary="当场改正", expected_revision=fresh(bad).revision
    )
    notify_last(bad)
    other = Rectification.objects.get(rating=rating_of(instant_case, 2, key="visit:x:2"))
    verify(other, lead)
    rectify.rectification_explain(
        rectification=other,
        actor=lead,
        explanation="依法说明",
        expected_revision=fresh(other).revision,
    )
    notify_last(other)
    assert told() == [
        (
            "ratings.fix_now",
            f"感谢您对{ITEM}（办件号{instant_case.number}）的评价。您反映的问题已立行立改，"
            f"我们将回访您核实。整改单号{bad.number}。",
        ),
        (
            "ratings.explain",
            f"关于您对{ITEM}（办件号{instant_case.number}）的评价，部门已向您解释说明。"
            f"如有异议请拨打12345。整改单号{other.number}。",
        ),
    ]


def test_a_replay_stores_nothing_new_and_reads_the_phone_once(bad, lead):
    verify(bad, lead)
    rectify.rectification_fix_now(
        rectification=bad, actor=lead, fix_summary="当场改正", expected_revision=fresh(bad).revision
    )
    event = RectificationEvent.objects.get(rectification=bad, action="fix_now")
    first = rectification_event_notify(event_id=event.pk)
    again = rectification_event_notify(event_id=event.pk)
    assert first is not None and again == first
    assert first.idempotency_key == f"ratings.rectification:{event.pk}:sms"
    assert Notification.objects.filter(subject_type="ratings.rectification").count() == 1
    assert (
        AuditLog.objects.filter(action="notify.recipient_read", detail__event=event.pk).count() == 1
    )


def test_the_moves_that_are_not_told_store_nothing(bad, lead):
    verify(bad, lead)
    for event in RectificationEvent.objects.filter(rectification=bad):
        assert rectification_event_notify(event_id=event.pk) is None
    assert told() == []


def test_a_case_message_under_the_same_event_number_does_not_silence_the_rater(bad, lead):
    """Case events key their SMS ``"<event id>:sms"``; a rectification event of the same id is
    another subject and gets its own message (the new user's 立行立改 was never told)."""
    from onewindow.notify.services import message_enqueue

    verify(bad, lead)
    rectify.rectification_fix_now(
        rectification=bad, actor=lead, fix_summary="当场改正", expected_revision=fresh(bad).revision
    )
    event = RectificationEvent.objects.get(rectification=bad, action="fix_now")
    case_message = message_enqueue(
        subject_type="cases.case",
        subject_id=bad.rating.case_id,
        channel="sms",
        recipient="13900139000",
        template_code="deliver",
        text="办件已办结",
        idempotency_key=f"{event.pk}:sms",
    )
    told = rectification_event_notify(event_id=event.pk)
    assert told is not None and told.pk != case_message.pk
    assert told.subject_type == "ratings.rectification"
    assert Notification.objects.count() == 2
