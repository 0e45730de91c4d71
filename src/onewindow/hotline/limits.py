"""The hotline's time limits: handling limits per type and urgency (``TimeLimitRule``, data),
and the fixed local rules (settings): sign for within ``HOTLINE_SIGN_WORKING_DAYS``, return a
wrongly dispatched order within ``HOTLINE_RETURN_WORKING_DAYS``, call back within
``HOTLINE_CALLBACK_WORKING_DAYS`` of the reply, extensions at most
``HOTLINE_EXTENSION_MAX_WORKING_DAYS`` each."""

from __future__ import annotations

from django.conf import settings

from onewindow.hotline.codes import OrderType, Urgency
from onewindow.workflow.clock import TimeUnit

# The rules a new installation starts with (migration 0002 stores them; edited in the admin):
# very urgent 2 hours, urgent the same day, consultations and requests for help 3 working days,
# complaints, reports and suggestions 13, praise 5.
DEFAULT_RULES: tuple[tuple[str, str, int, str], ...] = (
    ("", Urgency.CRITICAL, 2, TimeUnit.HOUR),
    ("", Urgency.URGENT, 0, TimeUnit.NATURAL_DAY),
    (OrderType.CONSULT, "", 3, TimeUnit.WORKING_DAY),
    (OrderType.HELP, "", 3, TimeUnit.WORKING_DAY),
    (OrderType.COMPLAINT, "", 13, TimeUnit.WORKING_DAY),
    (OrderType.REPORT, "", 13, TimeUnit.WORKING_DAY),
    (OrderType.SUGGEST, "", 13, TimeUnit.WORKING_DAY),
    (OrderType.PRAISE, "", 5, TimeUnit.WORKING_DAY),
    ("", "", 13, TimeUnit.WORKING_DAY),
)


def handling_limit(*, order_type: str, urgency: str) -> tuple[int, str]:
    """The most specific rule: type and urgency, then urgency alone, then type alone, then the
    catch-all. One query (the table is a few rows)."""
    from onewindow.hotline.models import TimeLimitRule

    rules = {(r.order_type, r.urgency): (r.limit, r.unit) for r in TimeLimitRule.objects.all()}
    for key in ((order_type, urgency), ("", urgency), (order_type, ""), ("", "")):
        if key in rules:
            return rules[key]
    return 13, TimeUnit.WORKING_DAY


def sign_working_days() -> int:
    return int(getattr(settings, "HOTLINE_SIGN_WORKING_DAYS", 1))


def return_working_days() -> int:
    return int(getattr(settings, "HOTLINE_RETURN_WORKING_DAYS", 2))


def callback_working_days() -> int:
    return int(getattr(settings, "HOTLINE_CALLBACK_WORKING_DAYS", 1))


def extension_max_working_days() -> int:
    return int(getattr(settings, "HOTLINE_EXTENSION_MAX_WORKING_DAYS", 10))


def callback_attempts() -> int:
    """Failed call-back attempts after which an order closes as "could not reach"."""
    return int(getattr(settings, "HOTLINE_CALLBACK_ATTEMPTS", 3))
