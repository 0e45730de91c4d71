"""Time limits per type and urgency on the working calendar, across National Day 2026 (1–7
October holidays; Sunday 27 September and Saturday 10 October make-up working days)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from onewindow.hotline.codes import OrderType, Urgency
from onewindow.hotline.limits import handling_limit
from onewindow.hotline.models import TimeLimitRule
from onewindow.hotline.services import order_dispatch, order_take
from onewindow.hotline.tests.conftest import caller, light_input
from onewindow.workflow.clock import TimeUnit

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(y, m, d, hour=10, minute=0):
    return dt.datetime(y, m, d, hour, minute, tzinfo=SH)


def end(y, m, d):
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=SH)


@pytest.mark.django_db
def test_the_rules_a_new_installation_starts_with():
    assert handling_limit(order_type=OrderType.CONSULT, urgency=Urgency.NORMAL) == (3, "1")
    assert handling_limit(order_type=OrderType.HELP, urgency=Urgency.NORMAL) == (3, "1")
    for kind in (OrderType.COMPLAINT, OrderType.REPORT, OrderType.SUGGEST):
        assert handling_limit(order_type=kind, urgency=Urgency.NORMAL) == (13, "1")
    assert handling_limit(order_type=OrderType.PRAISE, urgency=Urgency.NORMAL) == (5, "1")
    # Urgency wins over the type: the same day, or two hours.
    assert handling_limit(order_type=OrderType.COMPLAINT, urgency=Urgency.URGENT) == (0, "2")
    assert handling_limit(order_type=OrderType.CONSULT, urgency=Urgency.CRITICAL) == (2, "3")


@pytest.mark.django_db
def test_a_rule_for_type_and_urgency_beats_both_halves():
    TimeLimitRule.objects.create(
        order_type=OrderType.COMPLAINT, urgency=Urgency.URGENT, limit=8, unit=TimeUnit.WORKING_HOUR
    )
    assert handling_limit(order_type=OrderType.COMPLAINT, urgency=Urgency.URGENT) == (8, "wh")
    assert handling_limit(order_type=OrderType.HELP, urgency=Urgency.URGENT) == (0, "2")


@pytest.mark.parametrize(
    ("order_type", "urgency", "dispatched", "due"),
    [
        # 3 working days from Wednesday 30 September: 8, 9 and Saturday 10 October.
        (OrderType.HELP, Urgency.NORMAL, at(2026, 9, 30), end(2026, 10, 10)),
        (OrderType.CONSULT, Urgency.NORMAL, at(2026, 9, 30), end(2026, 10, 10)),
        # 13 working days from 30 September: 8, 9, 10, 12–16, 19–23 October.
        (OrderType.COMPLAINT, Urgency.NORMAL, at(2026, 9, 30), end(2026, 10, 23)),
        (OrderType.REPORT, Urgency.NORMAL, at(2026, 9, 30), end(2026, 10, 23)),
        # 5 working days from 30 September: 8, 9, 10, 12, 13 October.
        (OrderType.PRAISE, Urgency.NORMAL, at(2026, 9, 30), end(2026, 10, 13)),
        # Urgent: the same (natural) day, holiday or not.
        (OrderType.COMPLAINT, Urgency.URGENT, at(2026, 10, 2, 15), end(2026, 10, 2)),
        # Very urgent: two hours, on the clock.
        (OrderType.HELP, Urgency.CRITICAL, at(2026, 10, 2, 22, 30), at(2026, 10, 3, 0, 30)),
    ],
)
def test_the_deadline_of_a_dispatch_across_national_day(
    scene, order_type, urgency, dispatched, due
):
    order = order_take(
        actor=scene.agent,
        data=light_input(order_type=order_type, urgency=urgency),
        caller=caller(),
        now=dispatched,
    )
    order = order_dispatch(
        actor=scene.agent,
        order=order,
        expected_revision=order.revision,
        lead_id=scene.cgj.pk,
        now=dispatched,
    )
    assert order.due_at == due
    # Sign for within one working day: the next working day after the holiday at the latest.
    assert order.sign_due_at == end(2026, 10, 8)
