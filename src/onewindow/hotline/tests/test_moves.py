"""The side paths and the rules around them: extensions, reminders and supervision, split,
assisting units, callers who cannot be called back, not-accepted matters, bad input, stale
pages — and who may do what (each refusal writes nothing)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from onewindow.core.audit import AuditLog
from onewindow.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from onewindow.hotline.codes import Channel, NotAccepted, OrderType
from onewindow.hotline.errors import CallbackIncomplete, DispatchRefused, StaleWorkOrder
from onewindow.hotline.models import Closure, Extension, OrderUnit, WorkOrder, WorkOrderEvent
from onewindow.hotline.services import (
    CallbackInput,
    CallerInput,
    ReplyInput,
    SplitPart,
    assist_opinion,
    callback_record,
    extension_decide,
    extension_request,
    order_close_uncallable,
    order_dispatch,
    order_refuse,
    order_remind,
    order_reply,
    order_sign,
    order_split,
    order_submit,
    order_take,
    submitted_take,
    supervision_sweep,
)
from onewindow.hotline.tests.conftest import caller, light_input

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(y, m, d, hour=10, minute=0):
    return dt.datetime(y, m, d, hour, minute, tzinfo=SH)


def end(y, m, d):
    return dt.datetime(y, m, d, 23, 59, 59, tzinfo=SH)


def fresh(order):
    return WorkOrder.objects.get(pk=order.pk)


def dispatched(scene, *, now=None, lead=None, assists=(), **data):
    now = now or at(2026, 11, 2)
    order = order_take(actor=scene.agent, data=light_input(**data), caller=caller(), now=now)
    return order_dispatch(
        actor=scene.agent,
        order=order,
        expected_revision=order.revision,
        lead_id=(lead or scene.cgj).pk,
        assist_ids=[a.pk for a in assists],
        now=now,
    )


REPLY = ReplyInput(truth="true", solved=True, handling="已修复。", public_reply="已修复。")


def test_an_approved_extension_moves_the_deadline_by_its_working_days(scene):
    order = dispatched(scene)
    assert order.due_at == end(2026, 11, 5)
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    extension = extension_request(
        actor=scene.cgj_staff, order=order, working_days=3, reason="需更换电缆，等待材料。"
    )
    with pytest.raises(DispatchRefused):  # one pending at a time
        extension_request(actor=scene.cgj_staff, order=fresh(order), working_days=2, reason="再等")
    extension_decide(actor=scene.agent, extension_id=extension.pk, approve=True)
    order = fresh(order)
    assert (order.due_at, order.extension_count) == (end(2026, 11, 10), 1)
    assert Extension.objects.get(pk=extension.pk).decision == "approved"


def test_a_rejected_extension_needs_a_reason_and_changes_no_deadline(scene):
    order = dispatched(scene)
    extension = extension_request(
        actor=scene.cgj_staff, order=order, working_days=3, reason="人手不足。"
    )
    with pytest.raises(ValidationFailed):
        extension_decide(actor=scene.agent, extension_id=extension.pk, approve=False, note="")
    extension_decide(actor=scene.agent, extension_id=extension.pk, approve=False, note="请按期办结")
    assert (fresh(order).due_at, fresh(order).extension_count) == (end(2026, 11, 5), 0)


@pytest.mark.parametrize("days", [0, 11, "x", None, -1])
def test_an_extension_out_of_bounds_is_refused(scene, days):
    order = dispatched(scene)
    with pytest.raises(ValidationFailed):
        extension_request(actor=scene.cgj_staff, order=order, working_days=days, reason="理由")
    assert not Extension.objects.exists()


def test_supervision_the_day_after_the_deadline_and_a_reminder_for_a_late_signature(scene):
    order = dispatched(scene, now=at(2026, 11, 2))
    # Sign-for deadline 3 November: the sweep on the 4th reminds once.
    assert supervision_sweep(now=at(2026, 11, 4, 8)) == 1
    assert fresh(order).reminder_count == 1
    # Due 5 November: no supervision on the 5th itself, one on the 6th, none on a rerun.
    assert supervision_sweep(now=at(2026, 11, 5, 22)) == 0
    assert supervision_sweep(now=at(2026, 11, 6, 8)) == 1
    assert supervision_sweep(now=at(2026, 11, 6, 9)) == 0
    actions = list(fresh(order).events.values_list("action", flat=True))
    assert actions == ["take", "dispatch", "remind", "supervise"]


def test_an_agent_reminds_a_unit(scene):
    order = dispatched(scene)
    order_remind(actor=scene.agent, order=order, note="请尽快签收")
    assert fresh(order).reminder_count == 1
    with pytest.raises(NotFoundOrForbidden):
        order_remind(actor=scene.cgj_staff, order=order)


def test_split_into_two_units_and_the_parent_closes_with_the_last_child(scene):
    order = order_take(
        actor=scene.agent,
        data=light_input(content="路灯不亮，而且门口有人摆摊占道。"),
        caller=caller(),
    )
    children = order_split(
        actor=scene.agent,
        order=order,
        expected_revision=order.revision,
        parts=[
            SplitPart("路灯不亮", "路灯不亮。", "0101", scene.cgj.pk),
            SplitPart("门口摆摊", "有人摆摊占道。", "0201", scene.street_office.pk),
        ],
    )
    assert fresh(order).state == "split"
    assert [(c.state, c.lead_unit, c.parent_id) for c in children] == [
        ("dispatched", scene.cgj, order.pk),
        ("dispatched", scene.street_office, order.pk),
    ]
    assert [c.callers.get().phone_masked for c in children] == ["138****8000", "138****8000"]
    for child, staff in zip(children, (scene.cgj_staff, scene.street_staff), strict=True):
        child = order_sign(actor=staff, order=child, expected_revision=child.revision)
        child = order_reply(actor=staff, order=child, expected_revision=child.revision, reply=REPLY)
        callback_record(
            actor=scene.agent,
            order=child,
            expected_revision=child.revision,
            data=CallbackInput(
                caller_id=child.callers.get().pk, reached=True, solved=True, level=5
            ),
        )
        assert fresh(order).state == ("closed" if staff is scene.street_staff else "split")
    assert fresh(order).closure == Closure.CHILDREN


def test_an_assisting_unit_gives_its_opinion_and_cannot_reply(scene):
    order = dispatched(scene, assists=[scene.zjj])
    assist_opinion(actor=scene.zjj_staff, order=order, opinion="该路段道路属我局管养，可配合。")
    unit = OrderUnit.objects.get(order=order, department=scene.zjj)
    assert (unit.role, unit.opinion, unit.signed_by) == (
        "assist",
        "该路段道路属我局管养，可配合。",
        scene.zjj_staff,
    )
    with pytest.raises(NotFoundOrForbidden):
        order_sign(
            actor=scene.zjj_staff, order=fresh(order), expected_revision=fresh(order).revision
        )


def test_an_anonymous_caller_is_not_called_back_and_the_order_closes_as_such(scene):
    order = order_take(actor=scene.agent, data=light_input(), caller=CallerInput(anonymous=True))
    order = order_dispatch(
        actor=scene.agent, order=order, expected_revision=order.revision, lead_id=scene.cgj.pk
    )
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    order = order_reply(
        actor=scene.cgj_staff, order=order, expected_revision=order.revision, reply=REPLY
    )
    with pytest.raises(NotFoundOrForbidden):
        callback_record(
            actor=scene.agent,
            order=order,
            expected_revision=order.revision,
            data=CallbackInput(caller_id=order.callers.get().pk, reached=False),
        )
    order = order_close_uncallable(actor=scene.agent, order=order, expected_revision=order.revision)
    assert (order.state, order.closure) == ("closed", Closure.NO_CALLBACK)


def test_a_caller_not_reached_three_times_closes_the_order_as_not_reached(scene):
    order = dispatched(scene)
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    order = order_reply(
        actor=scene.cgj_staff, order=order, expected_revision=order.revision, reply=REPLY
    )
    with pytest.raises(CallbackIncomplete):
        order_close_uncallable(actor=scene.agent, order=order, expected_revision=order.revision)
    person = order.callers.get()
    outcomes = []
    for _attempt in range(3):
        result = callback_record(
            actor=scene.agent,
            order=fresh(order),
            expected_revision=fresh(order).revision,
            data=CallbackInput(caller_id=person.pk, reached=False, note="无人接听"),
        )
        outcomes.append(result.outcome)
    assert outcomes == ["", "", "closed"]
    assert (fresh(order).closure, fresh(order).satisfaction) == (Closure.NOT_REACHED, None)


def test_unhappy_without_the_units_fault_closes_with_the_level_recorded(scene):
    order = dispatched(scene)
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    order = order_reply(
        actor=scene.cgj_staff, order=order, expected_revision=order.revision, reply=REPLY
    )
    data = CallbackInput(caller_id=order.callers.get().pk, reached=True, solved=False, level=1)
    with pytest.raises(ValidationFailed) as refused:  # the unit's fault must be said
        callback_record(actor=scene.agent, order=order, expected_revision=order.revision, data=data)
    assert [(e.field, e.code) for e in refused.value.errors] == [("unit_fault", "required")]
    result = callback_record(
        actor=scene.agent,
        order=order,
        expected_revision=order.revision,
        data=CallbackInput(
            caller_id=data.caller_id, reached=True, solved=False, level=1, unit_fault=False
        ),
    )
    assert (result.outcome, fresh(order).satisfaction, fresh(order).redo_count) == ("closed", 1, 0)


def test_an_emergency_is_referred_and_recorded_as_not_accepted(scene):
    order = order_refuse(
        actor=scene.agent,
        data=light_input(title="有人落水", content="江边有人落水。", category_code=""),
        caller=caller(),
        reason=NotAccepted.EMERGENCY_110,
        note="已转110。",
    )
    assert (order.state, order.not_accepted) == ("not_accepted", "110")


def test_a_web_submission_waits_for_an_agent_and_a_repeat_makes_no_second_order(scene):
    first, created = order_submit(
        data=light_input(), caller=caller(), channel=Channel.WEB, source_key="web:abc"
    )
    again, created_again = order_submit(
        data=light_input(), caller=caller(), channel=Channel.WEB, source_key="web:abc"
    )
    assert (created, created_again, again.pk, first.state) == (True, False, first.pk, "submitted")
    order = submitted_take(
        actor=scene.agent,
        order=first,
        expected_revision=first.revision,
        order_type=OrderType.COMPLAINT,
    )
    assert (order.state, order.order_type, order.taken_by) == (
        "to_dispatch",
        "complaint",
        scene.agent,
    )


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "", "required"),
        ("title", "路灯\x00不亮", "control_characters"),
        ("content", "x" * 4001, "too_long"),
        ("order_type", "gossip", "invalid_choice"),
        ("category_code", "9999", "unknown"),
        ("region_code", "440103999999", "unknown"),
        ("latitude", "91", "out_of_range"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_is_written(
    scene, field, value, code
):
    with pytest.raises(ValidationFailed) as refused:
        order_take(actor=scene.agent, data=light_input(**{field: value}), caller=caller())
    assert code in [e.code for e in refused.value.errors]
    assert not WorkOrder.objects.exists()


def test_a_bad_phone_and_an_anonymous_caller_with_details_are_refused(scene):
    with pytest.raises(ValidationFailed) as refused:
        order_take(actor=scene.agent, data=light_input(), caller=caller(phone="12345"))
    assert [e.code for e in refused.value.errors] == ["invalid_phone"]
    with pytest.raises(ValidationFailed) as refused:
        order_take(
            actor=scene.agent, data=light_input(), caller=CallerInput(anonymous=True, name="张三")
        )
    assert [e.code for e in refused.value.errors] == ["anonymous_with_details"]
    assert not WorkOrder.objects.exists()


def test_a_stale_page_is_refused(scene):
    order = order_take(actor=scene.agent, data=light_input(), caller=caller())
    with pytest.raises(StaleWorkOrder):
        order_dispatch(
            actor=scene.agent,
            order=order,
            expected_revision=order.revision - 1,
            lead_id=scene.cgj.pk,
        )
    with pytest.raises(StaleWorkOrder):
        order_dispatch(actor=scene.agent, order=order, expected_revision=None, lead_id=scene.cgj.pk)
    assert fresh(order).state == "to_dispatch"


def test_who_may_do_what_and_each_refusal_is_audited_and_writes_nothing(scene):
    order = order_take(actor=scene.agent, data=light_input(), caller=caller())
    denied = AuditLog.objects.filter(allowed=False).count()
    with pytest.raises(PermissionDenied):  # units do not take calls
        order_take(actor=scene.cgj_staff, data=light_input(), caller=caller())
    with pytest.raises(NotFoundOrForbidden):  # nor dispatch
        order_dispatch(
            actor=scene.cgj_staff,
            order=order,
            expected_revision=order.revision,
            lead_id=scene.cgj.pk,
        )
    with pytest.raises(NotFoundOrForbidden):  # the auditor reads, never moves
        order_dispatch(
            actor=scene.auditor, order=order, expected_revision=order.revision, lead_id=scene.cgj.pk
        )
    order = order_dispatch(
        actor=scene.agent, order=order, expected_revision=order.revision, lead_id=scene.cgj.pk
    )
    with pytest.raises(NotFoundOrForbidden):  # another unit: the same answer as a missing order
        order_sign(actor=scene.zjj_staff, order=order, expected_revision=order.revision)
    with pytest.raises(NotFoundOrForbidden):  # the agent does not sign for the unit
        order_sign(actor=scene.agent, order=order, expected_revision=order.revision)
    assert AuditLog.objects.filter(allowed=False).count() == denied + 5
    assert WorkOrder.objects.count() == 1
    assert fresh(order).state == "dispatched"
    assert WorkOrderEvent.objects.filter(order=order).count() == 2


def test_a_caller_reached_on_this_round_is_not_called_back_twice(scene):
    from onewindow.hotline.errors import CallerCalledBack
    from onewindow.hotline.services import order_merge

    order = dispatched(scene)
    other = order_take(actor=scene.agent, data=light_input(), caller=caller(phone="13900139000"))
    order_merge(actor=scene.agent, duplicate=other, into=order, expected_revision=other.revision)
    order = fresh(order)
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    order = order_reply(
        actor=scene.cgj_staff, order=order, expected_revision=order.revision, reply=REPLY
    )
    first = order.callers.order_by("id").first()
    data = CallbackInput(caller_id=first.pk, reached=True, solved=True, level=5)
    callback_record(actor=scene.agent, order=order, expected_revision=order.revision, data=data)
    with pytest.raises(CallerCalledBack):
        callback_record(
            actor=scene.agent,
            order=fresh(order),
            expected_revision=fresh(order).revision,
            data=data,
        )
    assert (fresh(order).state, order.callbacks.count()) == ("replied", 1)
