"""Messages about a subject that is not a case, for the outbox's own tests."""

from __future__ import annotations

import datetime as dt

from onewindow.notify.services import message_enqueue

PHONE = "13800138000"
T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def enqueue(key: str = "thing-1:ready:sms", **overrides):
    values = {
        "subject_type": "test.thing",
        "subject_id": 1,
        "channel": "sms",
        "recipient": PHONE,
        "template_code": "thing_ready",
        "text": f"Your thing is ready ({key}).",
        "idempotency_key": key,
    }
    values.update(overrides)
    return message_enqueue(**values)


def queued(**overrides):
    """A stored message whose queued send is never run (as if the process had stopped)."""
    return enqueue(now=T0, **overrides)
