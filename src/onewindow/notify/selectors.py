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


def messages_for_subjects(
    *, subjects: dict[str, list[str | int]], limit: int = 50
) -> list[Notification]:
    """The newest ``limit`` messages about any of ``subjects`` (subject type → ids), newest
    first: e.g. a citizen's messages about their cases and their account. Masked recipients
    and shown texts only are for screens."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for subject_type, ids in subjects.items():
        if ids:
            condition |= Q(subject_type=subject_type, subject_id__in=[str(i) for i in ids])
    return list(Notification.objects.filter(condition).order_by("-created_at", "-id")[:limit])
