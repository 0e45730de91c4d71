"""A small hall: one district hall with windows 01–03, group A (two windows) and group B, the
days ahead all working days, and the people who work there."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from onewindow.core import crypto
from onewindow.hall.models import OpeningPeriod, ServiceGroup
from onewindow.notify.models import TEXT_CONTEXT, Notification
from onewindow.org.models import CentreLevel, Role
from onewindow.testing.factories import (
    CentreFactory,
    StreetFactory,
    WindowFactory,
    staff_with_role,
)
from onewindow.workcal.calendar import calendar_invalidate
from onewindow.workcal.models import CalendarOverride

PHONE = "13912345678"
OTHER_PHONE = "13712345678"


def last_booking_code() -> str:
    """The booking code of the newest booking SMS, read from the outbox as the gateway gets it."""
    message = Notification.objects.filter(template_code="hall_booking_made").order_by("-id").first()
    assert message is not None
    text = crypto.decrypt(message.text_encrypted, context=TEXT_CONTEXT)
    return re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", text).group(0)  # type: ignore[union-attr]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class Hall:
    centre: Any
    other_centre: Any
    windows: list[Any]
    other_window: Any
    a: Any
    b: Any
    clerk: Any
    other_clerk: Any
    manager: Any
    other_manager: Any
    agent: Any
    tomorrow: dt.date


def _group(centre: Any, letter: str, name: str, windows: list[Any], **rules: Any) -> Any:
    group = ServiceGroup.objects.create(
        centre=centre, letter=letter, name=name, name_en=f"Group {letter}", **rules
    )
    group.windows.set(windows)
    for weekday in range(7):
        OpeningPeriod.objects.create(
            group=group, weekday=weekday, starts=dt.time(9), ends=dt.time(12)
        )
        OpeningPeriod.objects.create(
            group=group, weekday=weekday, starts=dt.time(13, 30), ends=dt.time(17)
        )
    return group


@pytest.fixture(autouse=True)
def _hall_settings(settings):
    settings.NOTIFY_BACKEND = "onewindow.notify.backends.MemoryBackend"
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.DemoRegistryVerifier"


@pytest.fixture
def working_days(db):
    today = timezone.localdate()
    for offset in range(0, 10):
        CalendarOverride.objects.update_or_create(
            day=today + dt.timedelta(days=offset),
            defaults={"is_working_day": True, "reason": "test"},
        )
    calendar_invalidate()
    return today


@pytest.fixture
def hall(db, working_days) -> Hall:
    centre = CentreFactory(name="荔湾区政务服务中心")
    other = CentreFactory(
        name="另一个服务中心", level=CentreLevel.STREET_CENTRE, region=StreetFactory()
    )
    windows = [WindowFactory(centre=centre, number=f"0{n}") for n in (1, 2, 3)]
    other_window = WindowFactory(centre=other, number="01")
    a = _group(centre, "A", "社保医保", windows[:2], slot_minutes=30, capacity=2)
    b = _group(centre, "B", "不动产", windows[2:], slot_minutes=30, capacity=2)
    _group(other, "A", "综合", [other_window])
    return Hall(
        centre=centre,
        other_centre=other,
        windows=windows,
        other_window=other_window,
        a=a,
        b=b,
        clerk=staff_with_role(Role.INTAKE_CLERK, centre=centre),
        other_clerk=staff_with_role(Role.INTAKE_CLERK, centre=other),
        manager=staff_with_role(Role.CENTRE_MANAGER, centre=centre),
        other_manager=staff_with_role(Role.CENTRE_MANAGER, centre=other),
        agent=staff_with_role(Role.HOTLINE_AGENT),
        tomorrow=working_days + dt.timedelta(days=1),
    )


@pytest.fixture
def account(db):
    """A citizen account for ``PHONE`` (as the first sign-in creates it)."""
    from onewindow.applicants.models import PHONE_INDEX_CONTEXT
    from onewindow.citizens.models import ACCOUNT_PHONE_CONTEXT, CitizenAccount

    return CitizenAccount.objects.create(
        phone_index=crypto.blind_index(PHONE, context=PHONE_INDEX_CONTEXT),
        phone_encrypted=crypto.encrypt(PHONE, context=ACCOUNT_PHONE_CONTEXT),
        phone_masked=crypto.mask_phone(PHONE),
    )
