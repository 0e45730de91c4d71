"""The dispatch catalogue written from data (refused whole with located problems), and the
callers' messages (each caller told once, a merged duplicate's caller too; a confidential
order's caller never named to a unit)."""

from __future__ import annotations

import pytest

from onewindow.core.errors import ValidationFailed
from onewindow.hotline.models import DispatchCategory, DispatchRule
from onewindow.hotline.notifications import work_order_event_notify
from onewindow.hotline.selectors import callers_shown, history_for_phone
from onewindow.hotline.services import (
    ReplyInput,
    dispatch_catalogue_write,
    order_dispatch,
    order_merge,
    order_reply,
    order_sign,
    order_take,
)
from onewindow.hotline.tests.conftest import caller, light_input
from onewindow.notify.models import Notification

GROUPS = [
    {
        "code": "09",
        "name": "公共安全",
        "category": [
            {
                "code": "0901",
                "name": "消防通道",
                "keywords": "消防 通道 堵塞",
                "functional": True,
                "lead": "fire",
            },
            {"code": "0902", "name": "楼道杂物", "lead": "street", "assists": ["fire"]},
        ],
    }
]


def test_the_catalogue_makes_a_rule_per_street_for_street_matters(scene):
    units = {"fire": scene.cgj}
    offices = {scene.street: scene.street_office}
    assert (
        dispatch_catalogue_write(actor=None, groups=GROUPS, units=units, street_offices=offices)
        == 2
    )
    corridor = DispatchCategory.objects.get(code="0902")
    rule = DispatchRule.objects.get(category=corridor)
    assert (rule.region, rule.lead, list(rule.assists.all())) == (
        scene.street,
        scene.street_office,
        [scene.cgj],
    )
    lane = DispatchRule.objects.get(category__code="0901")
    assert (lane.region, lane.lead, lane.category.functional) == (None, scene.cgj, True)


def test_a_broken_catalogue_is_refused_whole_with_located_problems(scene):
    broken = [
        {
            "code": "09",
            "name": "公共安全",
            "category": [
                {"code": "0901", "name": "消防通道", "functional": True, "lead": "street"},
                {"code": "0902", "name": "楼道杂物", "lead": "nobody"},
                {"code": "0902", "name": "重复", "lead": "fire"},
            ],
        }
    ]
    before = DispatchCategory.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        dispatch_catalogue_write(
            actor=None,
            groups=broken,
            units={"fire": scene.cgj},
            street_offices={scene.street: scene.street_office},
        )
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("group 1, category 0901.lead", "unknown_unit"),
        ("group 1, category 0901", "street_for_functional"),
        ("group 1, category 0902.lead", "unknown_unit"),
        ("group 1, category 0902", "duplicate"),
    ]
    assert DispatchCategory.objects.count() == before


def test_every_caller_is_told_of_the_reply_once(scene, settings):
    settings.NOTIFY_LANGUAGE = "zh-hans"
    first = order_take(actor=scene.agent, data=light_input(), caller=caller())
    second = order_take(actor=scene.agent, data=light_input(), caller=caller(phone="13900139000"))
    order_merge(actor=scene.agent, duplicate=second, into=first, expected_revision=second.revision)
    first.refresh_from_db()
    first = order_dispatch(
        actor=scene.agent, order=first, expected_revision=first.revision, lead_id=scene.cgj.pk
    )
    first = order_sign(actor=scene.cgj_staff, order=first, expected_revision=first.revision)
    first = order_reply(
        actor=scene.cgj_staff,
        order=first,
        expected_revision=first.revision,
        reply=ReplyInput(truth="true", solved=True, handling="换灯。", public_reply="路灯已修复。"),
    )
    event = first.events.get(action="reply")
    sent = work_order_event_notify(event_id=event.pk)
    again = work_order_event_notify(event_id=event.pk)
    assert [n.pk for n in sent] == [n.pk for n in again]
    assert sorted(n.recipient_masked for n in sent) == ["138****8000", "139****9000"]
    replies = Notification.objects.filter(template_code="hotline.reply")
    assert replies.count() == 2


def test_a_confidential_callers_name_never_reaches_the_unit(scene):
    order = order_take(actor=scene.agent, data=light_input(confidential=True), caller=caller())
    order = order_dispatch(
        actor=scene.agent, order=order, expected_revision=order.revision, lead_id=scene.cgj.pk
    )
    assert callers_shown(scene.cgj_staff, order) == []
    assert [c.phone_masked for c in callers_shown(scene.agent, order)] == ["138****8000"]


def test_the_agent_sees_a_callers_earlier_orders_by_phone(scene):
    earlier = order_take(actor=scene.agent, data=light_input(), caller=caller())
    order_take(actor=scene.agent, data=light_input(), caller=caller(phone="13900139000"))
    found = history_for_phone(scene.agent, "138 0013 8000")
    assert [o.pk for o in found["orders"]] == [earlier.pk]
    assert found["cases"] == []
