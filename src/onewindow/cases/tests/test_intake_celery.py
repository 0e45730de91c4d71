"""A case through intake on the production path: ``TASK_BACKEND=celery``, a real Celery worker
on the local Redis. The accept's notice goes through the broker twice (the case event's
notifier, then the outbox's send) and is sent by the log SMS backend; the worker's log lines
carry the id of the request that accepted the case."""

from __future__ import annotations

import json
import logging

import pytest

from onewindow.cases.services import case_accept
from onewindow.core import crypto
from onewindow.core.requestid import JsonFormatter, RequestIdFilter, request_id_bound
from onewindow.notify.models import TEXT_CONTEXT, Notification, NotificationStatus
from onewindow.testing.celery import celery_worker, wait_until

__all__ = ["celery_worker"]  # the fixture, imported to be used here

pytestmark = pytest.mark.django_db(transaction=True)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def sms_log(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.LogBackend"
    settings.NOTIFY_LANGUAGE = "en"
    handler = Lines()
    logger = logging.getLogger("onewindow.notify")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_an_accepted_case_is_told_by_sms_through_the_broker(city, celery_worker, sms_log):
    with request_id_bound("intake-req-000001"):
        case = case_accept(intake=city.intake())

    def sent():
        """the accept's SMS is sent"""
        return Notification.objects.filter(
            subject_type="cases.case", subject_id=str(case.pk), status=NotificationStatus.SENT
        ).first()

    notice = wait_until(sent)
    assert notice.template_code == "accept"
    assert notice.attempts == 1
    assert notice.provider_message_id.startswith("log-")
    text = crypto.decrypt(notice.text_encrypted, context=TEXT_CONTEXT)
    assert text.startswith(f"Your application for {city.lift.name} has been accepted. Case number")
    assert case.number in text
    sms = [line for line in sms_log if line["message"].startswith("SMS to ")]
    assert len(sms) == 1
    # The masked phone and the masked text only; the request id came through both hops.
    assert sms[0]["message"].startswith(f"SMS to 138****8000 [{notice.provider_message_id}]: ")
    assert case.query_code not in sms[0]["message"]
    assert sms[0]["request_id"] == "intake-req-000001"
    assert Notification.objects.count() == 1
