"""The closed loop on the services: a street light, dispatched wrongly, returned, re-dispatched,
signed, replied, called back unhappy, redone, called back satisfied, closed; a duplicate merged
and both callers answered; a consultation answered on the call."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from onewindow.core.errors import NotFoundOrForbidden, ValidationFailed
from onewindow.hotline.codes import Channel, OrderType, Truth
from onewindow.hotline.errors import DispatchRefused
from onewindow.hotline.models import Callback, Closure, OrderUnit, WorkOrder
from onewindow.hotline.services import (
    CallbackInput,
    ReplyInput,
    callback_record,
    dispatch_propose,
    duplicate_candidates,
    order_answer,
    order_dispatch,
    order_merge,
    order_reply,
    order_return,
    order_sign,
    order_take,
)
from onewindow.hotline.tests.conftest import caller, light_input

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(y, m, d, hour=10, minute=0):
    return dt.datetime(y, m, d, hour, minute, tzinfo=SH)


def fresh(order):
    return WorkOrder.objects.get(pk=order.pk)


def reply(**overrides):
    values = {
        "truth": Truth.TRUE,
        "solved": True,
        "handling": "已派维修班组更换灯泡。",
        "public_reply": "您反映的沙面大街52号路灯已修复。",
    }
    values.update(overrides)
    return ReplyInput(**values)


def test_the_street_light_round_trip(scene):
    s = scene
    order = order_take(actor=s.agent, data=light_input(), caller=caller(), now=at(2026, 11, 2))
    assert order.state == "to_dispatch"
    assert order.number == "GD20261102000001"
    assert order.taken_by == s.agent
    proposal = dispatch_propose(order=order)
    assert (proposal.lead, proposal.source) == (s.cgj, "catalogue")

    # The wrong unit first; it returns it with a reason the next morning.
    order = order_dispatch(
        actor=s.agent,
        order=order,
        expected_revision=order.revision,
        lead_id=s.zjj.pk,
        now=at(2026, 11, 2, 10, 5),
    )
    assert (order.state, order.lead_unit, order.due_at) == (
        "dispatched",
        s.zjj,
        at(2026, 11, 5, 23, 59).replace(second=59),
    )
    assert order.sign_due_at == at(2026, 11, 3, 23, 59).replace(second=59)
    with pytest.raises(NotFoundOrForbidden):  # not yet the right unit's
        order_sign(actor=s.cgj_staff, order=order, expected_revision=order.revision)
    order = order_return(
        actor=s.zjj_staff,
        order=order,
        expected_revision=order.revision,
        reason="路灯属城管执法局职责。",
        now=at(2026, 11, 3, 9),
    )
    assert (order.state, order.returns_count, order.lead_unit) == ("to_dispatch", 1, None)
    with pytest.raises(NotFoundOrForbidden):  # a unit that returned it no longer sees it
        order_sign(actor=s.zjj_staff, order=fresh(order), expected_revision=order.revision)

    order = order_dispatch(
        actor=s.agent,
        order=order,
        expected_revision=order.revision,
        lead_id=s.cgj.pk,
        now=at(2026, 11, 3, 9, 30),
    )
    # Re-dispatched: the clock starts again (3 working days for a request for help).
    assert order.due_at == at(2026, 11, 6, 23, 59).replace(second=59)
    order = order_sign(
        actor=s.cgj_staff, order=order, expected_revision=order.revision, now=at(2026, 11, 3, 11)
    )
    order = order_reply(
        actor=s.cgj_staff,
        order=order,
        expected_revision=order.revision,
        reply=reply(),
        now=at(2026, 11, 4, 15),
    )
    assert (order.state, order.replied_on_time) == ("replied", True)
    assert order.callback_due_at == at(2026, 11, 5, 23, 59).replace(second=59)

    first = order.callers.get()
    result = callback_record(
        actor=s.agent,
        order=order,
        expected_revision=order.revision,
        data=CallbackInput(
            caller_id=first.pk,
            reached=True,
            solved=False,
            level=2,
            unit_fault=True,
            note="灯修了一晚又不亮。",
        ),
        now=at(2026, 11, 5, 10),
    )
    assert result.outcome == "redo"
    order = result.order
    assert (order.state, order.redo_count) == ("handling", 1)
    assert order.due_at == at(2026, 11, 10, 23, 59).replace(second=59)
    order = order_reply(
        actor=s.cgj_staff,
        order=order,
        expected_revision=order.revision,
        reply=reply(handling="更换了整条线路。"),
        now=at(2026, 11, 6, 16),
    )
    result = callback_record(
        actor=s.agent,
        order=order,
        expected_revision=order.revision,
        data=CallbackInput(caller_id=first.pk, reached=True, solved=True, level=5),
        now=at(2026, 11, 9, 10),
    )
    order = fresh(order)
    assert (result.outcome, order.state, order.closure, order.satisfaction, order.solved) == (
        "closed",
        "closed",
        Closure.CALLBACK,
        5,
        True,
    )
    assert list(order.events.values_list("action", flat=True)) == [
        "take",
        "dispatch",
        "return",
        "dispatch",
        "sign",
        "reply",
        "callback",
        "redo",
        "reply",
        "callback",
        "close",
    ]
    assert list(order.replies.values_list("round", flat=True)) == [1, 2]


def test_a_duplicate_is_merged_and_both_callers_are_called_back(scene):
    s = scene
    first = order_take(actor=s.agent, data=light_input(), caller=caller(), now=at(2026, 11, 2))
    second = order_take(
        actor=s.agent2,
        data=light_input(title="沙面大街路灯坏了", content="沙面大街52号附近路灯晚上不亮，很黑。"),
        caller=caller(phone="13900139000", name="李女士"),
        now=at(2026, 11, 2, 11),
    )
    candidates = duplicate_candidates(order=second)
    assert [c.order for c in candidates] == [first]
    assert candidates[0].same_place and not candidates[0].same_caller
    order_merge(
        actor=s.agent2,
        duplicate=second,
        into=first,
        expected_revision=second.revision,
        now=at(2026, 11, 2, 11, 5),
    )
    second, first = fresh(second), fresh(first)
    assert (second.state, second.merged_into) == ("merged", first)
    assert sorted(c.phone_masked for c in first.callers.all()) == ["138****8000", "139****9000"]

    first = order_dispatch(
        actor=s.agent,
        order=first,
        expected_revision=first.revision,
        lead_id=s.cgj.pk,
        now=at(2026, 11, 2, 12),
    )
    first = order_sign(actor=s.cgj_staff, order=first, expected_revision=first.revision)
    first = order_reply(
        actor=s.cgj_staff,
        order=first,
        expected_revision=first.revision,
        reply=reply(),
        now=at(2026, 11, 3, 10),
    )
    callers = list(first.callers.order_by("id"))
    result = callback_record(
        actor=s.agent,
        order=first,
        expected_revision=first.revision,
        data=CallbackInput(caller_id=callers[0].pk, reached=True, solved=True, level=4),
    )
    assert (result.outcome, fresh(first).state) == ("", "replied")
    result = callback_record(
        actor=s.agent,
        order=first,
        expected_revision=fresh(first).revision,
        data=CallbackInput(caller_id=callers[1].pk, reached=True, solved=True, level=5),
    )
    assert (result.outcome, fresh(first).state, fresh(first).satisfaction) == (
        "closed",
        "closed",
        4,
    )
    assert Callback.objects.filter(order=first).count() == 2


def test_a_consultation_answered_on_the_call_closes_at_once(scene):
    order = order_answer(
        actor=scene.agent,
        data=light_input(
            order_type=OrderType.CONSULT,
            title="退休金怎么领",
            content="问城乡居民养老保险待遇怎么申领。",
            category_code="",
            place="",
            region_code="",
        ),
        caller=caller(),
        answer="到户籍所在街道社保窗口申领，带身份证和户口簿。",
        article_code=scene.pension.code,
        article_version=1,
        now=at(2026, 11, 2),
    )
    assert (order.state, order.closure, order.answer_article, order.answer_article_version) == (
        "closed",
        Closure.DIRECT_ANSWER,
        scene.pension.code,
        1,
    )
    assert order.channel == Channel.PHONE
    assert not OrderUnit.objects.filter(order=order).exists()


def test_a_street_office_is_not_given_a_matter_of_a_functional_department(scene):
    s = scene
    order = order_take(actor=s.agent, data=light_input(), caller=caller())
    with pytest.raises(ValidationFailed) as refused:
        order_dispatch(
            actor=s.agent, order=order, expected_revision=order.revision, lead_id=s.street_office.pk
        )
    assert [e.code for e in refused.value.errors] == ["street_for_functional"]
    assert fresh(order).state == "to_dispatch"
    assert not OrderUnit.objects.filter(order=order).exists()


def test_street_vending_in_its_street_goes_to_the_street_office_with_the_bureau_assisting(scene):
    s = scene
    order = order_take(
        actor=s.agent,
        data=light_input(
            order_type=OrderType.COMPLAINT,
            title="门口有人摆摊",
            content="每天晚上有小贩在门口摆摊占道。",
            category_code="0201",
        ),
        caller=caller(),
    )
    proposal = dispatch_propose(order=order)
    assert (proposal.lead, proposal.assists, proposal.source) == (
        s.street_office,
        [s.cgj],
        "catalogue",
    )
    elsewhere = order_take(
        actor=s.agent,
        data=light_input(
            order_type=OrderType.COMPLAINT,
            title="门口有人摆摊",
            content="小贩占道。",
            category_code="0201",
            region_code="440103002000",
        ),
        caller=caller(),
    )
    assert dispatch_propose(order=elsewhere).lead == s.cgj


def test_a_return_after_two_working_days_is_refused(scene):
    s = scene
    order = order_take(actor=s.agent, data=light_input(), caller=caller())
    order = order_dispatch(
        actor=s.agent,
        order=order,
        expected_revision=order.revision,
        lead_id=s.zjj.pk,
        now=at(2026, 11, 2, 10),
    )
    with pytest.raises(DispatchRefused):
        order_return(
            actor=s.zjj_staff,
            order=order,
            expected_revision=order.revision,
            reason="不是我们的。",
            now=at(2026, 11, 5, 9),
        )
    assert (fresh(order).state, fresh(order).returns_count) == ("dispatched", 0)
