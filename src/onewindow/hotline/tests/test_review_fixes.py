"""What the review found, kept fixed: a merged-in confidential caller stays hidden from the unit,
the unit never reads the agents' notes, an extension dies with the unit's hold, a split parent
closes when its children are closed or merged away, a merge is no 退单, the public XML survives
any stored character, a confidential request publishes no place, only published articles are
cited, the return deadline's day is the local one."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client

from onewindow.core.errors import NotFoundOrForbidden, ValidationFailed
from onewindow.hotline.errors import DispatchRefused
from onewindow.hotline.indicators import returned
from onewindow.hotline.models import Extension, OrderUnit, WorkOrder
from onewindow.hotline.open311.render import xml_document
from onewindow.hotline.selectors import callers_shown
from onewindow.hotline.services import (
    CallbackInput,
    ReplyInput,
    SplitPart,
    callback_record,
    extension_decide,
    extension_request,
    order_answer,
    order_dispatch,
    order_merge,
    order_reply,
    order_return,
    order_sign,
    order_split,
    order_take,
)
from onewindow.hotline.tests.conftest import caller, light_input
from onewindow.knowledge.codes import ArticleKind
from onewindow.knowledge.services import article_create

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
REPLY = ReplyInput(truth="true", solved=True, handling="已修复。", public_reply="已修复。")


def fresh(order):
    return WorkOrder.objects.get(pk=order.pk)


def dispatched(scene, lead=None, **data):
    order = order_take(actor=scene.agent, data=light_input(**data), caller=caller())
    return order_dispatch(
        actor=scene.agent,
        order=order,
        expected_revision=order.revision,
        lead_id=(lead or scene.cgj).pk,
    )


def test_a_confidential_duplicate_makes_the_order_it_joins_confidential(scene):
    order = dispatched(scene)
    secret = order_take(
        actor=scene.agent, data=light_input(confidential=True), caller=caller(phone="13700137000")
    )
    order_merge(actor=scene.agent, duplicate=secret, into=order, expected_revision=secret.revision)
    order = fresh(order)
    assert order.confidential
    assert callers_shown(scene.cgj_staff, order) == []


def test_the_unit_never_reads_the_agents_call_back_note(scene):
    order = dispatched(scene)
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    order = order_reply(
        actor=scene.cgj_staff, order=order, expected_revision=order.revision, reply=REPLY
    )
    callback_record(
        actor=scene.agent,
        order=order,
        expected_revision=order.revision,
        data=CallbackInput(
            caller_id=order.callers.get().pk,
            reached=True,
            solved=False,
            level=1,
            unit_fault=True,
            note="陈先生住沙面大街52号302，说灯还是不亮。",
        ),
    )
    client = Client()
    client.force_login(scene.cgj_staff)
    page = client.get(f"/staff/hotline/unit/orders/{order.number}/").content.decode()
    # Neither part of the note (a bare "302" could be a timestamp's microseconds).
    assert "52号302" not in page and "说灯还是不亮" not in page
    assert "已修复。" in page  # its own reply it reads


def test_an_extension_dies_with_the_units_hold(scene):
    order = dispatched(scene, lead=scene.zjj)
    asked = extension_request(actor=scene.zjj_staff, order=order, working_days=5, reason="需协调。")
    order = order_return(
        actor=scene.zjj_staff,
        order=fresh(order),
        expected_revision=fresh(order).revision,
        reason="不属本局。",
    )
    assert Extension.objects.get(pk=asked.pk).decision == "rejected"
    order = order_dispatch(
        actor=scene.agent, order=order, expected_revision=order.revision, lead_id=scene.cgj.pk
    )
    with pytest.raises(NotFoundOrForbidden):
        extension_decide(actor=scene.agent, extension_id=asked.pk, approve=True)
    due = fresh(order).due_at
    own = extension_request(actor=scene.cgj_staff, order=order, working_days=2, reason="等材料。")
    extension_decide(actor=scene.agent, extension_id=own.pk, approve=True)
    assert fresh(order).due_at > due


def test_a_split_parent_closes_when_a_child_is_merged_away_and_the_other_closed(scene):
    order = order_take(actor=scene.agent, data=light_input(), caller=caller())
    lights, vending = order_split(
        actor=scene.agent,
        order=order,
        expected_revision=order.revision,
        parts=[
            SplitPart("路灯不亮", "路灯不亮。", "0101", scene.cgj.pk),
            SplitPart("门口摆摊", "有人摆摊。", "0201", scene.street_office.pk),
        ],
    )
    other = dispatched(scene, lead=scene.street_office, category_code="0201")
    order_merge(
        actor=scene.agent, duplicate=vending, into=other, expected_revision=vending.revision
    )
    lights = order_sign(actor=scene.cgj_staff, order=lights, expected_revision=lights.revision)
    lights = order_reply(
        actor=scene.cgj_staff, order=lights, expected_revision=lights.revision, reply=REPLY
    )
    callback_record(
        actor=scene.agent,
        order=lights,
        expected_revision=lights.revision,
        data=CallbackInput(caller_id=lights.callers.get().pk, reached=True, solved=True, level=5),
    )
    assert fresh(order).state == "closed"


def test_a_merge_is_not_a_return(scene):
    order = dispatched(scene)
    duplicate = dispatched(scene)
    order_merge(
        actor=scene.agent, duplicate=duplicate, into=order, expected_revision=duplicate.revision
    )
    rows = OrderUnit.objects.filter(order=duplicate)
    assert rows.count() == 1 and rows.filter(returned()).count() == 0


def test_the_public_xml_drops_characters_xml_cannot_carry():
    document = xml_document(
        "service_requests", [{"address": "沙面大街\ufffe52号\x01"}], {"service_requests": "request"}
    )
    assert "<address>沙面大街52号</address>" in document


def test_a_confidential_request_publishes_no_place(scene):
    from onewindow.hotline.open311.orders import request_public

    order = dispatched(scene, confidential=True)
    public = request_public(order)
    assert (public["address"], public["lat"], public["long"]) == ("", None, None)


def test_a_draft_article_cannot_be_cited(scene):
    from onewindow.org.codes import Role
    from onewindow.testing.factories import staff_with_role

    draft = article_create(
        actor=staff_with_role(Role.ADMIN), kind=ArticleKind.ANSWER, title="草稿", body="未发布。"
    )
    with pytest.raises(ValidationFailed):
        order_answer(
            actor=scene.agent,
            data=light_input(order_type="consult", category_code=""),
            caller=caller(),
            answer="答复。",
            article_code=draft.code,
            article_version=1,
        )


def test_the_late_return_names_the_local_day_of_the_dispatch(scene):
    order = order_take(actor=scene.agent, data=light_input(), caller=caller())
    order = order_dispatch(
        actor=scene.agent,
        order=order,
        expected_revision=order.revision,
        lead_id=scene.zjj.pk,
        now=dt.datetime(2026, 11, 3, 7, 0, tzinfo=SH),
    )
    with pytest.raises(DispatchRefused) as refused:
        order_return(
            actor=scene.zjj_staff,
            order=order,
            expected_revision=order.revision,
            reason="不属本局。",
            now=dt.datetime(2026, 11, 9, 9, 0, tzinfo=SH),
        )
    assert refused.value.params["date"] == "2026-11-03"


def test_no_merge_into_an_order_already_replied(scene):
    order = dispatched(scene)
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    order = order_reply(
        actor=scene.cgj_staff, order=order, expected_revision=order.revision, reply=REPLY
    )
    late = order_take(actor=scene.agent, data=light_input(), caller=caller(phone="13700137000"))
    with pytest.raises(DispatchRefused):
        order_merge(actor=scene.agent, duplicate=late, into=order, expected_revision=late.revision)
    assert (fresh(late).state, fresh(order).callers.count()) == ("to_dispatch", 1)


def test_the_admin_shows_and_edits_a_categorys_units(scene):
    from onewindow.org.codes import Role
    from onewindow.testing.factories import staff_with_role

    client = Client()
    client.force_login(staff_with_role(Role.ADMIN))
    page = client.get(f"/admin/hotline/dispatchcategory/{scene.lights.pk}/change/")
    assert page.status_code == 200
    assert 'name="rules-0-lead"' in page.content.decode()
