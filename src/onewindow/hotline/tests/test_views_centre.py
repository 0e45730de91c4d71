"""The hotline centre's pages: the call screen, the queues, one order with its moves and the
wallboard — each for an agent, refused to a unit and to the anonymous, with bad input and a
stale revision answered on the page and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.core.audit import AuditLog
from onewindow.hotline.codes import Channel, OrderType, Truth
from onewindow.hotline.models import Callback, Extension, OrderCaller, WorkOrder
from onewindow.hotline.services import (
    ReplyInput,
    extension_request,
    order_dispatch,
    order_reply,
    order_sign,
    order_submit,
    order_take,
)
from onewindow.hotline.tests.conftest import caller, light_input

BASE = "/staff/hotline/"
CALL = {
    "phone": "13800138000",
    "name": "陈先生",
    "order_type": OrderType.HELP,
    "urgency": "normal",
    "category_code": "0101",
    "title": "沙面大街路灯不亮",
    "content": "沙面大街52号门口的路灯一连三晚不亮。",
    "place": "沙面大街52号",
    "region_code": "440103001001",
    "wants_reply": "1",
}


def text(response) -> str:
    return response.content.decode()


def taken(scene, **overrides):
    return order_take(actor=scene.agent, data=light_input(**overrides), caller=caller())


def dispatched(scene, **overrides):
    order = taken(scene, **overrides)
    return order_dispatch(
        actor=scene.agent, order=order, expected_revision=order.revision, lead_id=scene.cgj.pk
    )


def replied(scene):
    order = dispatched(scene)
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    return order_reply(
        actor=scene.cgj_staff,
        order=order,
        expected_revision=order.revision,
        reply=ReplyInput(
            truth=Truth.TRUE, solved=True, handling="已修复。", public_reply="路灯已修复。"
        ),
    )


@pytest.fixture
def agent(client, scene):
    client.force_login(scene.agent)
    return client


# --- who may open the pages ------------------------------------------------------------------

PAGES = [
    "call/",
    "submitted/",
    "dispatch/",
    "callbacks/",
    "extensions/",
    "supervision/",
    "wallboard/",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_centre_page_opens_for_an_agent(agent, page):
    response = agent.get(BASE + page)
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in text(response)


@pytest.mark.parametrize("page", PAGES)
def test_a_unit_gets_the_404_and_the_anonymous_the_sign_in(client, scene, page):
    assert client.get(BASE + page).status_code == 302
    client.force_login(scene.cgj_staff)
    assert client.get(BASE + page).status_code == 404


def test_a_unit_cannot_open_or_move_an_order_of_the_centre(client, scene):
    order = taken(scene)
    client.force_login(scene.cgj_staff)
    assert client.get(f"{BASE}orders/{order.number}/").status_code == 404
    response = client.post(
        f"{BASE}orders/{order.number}/dispatch/",
        {"revision": order.revision, "lead": scene.cgj.pk},
    )
    assert response.status_code == 404
    assert WorkOrder.objects.get(pk=order.pk).state == "to_dispatch"
    assert client.post(f"{BASE}call/", {**CALL, "action": "take"}).status_code == 404
    assert WorkOrder.objects.count() == 1


def test_a_missing_order_is_the_404(agent):
    assert agent.get(f"{BASE}orders/GD20990101000001/").status_code == 404


# --- the call screen -------------------------------------------------------------------------


def test_the_call_screen_has_its_three_actions_labels_and_placeholders(agent, scene):
    page = text(agent.get(BASE + "call/"))
    for value, key in (("take", "1"), ("answer", "2"), ("refuse", "3")):
        assert f'name="action" value="{value}" class="button' in page
        assert f'accesskey="{key}"' in page
    assert '<div id="kb-suggest"' in page
    assert 'name="article_code"' in page and 'name="article_version"' in page
    assert '<optgroup label="市政设施"><option value="0101">路灯</option></optgroup>' in page
    assert "沙面社区" in page
    assert 'data-answer-template="call-answer"' in page
    assert "hotline/centre-call.js" in page
    # Every input has its label.
    for name in ("call-phone", "call-name", "call-title", "call-content", "call-answer"):
        assert f'<label for="{name}">' in page


def test_accept_and_dispatch_goes_to_the_order_page(agent, scene):
    response = agent.post(BASE + "call/", {**CALL, "action": "take"})
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}orders/{order.number}/"
    assert (order.state, order.taken_by, order.channel) == ("to_dispatch", scene.agent, "phone")
    assert order.callers.get().phone_masked == "138****8000"
    page = text(agent.get(response["Location"]))
    assert "工单已受理。" in page
    assert 'data-state="to_dispatch"' in page
    assert 'data-source="catalogue"' in page
    assert f'<option value="{scene.cgj.pk}" selected>' in page


def test_answer_directly_closes_the_order(agent, scene):
    response = agent.post(
        BASE + "call/",
        {**CALL, "order_type": OrderType.CONSULT, "action": "answer", "answer": "工作日9点开门。"},
    )
    assert response.status_code == 302 and response["Location"] == BASE + "call/"
    order = WorkOrder.objects.get()
    assert (order.state, order.closure, order.answer) == (
        "closed",
        "direct_answer",
        "工作日9点开门。",
    )


def test_not_accepted_with_its_reason(agent):
    agent.post(BASE + "call/", {**CALL, "action": "refuse", "reason": "110", "note": "已转110"})
    order = WorkOrder.objects.get()
    assert (order.state, order.not_accepted) == ("not_accepted", "110")


def test_bad_input_is_shown_and_nothing_written(agent):
    response = agent.post(
        BASE + "call/", {**CALL, "title": "", "order_type": "nonsense", "action": "take"}
    )
    assert response.status_code == 422
    page = text(response)
    assert 'role="alert"' in page
    assert 'data-field="title"' in page and 'data-field="order_type"' in page
    assert 'value="13800138000"' in page  # what was typed is kept
    assert WorkOrder.objects.count() == 0
    response = agent.post(BASE + "call/", {**CALL, "action": "answer", "answer": ""})
    assert response.status_code == 422 and 'data-field="answer"' in text(response)
    response = agent.post(BASE + "call/", {**CALL, "action": "refuse", "reason": "x"})
    assert response.status_code == 422 and 'data-field="not_accepted"' in text(response)
    assert WorkOrder.objects.count() == 0
    assert agent.post(BASE + "call/", {**CALL, "action": "nonsense"}).status_code == 404


def test_the_caller_history_by_phone_is_masked_and_audited(agent, scene):
    order = taken(scene)
    response = agent.get(BASE + "call/history/", {"phone": "13800138000"})
    page = text(response)
    assert f'data-order="{order.number}"' in page
    assert "13800138000" not in page
    assert AuditLog.objects.filter(action="hotline.caller_history_read").count() == 1
    empty = text(agent.get(BASE + "call/history/", {"phone": "13900000000"}))
    assert "data-order" not in empty
    assert text(agent.get(BASE + "call/history/", {"phone": "139"})).strip() == ""


# --- queues ----------------------------------------------------------------------------------


def test_the_submitted_queue_accepts_from_the_list(agent, scene):
    order, _ = order_submit(data=light_input(), caller=caller(), channel=Channel.WEB)
    page = text(agent.get(BASE + "submitted/"))
    assert f'data-number="{order.number}"' in page
    response = agent.post(f"{BASE}orders/{order.number}/take/", {"revision": order.revision})
    assert response.status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).state == "to_dispatch"


def test_a_submitted_order_answered_and_refused_from_its_page(agent, scene):
    one, _ = order_submit(data=light_input(), caller=caller(), channel=Channel.WEB)
    two, _ = order_submit(data=light_input(title="另一件"), caller=caller(), channel=Channel.WEB)
    page = text(agent.get(f"{BASE}orders/{one.number}/"))
    assert 'id="answer"' in page and 'id="refuse"' in page
    agent.post(
        f"{BASE}orders/{one.number}/answer/", {"revision": one.revision, "answer": "已答复。"}
    )
    agent.post(
        f"{BASE}orders/{two.number}/refuse/", {"revision": two.revision, "reason": "litigation"}
    )
    assert WorkOrder.objects.get(pk=one.pk).state == "closed"
    assert WorkOrder.objects.get(pk=two.pk).state == "not_accepted"


def test_the_dispatch_queue_shows_the_returns_and_the_last_reason(agent, scene):
    from onewindow.hotline.services import order_return

    order = dispatched(scene)
    order_return(
        actor=scene.cgj_staff,
        order=order,
        expected_revision=order.revision,
        reason="不属本单位职责。",
    )
    page = text(agent.get(BASE + "dispatch/"))
    assert 'data-returns="1">退单 ×1</span>' in page
    assert "不属本单位职责。" in page


def test_the_callbacks_queue_with_its_light(agent, scene):
    order = replied(scene)
    page = text(agent.get(BASE + "callbacks/"))
    assert f'data-number="{order.number}"' in page
    assert 'data-light="green"' in page or 'data-light="yellow"' in page


def test_extensions_approved_and_a_rejection_needs_a_note(agent, scene):
    order = dispatched(scene)
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    extension_request(
        actor=scene.cgj_staff,
        order=order,
        working_days=3,
        reason="需协调供电部门。",
    )
    ext = Extension.objects.get()
    assert f'data-extension="{ext.pk}"' in text(agent.get(BASE + "extensions/"))
    response = agent.post(f"{BASE}extensions/{ext.pk}/decide/", {"decision": "reject", "note": ""})
    assert response.status_code == 422 and 'data-field="decision_note"' in text(response)
    assert Extension.objects.get().decision == "pending"
    response = agent.post(f"{BASE}extensions/{ext.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    assert Extension.objects.get().decision == "approved"
    assert (
        agent.post(f"{BASE}extensions/{ext.pk}/decide/", {"decision": "approve"}).status_code == 404
    )


def test_supervision_reminds_the_unit(agent, scene):
    order = dispatched(scene)
    page = text(agent.get(BASE + "supervision/"))
    assert f'data-number="{order.number}"' in page
    response = agent.post(f"{BASE}orders/{order.number}/remind/", {"revision": order.revision})
    assert response.status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).reminder_count == 1
    stale = agent.post(f"{BASE}orders/{order.number}/remind/", {"revision": order.revision})
    assert stale.status_code == 409
    assert "This work order was changed meanwhile by someone else." in text(stale)
    assert WorkOrder.objects.get(pk=order.pk).reminder_count == 1
    red = text(agent.get(BASE + "supervision/?light=red"))
    assert f'data-number="{order.number}"' not in red


# --- the order page --------------------------------------------------------------------------


def test_dispatch_from_the_order_page_and_a_stale_revision_is_a_message(agent, scene):
    order = taken(scene)
    response = agent.post(
        f"{BASE}orders/{order.number}/dispatch/",
        {"revision": order.revision, "lead": scene.cgj.pk, "category_code": "0101"},
    )
    assert response.status_code == 302
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert (fresh.state, fresh.lead_unit) == ("dispatched", scene.cgj)
    response = agent.post(
        f"{BASE}orders/{order.number}/dispatch/", {"revision": order.revision, "lead": scene.cgj.pk}
    )
    assert response.status_code == 409
    assert 'role="alert"' in text(response)
    assert fresh.units.count() == 1


def test_a_missing_revision_is_stale_and_nothing_changes(agent, scene):
    order = taken(scene)
    response = agent.post(f"{BASE}orders/{order.number}/dispatch/", {"lead": scene.cgj.pk})
    assert response.status_code == 409
    assert WorkOrder.objects.get(pk=order.pk).state == "to_dispatch"


def test_the_push_down_is_refused_on_the_page(agent, scene):
    order = taken(scene)
    response = agent.post(
        f"{BASE}orders/{order.number}/dispatch/",
        {"revision": order.revision, "lead": scene.street_office.pk},
    )
    assert response.status_code == 422
    assert 'data-field="lead"' in text(response)
    assert WorkOrder.objects.get(pk=order.pk).state == "to_dispatch"


def test_merge_with_a_confirm_step(agent, scene):
    first = taken(scene)
    second = taken(scene)
    page = text(agent.get(f"{BASE}orders/{second.number}/"))
    assert f'data-candidate="{first.number}"' in page
    confirm = agent.get(f"{BASE}orders/{second.number}/merge-confirm/?into={first.number}")
    assert confirm.status_code == 200 and WorkOrder.objects.get(pk=second.pk).state == "to_dispatch"
    response = agent.post(
        f"{BASE}orders/{second.number}/merge/", {"revision": second.revision, "into": first.number}
    )
    assert response["Location"] == f"{BASE}orders/{first.number}/"
    assert WorkOrder.objects.get(pk=second.pk).state == "merged"
    assert OrderCaller.objects.filter(order=first).count() == 2


def test_split_into_two_parts_and_a_bad_part_writes_nothing(agent, scene):
    order = taken(scene)
    bad = {
        "revision": order.revision,
        "parts-0-title": "路灯",
        "parts-0-content": "路灯不亮",
        "parts-0-category_code": "0101",
        "parts-0-lead": scene.cgj.pk,
    }
    response = agent.post(f"{BASE}orders/{order.number}/split/", bad)
    assert response.status_code == 422 and 'data-field="parts"' in text(response)
    assert WorkOrder.objects.count() == 1
    good = {
        **bad,
        "parts-1-title": "占道",
        "parts-1-content": "门口有人摆摊",
        "parts-1-category_code": "0201",
        "parts-1-lead": scene.street_office.pk,
    }
    assert agent.post(f"{BASE}orders/{order.number}/split/", good).status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).state == "split"
    assert WorkOrder.objects.filter(parent=order, state="dispatched").count() == 2


def test_call_back_reveal_the_phone_and_close(agent, scene):
    order = replied(scene)
    person = order.callers.get()
    page = text(agent.get(f"{BASE}orders/{order.number}/"))
    assert f'data-caller="{person.pk}"' in page and "13800138000" not in page
    shown = agent.post(
        f"{BASE}orders/{order.number}/callers/{person.pk}/reveal/", HTTP_HX_REQUEST="true"
    )
    assert text(shown).strip().endswith("13800138000</span>")
    assert AuditLog.objects.filter(action="hotline.caller_phone_read").count() == 1
    order = WorkOrder.objects.get(pk=order.pk)
    bad = agent.post(
        f"{BASE}orders/{order.number}/callback/",
        {"revision": order.revision, "caller": person.pk, "reached": "yes"},
    )
    assert bad.status_code == 422 and 'data-field="level"' in text(bad)
    assert Callback.objects.count() == 0
    response = agent.post(
        f"{BASE}orders/{order.number}/callback/",
        {
            "revision": order.revision,
            "caller": person.pk,
            "reached": "yes",
            "solved": "yes",
            "level": "5",
        },
    )
    assert response.status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).state == "closed"


def test_close_uncallable(agent, scene):
    order = taken(scene, wants_reply=False)
    order = order_dispatch(
        actor=scene.agent, order=order, expected_revision=order.revision, lead_id=scene.cgj.pk
    )
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    order = order_reply(
        actor=scene.cgj_staff,
        order=order,
        expected_revision=order.revision,
        reply=ReplyInput(
            truth=Truth.TRUE, solved=True, handling="已修复。", public_reply="已修复。"
        ),
    )
    assert "close_uncallable" in text(agent.get(f"{BASE}orders/{order.number}/"))
    agent.post(f"{BASE}orders/{order.number}/close_uncallable/", {"revision": order.revision})
    assert WorkOrder.objects.get(pk=order.pk).closure == "no_callback"


def test_a_move_the_state_does_not_allow_is_a_message(agent, scene):
    order = dispatched(scene)
    response = agent.post(
        f"{BASE}orders/{order.number}/answer/", {"revision": order.revision, "answer": "x"}
    )
    assert response.status_code == 409
    assert 'role="alert"' in text(response)
    assert agent.post(f"{BASE}orders/{order.number}/bogus/", {}).status_code == 404


# --- constant queries ------------------------------------------------------------------------


def _many(scene, n):
    for i in range(n):
        order = order_take(actor=scene.agent, data=light_input(title=f"路灯{i}"), caller=caller())
        if i % 2:
            order_dispatch(
                actor=scene.agent,
                order=order,
                expected_revision=order.revision,
                lead_id=scene.cgj.pk,
            )
        order_submit(data=light_input(title=f"网上{i}"), caller=caller(), channel=Channel.WEB)


@pytest.mark.parametrize(
    "page", ["submitted/", "dispatch/", "callbacks/", "extensions/", "supervision/", "wallboard/"]
)
def test_the_lists_take_a_constant_number_of_queries(
    agent, scene, page, django_assert_max_num_queries
):
    _many(scene, 1)
    with django_assert_max_num_queries(14) as few:
        agent.get(BASE + page)
    _many(scene, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert agent.get(BASE + page).status_code == 200


def test_the_wallboard_figures(agent, scene):
    order = dispatched(scene)
    WorkOrder.objects.filter(pk=order.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    taken(scene)
    order_submit(data=light_input(), caller=caller(), channel=Channel.WEB)
    page = text(agent.get(BASE + "wallboard/"))
    assert 'hx-trigger="every 30s"' in page
    for key, value in (
        ("today", 3),
        ("submitted", 1),
        ("to_dispatch", 1),
        ("red", 1),
        ("on_time", 0),
    ):
        assert f'data-figure="{key}">{value}</dd>' in page
    assert f'data-unit="{scene.cgj.name}"' in page
    fragment = text(agent.get(BASE + "wallboard/", HTTP_HX_REQUEST="true"))
    assert "<html" not in fragment and 'data-figure="red">1</dd>' in fragment


def test_the_order_page_takes_a_constant_number_of_queries(
    agent, scene, django_assert_max_num_queries
):
    from onewindow.hotline.services import order_return

    def bounced(order, times):
        for _ in range(times):
            order = order_dispatch(
                actor=scene.agent,
                order=order,
                expected_revision=order.revision,
                lead_id=scene.zjj.pk,
            )
            order = order_return(
                actor=scene.zjj_staff,
                order=order,
                expected_revision=order.revision,
                reason="不属本单位。",
            )
        return order

    taken(scene)  # a duplicate for both pages to propose
    few = bounced(taken(scene), 1)
    with django_assert_max_num_queries(40) as counted:
        assert agent.get(f"{BASE}orders/{few.number}/").status_code == 200
    many = bounced(taken(scene), 4)
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert agent.get(f"{BASE}orders/{many.number}/").status_code == 200
