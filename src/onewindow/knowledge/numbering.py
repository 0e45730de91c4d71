"""Article codes and review dates, shared by the services and the seeding."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from onewindow.knowledge.codes import CODE_PREFIX
from onewindow.knowledge.models import Article

DEFAULT_REVIEW_DAYS = 180


def review_days() -> int:
    """Days from a review (or a publication) to the next one: ``KNOWLEDGE_REVIEW_DAYS``."""
    return int(getattr(settings, "KNOWLEDGE_REVIEW_DAYS", DEFAULT_REVIEW_DAYS))


def next_review(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=review_days())


def next_code_number() -> int:
    """The number after the highest code (codes are fixed-width, so the text maximum is the
    numeric one); two writers taking the same one meet the unique constraint."""
    last = Article.objects.filter(code__startswith=CODE_PREFIX).aggregate(last=Max("code"))["last"]
    return int(last[len(CODE_PREFIX) :]) + 1 if last else 1
