"""The indicators of one hand-built month, computed exactly: six orders of November 2026 over
two units (the urban management bureau 城管 and the housing bureau 住建), built through the
services on chosen days, and one order of October that November must not count.

    O1 light   2 Nov → 住建 (returned 3 Nov, unsigned) → 城管 3 Nov, signed on time, replied on
               time, called back unhappy (2, the unit's fault) → redo, replied on time, called
               back 5 and solved → closed 9 Nov
    O2 light   2 Nov → 城管, signed late (5 Nov), extension of 2 working days approved, replied
               late (10 Nov), called back 3 and not solved → closed 10 Nov
    O3 light   2 Nov → 住建, signed on time, replied on time, call-back did not reach the caller
    O4 consultation answered on the call (直接答复)
    O5 refused (不予受理: in litigation)
    O6 web form, taken 2 Nov → 住建, never signed
    O0 light  30 Oct → 城管 (October)
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from onewindow.hotline.codes import Channel, NotAccepted, OrderType, Truth
from onewindow.hotline.indicators import Month, month_indicators
from onewindow.hotline.models import Extension
from onewindow.hotline.services import (
    CallbackInput,
    ReplyInput,
    callback_record,
    extension_decide,
    extension_request,
    order_answer,
    order_dispatch,
    order_refuse,
    order_reply,
    order_return,
    order_sign,
    order_take,
)
from onewindow.hotline.tests.conftest import caller, light_input

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOVEMBER = Month(2026, 11)


def at(d, hour=10, minute=0, month=11):
    return dt.datetime(2026, month, d, hour, minute, tzinfo=SH)


def reply(solved=True):
    return ReplyInput(
        truth=Truth.TRUE,
        solved=solved,
        handling="已处理。",
        public_reply="您反映的问题已处理。",
        unsolved_reason="" if solved else "需供电部门改线。",
    )


def taken(s, when, **overrides):
    return order_take(actor=s.agent, data=light_input(**overrides), caller=caller(), now=when)


def dispatched(s, order, unit, when):
    return order_dispatch(
        actor=s.agent, order=order, expected_revision=order.revision, lead_id=unit.pk, now=when
    )


def signed(staff, order, when):
    return order_sign(actor=staff, order=order, expected_revision=order.revision, now=when)


def replied(staff, order, when, solved=True):
    return order_reply(
        actor=staff, order=order, expected_revision=order.revision, reply=reply(solved), now=when
    )


def called_back(s, order, when, **data):
    first = order.callers.order_by("id").first()
    return callback_record(
        actor=s.agent,
        order=order,
        expected_revision=order.revision,
        data=CallbackInput(caller_id=first.pk, **data),
        now=when,
    ).order


def build_november(s):
    o0 = taken(s, at(30, month=10))
    dispatched(s, o0, s.cgj, at(30, 11, month=10))

    o1 = taken(s, at(2))
    o1 = dispatched(s, o1, s.zjj, at(2, 10, 5))
    o1 = order_return(
        actor=s.zjj_staff,
        order=o1,
        expected_revision=o1.revision,
        reason="路灯属城管执法局职责。",
        now=at(3, 9),
    )
    o1 = dispatched(s, o1, s.cgj, at(3, 9, 30))
    o1 = signed(s.cgj_staff, o1, at(3, 11))
    o1 = replied(s.cgj_staff, o1, at(4, 15))
    o1 = called_back(s, o1, at(5), reached=True, solved=False, level=2, unit_fault=True)
    o1 = replied(s.cgj_staff, o1, at(6, 16))
    o1 = called_back(s, o1, at(9), reached=True, solved=True, level=5)
    assert (o1.state, o1.redo_count) == ("closed", 1)

    o2 = taken(s, at(2, 10, 10))
    o2 = dispatched(s, o2, s.cgj, at(2, 10, 20))
    o2 = signed(s.cgj_staff, o2, at(5, 9))
    extension = extension_request(
        actor=s.cgj_staff, order=o2, working_days=2, reason="需协调供电部门。", now=at(5, 10)
    )
    extension_decide(actor=s.agent, extension_id=extension.pk, approve=True, now=at(5, 11))
    o2 = type(o2).objects.get(pk=o2.pk)
    assert o2.due_at == at(9, 23, 59).replace(second=59)
    o2 = replied(s.cgj_staff, o2, at(10, 9), solved=False)
    assert o2.replied_on_time is False
    o2 = called_back(s, o2, at(10, 15), reached=True, solved=False, level=3)
    assert o2.state == "closed"

    o3 = taken(s, at(2, 11))
    o3 = dispatched(s, o3, s.zjj, at(2, 11, 10))
    o3 = signed(s.zjj_staff, o3, at(2, 14))
    o3 = replied(s.zjj_staff, o3, at(3, 10))
    o3 = called_back(s, o3, at(4), reached=False)
    assert o3.state == "replied"

    order_answer(
        actor=s.agent,
        data=light_input(
            order_type=OrderType.CONSULT, title="退休金怎么领", category_code="", region_code=""
        ),
        caller=caller(),
        answer="到户籍所在街道社保窗口申领。",
        now=at(2, 12),
    )
    order_refuse(
        actor=s.agent,
        data=light_input(title="工资纠纷", category_code=""),
        caller=caller(),
        reason=NotAccepted.LITIGATION,
        now=at(2, 13),
    )
    o6 = order_take(
        actor=s.agent, data=light_input(), caller=caller(), channel=Channel.WEB, now=at(2, 14)
    )
    dispatched(s, o6, s.zjj, at(2, 15))
    assert Extension.objects.count() == 1


def test_november_per_unit_exactly(scene, django_assert_num_queries):
    s = scene
    build_november(s)
    with django_assert_num_queries(5):
        figures = month_indicators(month=NOVEMBER)
    # by name
    by_name = sorted((s.cgj, s.zjj), key=lambda d: d.name)
    assert [u.department_id for u in figures.units] == [d.pk for d in by_name]

    cgj = figures.unit(s.cgj.pk)
    zjj = figures.unit(s.zjj.pk)
    expected_cgj = {
        # O1 (re-dispatch, signed in time), O2 (signed late)
        "sign_on_time": ((1, 2), Decimal("50.0")),
        "response": ((1, 2), Decimal("50.0")),
        # O1 round 1 and 2 on time, O2 late
        "reply_on_time": ((2, 3), Decimal("66.7")),
        # O1 redone, O2 not
        "redo": ((1, 2), Decimal("50.0")),
        # call-backs 2 (O1), 5 (O1), 3 (O2)
        "satisfaction": ((2, 3), Decimal("66.7")),
        # O1 solved, O2 not
        "solved": ((1, 2), Decimal("50.0")),
        "return": ((0, 2), Decimal("0.0")),
        "extension": ((1, 2), Decimal("50.0")),
    }
    expected_zjj = {
        # O1 (returned unsigned), O3 (signed in time), O6 (never signed)
        "sign_on_time": ((1, 3), Decimal("33.3")),
        # the return in time is a response
        "response": ((2, 3), Decimal("66.7")),
        "reply_on_time": ((1, 1), Decimal("100.0")),
        # nothing of theirs closed, nobody rated: no figure
        "redo": ((0, 0), None),
        "satisfaction": ((0, 0), None),
        "solved": ((0, 0), None),
        "return": ((1, 3), Decimal("33.3")),
        "extension": ((0, 3), Decimal("0.0")),
    }
    for unit, expected in ((cgj, expected_cgj), (zjj, expected_zjj)):
        assert {code: (unit.fraction(code), unit.rate(code)) for code in expected} == expected

    city = figures.city
    assert city.fraction("sign_on_time") == (2, 5)
    assert city.rate("sign_on_time") == Decimal("40.0")
    assert city.fraction("return") == (1, 5)
    assert city.fraction("reply_on_time") == (3, 4)
    assert city.rate("reply_on_time") == Decimal("75.0")
    assert city.fraction("satisfaction") == (2, 3)
    # 首呼解决率: O1, O2, O3 and O4 accepted on the phone (O5 refused, O6 from the web); O4
    # answered on the call
    assert city.fraction("first_call") == (1, 4)
    assert city.rate("first_call") == Decimal("25.0")


def test_october_counts_only_its_own_dispatch(scene):
    build_november(scene)
    october = month_indicators(month=Month(2026, 10))
    assert [(u.department_id, u.fraction("sign_on_time")) for u in october.units] == [
        (scene.cgj.pk, (0, 1))
    ]
    assert october.city.fraction("first_call") == (0, 1)


def test_the_query_count_does_not_grow_with_the_orders(scene, django_assert_num_queries):
    build_november(scene)
    for day in (16, 17, 18):
        order = taken(scene, at(day))
        dispatched(scene, order, scene.zjj, at(day, 11))
    with django_assert_num_queries(5):
        figures = month_indicators(month=NOVEMBER)
    assert figures.unit(scene.zjj.pk).fraction("sign_on_time") == (1, 6)


def test_a_unit_limited_figure_has_only_its_rows_and_no_first_call(
    scene, django_assert_num_queries
):
    build_november(scene)
    with django_assert_num_queries(4):
        figures = month_indicators(month=NOVEMBER, department_ids={scene.zjj.pk})
    assert [u.department_id for u in figures.units] == [scene.zjj.pk]
    assert figures.city.fraction("sign_on_time") == (1, 3)
    assert figures.city.fraction("first_call") == (0, 0)


def test_month_parse():
    assert Month.parse("2026-11") == NOVEMBER
    assert Month.parse(" 2026-1 ") == Month(2026, 1)
    for bad in (
        "",
        None,
        "２０２６-１１",
        "2026",
        "2026-13",
        "2026-00",
        "abcd-ef",
        "1999-12",
        "2026-11-01",
        "-1-2",
    ):
        assert Month.parse(bad) is None
    assert NOVEMBER.next == Month(2026, 12)
    assert Month(2026, 12).next == Month(2027, 1)
