"""Hot spots and the wallboard's counts, on orders taken through the services on chosen days."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from onewindow.hotline.codes import NotAccepted, OrderType
from onewindow.hotline.hotspots import recurring, week_counts
from onewindow.hotline.services import (
    extension_request,
    order_dispatch,
    order_refuse,
    order_sign,
    order_take,
)
from onewindow.hotline.tests.conftest import caller, light_input
from onewindow.hotline.wallboard import wallboard_figures

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(month, d, hour=10, minute=0):
    return dt.datetime(2026, month, d, hour, minute, tzinfo=SH)


def take(s, when, **overrides):
    return order_take(actor=s.agent, data=light_input(**overrides), caller=caller(), now=when)


VENDING = {
    "order_type": OrderType.COMPLAINT,
    "title": "门口有人摆摊",
    "content": "小贩占道。",
    "category_code": "0201",
}


def build(s):
    """Week 45 (2–8 Nov 2026): three lights in 沙面 (one at 23:30 on Sunday the 8th, still week
    45 in Shanghai), one vending in 岭南; week 46: one light in 沙面, one vending in 沙面; a
    refused call (not counted) and one of October (outside)."""
    numbers = [
        take(s, at(11, 2)).number,
        take(s, at(11, 4)).number,
        take(s, at(11, 8, 23, 30)).number,
        take(s, at(11, 10)).number,
    ]
    take(s, at(11, 3), region_code="440103002000", **VENDING)
    take(s, at(11, 11), **VENDING)
    order_refuse(
        actor=s.agent,
        data=light_input(),
        caller=caller(),
        reason=NotAccepted.LITIGATION,
        now=at(11, 5),
    )
    take(s, at(10, 30))
    return numbers


def test_week_counts_by_category_street_and_iso_week(scene, django_assert_num_queries):
    build(scene)
    with django_assert_num_queries(2):
        rows = week_counts(since=dt.date(2026, 11, 1), until=dt.date(2026, 12, 1))
    assert [(r.week, r.category, r.street, r.count) for r in rows] == [
        ("2026-W45", "市政设施 › 路灯", "沙面街道", 3),
        ("2026-W45", "市容环境 › 占道经营", "岭南街道", 1),
        ("2026-W46", "市容环境 › 占道经营", "沙面街道", 1),
        ("2026-W46", "市政设施 › 路灯", "沙面街道", 1),
    ]


def test_recurring_problems_with_their_numbers(scene, django_assert_num_queries):
    numbers = build(scene)
    with django_assert_num_queries(3):
        found = recurring(since=dt.date(2026, 11, 1), until=dt.date(2026, 12, 1), least=3)
    assert [(r.category, r.street, r.count, r.numbers) for r in found] == [
        ("市政设施 › 路灯", "沙面街道", 4, numbers)
    ]
    assert recurring(since=dt.date(2026, 11, 1), until=dt.date(2026, 12, 1), least=5) == []
    # the week alone
    week = recurring(since=dt.date(2026, 11, 2), until=dt.date(2026, 11, 9), least=2)
    assert [(r.street, r.numbers) for r in week] == [("沙面街道", numbers[:3])]


def test_recurring_without_a_street_groups_by_place(scene):
    for day in (2, 3):
        take(scene, at(11, day), region_code="", place="荔湾路100号")
    take(scene, at(11, 4), region_code="", place="荔湾路102号")
    found = recurring(since=dt.date(2026, 11, 1), until=dt.date(2026, 12, 1), least=2)
    assert [(r.street_code, r.place, r.count) for r in found] == [("", "荔湾路100号", 2)]


def test_the_wallboard_figures_three_queries(scene, django_assert_num_queries):
    s = scene
    waiting = take(s, at(11, 2, 9))
    late_sign = take(s, at(11, 2, 9, 30))
    order_dispatch(
        actor=s.agent,
        order=late_sign,
        expected_revision=late_sign.revision,
        lead_id=s.cgj.pk,
        now=at(11, 2, 10),
    )
    held = take(s, at(11, 4, 9))
    held = order_dispatch(
        actor=s.agent,
        order=held,
        expected_revision=held.revision,
        lead_id=s.cgj.pk,
        now=at(11, 4, 10),
    )
    held = order_sign(
        actor=s.cgj_staff, order=held, expected_revision=held.revision, now=at(11, 4, 11)
    )
    extension_request(
        actor=s.cgj_staff, order=held, working_days=1, reason="需协调。", now=at(11, 4, 12)
    )
    now = at(11, 4, 15)
    with django_assert_num_queries(3):
        counts = wallboard_figures(now)
    assert counts == {
        "submitted": 0,
        "to_dispatch": 1,
        "dispatched": 1,
        "handling": 1,
        "replied": 0,
        "at_units": 2,
        # Both due at the end of 5 and 7 Nov: 5 Nov is within one working day of the 4th.
        "red": 0,
        "yellow": 1,
        "on_time": 1,
        # signed for by the end of 3 Nov: late
        "sign_late": 1,
        "callback_late": 0,
        "today": 1,
        "closed_today": 0,
        "extensions_pending": 1,
        "overdue_units": [],
        "at": now,
    }
    assert waiting.state == "to_dispatch"
    later = wallboard_figures(at(11, 6, 9))
    assert (later["red"], later["today"]) == (1, 0)
    assert later["overdue_units"] == [
        {"lead_unit__name": s.cgj.name, "lead_unit__short_name": s.cgj.short_name, "n": 1}
    ]
