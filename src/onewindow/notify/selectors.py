"""Reads of the outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from onewindow.notify.models import Notification


def message_for_key(*, idempotency_key: str) -> Notification | None:
    """The message stored under ``idempotency_key``, if any (to skip work on a replay)."""
    return Notification.objects.filter(idempotency_key=idempotency_key).first()


def messages_for_subject(*, subject_type: str, subject_id: str | int) -> QuerySet[Notification]:
    """The messages about one subject, newest first (masked recipients only)."""
    return Notification.objects.filter(subject_type=subject_type, subject_id=str(subject_id))
