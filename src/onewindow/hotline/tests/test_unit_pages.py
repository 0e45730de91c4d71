"""The handling units' pages: the queue (lights, roles, filters, constant queries), one order
as the unit sees it (confidential callers hidden), and the moves from their forms — sign,
return with a reason, the handling form, an extension, an assisting unit's opinion — with
stale, not-allowed and invalid posts shown on the page, and the one 404 for a unit that does
not hold the order."""

from __future__ import annotations

import re

import pytest

from onewindow.hotline.models import Extension, HandlingReply, OrderUnit, WorkOrder
from onewindow.hotline.services import order_dispatch, order_sign, order_take
from onewindow.hotline.tests.conftest import caller, light_input

QUEUE = "/staff/hotline/unit/"


def order_url(order, action=""):
    return f"/staff/hotline/unit/orders/{order.number}/" + (f"{action}/" if action else "")


def dispatched(scene, *, lead=None, assists=(), **overrides):
    order = order_take(actor=scene.agent, data=light_input(**overrides), caller=caller())
    return order_dispatch(
        actor=scene.agent,
        order=order,
        expected_revision=order.revision,
        lead_id=(lead or scene.cgj).pk,
        assist_ids=[a.pk for a in assists],
        note="请尽快修复。",
    )


def fresh(order):
    return WorkOrder.objects.get(pk=order.pk)


def same(text, number):
    """A page without what differs by request: the address and the CSRF token."""
    text = text.replace(number, "X")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def page(response):
    return response.content.decode()


def test_the_queue_lists_the_units_orders_with_light_role_and_sign_due(client, scene):
    mine = dispatched(scene)
    dispatched(scene, lead=scene.zjj, title="住建局的工单")
    client.force_login(scene.cgj_staff)
    response = client.get(QUEUE)
    assert response.status_code == 200
    text = page(response)
    assert f'data-number="{mine.number}"' in text
    assert "住建局的工单" not in text
    assert 'data-role="lead"' in text
    assert 'data-state="dispatched"' in text
    assert "沙面大街52号" in text


def test_the_queue_filters_by_state_and_light(client, scene):
    first = dispatched(scene)
    second = dispatched(scene, title="第二张")
    order_sign(actor=scene.cgj_staff, order=second, expected_revision=second.revision)
    client.force_login(scene.cgj_staff)
    text = page(client.get(QUEUE + "?state=handling"))
    assert f'data-number="{second.number}"' in text
    assert f'data-number="{first.number}"' not in text
    text = page(client.get(QUEUE + "?light=red"))
    assert "data-number=" not in text
    text = page(client.get(QUEUE + "?state=bogus&light=bogus"))
    assert text.count("data-number=") == 2


def test_the_queue_costs_the_same_queries_for_one_and_fifty_orders(
    client, scene, django_assert_max_num_queries
):
    dispatched(scene)
    client.force_login(scene.cgj_staff)
    client.get(QUEUE)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(QUEUE).status_code == 200
    for i in range(49):
        dispatched(scene, title=f"工单{i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(QUEUE)
    assert page(response).count("data-number=") == 50


def test_the_order_page_shows_the_matter_the_note_and_the_caller(client, scene):
    order = dispatched(scene)
    client.force_login(scene.cgj_staff)
    text = page(client.get(order_url(order)))
    assert "沙面大街52号门口的路灯一连三晚不亮" in text
    assert "请尽快修复。" in text
    assert "陈先生" in text and "138****8000" in text
    assert 'id="move-sign"' in text and 'id="move-return"' in text
    assert 'id="move-reply"' not in text  # not signed for yet
    assert "2 working days" in text or "2 个工作日" in text


def test_a_confidential_order_shows_no_caller_to_the_unit(client, scene):
    order = dispatched(scene, confidential=True)
    client.force_login(scene.cgj_staff)
    text = page(client.get(order_url(order)))
    assert "data-confidential" in text
    assert "陈先生" not in text
    assert "138****8000" not in text
    assert "8000" not in text


@pytest.mark.parametrize("who", ["zjj", "returned"])
def test_a_unit_that_does_not_hold_the_order_gets_the_same_404(client, scene, who):
    order = dispatched(scene)
    if who == "returned":
        client.force_login(scene.cgj_staff)
        response = client.post(
            order_url(order, "return"), {"revision": order.revision, "reason": "不是我单位的事。"}
        )
        assert response["Location"] == QUEUE
        assert f'data-number="{order.number}"' not in page(client.get(QUEUE))
        user = scene.cgj_staff
    else:
        user = scene.zjj_staff
    order = fresh(order)
    client.force_login(user)
    missing = client.get("/staff/hotline/unit/orders/GD20990101000001/")
    assert missing.status_code == 404
    response = client.get(order_url(order))
    assert response.status_code == 404
    assert same(page(response), order.number) == same(page(missing), "GD20990101000001")
    before = (order.state, order.revision)
    response = client.post(order_url(order, "sign"), {"revision": order.revision})
    assert response.status_code == 404
    assert (fresh(order).state, fresh(order).revision) == before
    assert client.post(order_url(order, "nonsense"), {}).status_code == 404


def test_sign_then_reply_with_the_handling_form(client, scene):
    order = dispatched(scene)
    client.force_login(scene.cgj_staff)
    response = client.post(order_url(order, "sign"), {"revision": order.revision})
    assert response.status_code == 302
    order = fresh(order)
    assert order.state == "handling"
    text = page(client.get(order_url(order)))
    assert 'id="move-reply"' in text and 'id="move-extend"' in text
    response = client.post(
        order_url(order, "reply"),
        {
            "revision": order.revision,
            "truth": "true",
            "beyond_duty": "on",
            "solved": "yes",
            "handling": "已更换灯泡。",
            "public_reply": "路灯已修复。",
        },
    )
    assert response.status_code == 302
    order = fresh(order)
    assert order.state == "replied"
    reply = HandlingReply.objects.get(order=order)
    assert (reply.truth, reply.beyond_duty, reply.solved, reply.public_reply) == (
        "true",
        True,
        True,
        "路灯已修复。",
    )
    text = page(client.get(order_url(order)))
    assert 'data-round="1"' in text and "路灯已修复。" in text
    assert 'id="move-' not in text


def test_a_reply_not_solved_needs_the_reason_and_saves_nothing(client, scene):
    order = dispatched(scene)
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    client.force_login(scene.cgj_staff)
    response = client.post(
        order_url(order, "reply"),
        {
            "revision": order.revision,
            "truth": "true",
            "solved": "no",
            "handling": "已查看\x07。",
            "public_reply": "x" * 5000,
        },
    )
    assert response.status_code == 422
    text = page(response)
    assert 'data-field="unsolved_reason"' in text
    assert 'data-field="handling"' in text
    assert 'data-field="public_reply"' in text
    assert fresh(order).state == "handling"
    assert not HandlingReply.objects.exists()


def test_a_stale_post_is_shown_and_changes_nothing(client, scene):
    order = dispatched(scene)
    client.force_login(scene.cgj_staff)
    response = client.post(order_url(order, "sign"), {"revision": order.revision + 5})
    assert response.status_code == 409
    assert 'id="error-summary"' in page(response)
    assert fresh(order).state == "dispatched"
    response = client.post(order_url(order, "sign"), {})
    assert response.status_code == 409
    assert fresh(order).state == "dispatched"


def test_a_move_not_allowed_now_is_shown(client, scene):
    order = dispatched(scene)
    client.force_login(scene.cgj_staff)
    response = client.post(
        order_url(order, "reply"),
        {
            "revision": order.revision,
            "truth": "true",
            "solved": "yes",
            "handling": "a",
            "public_reply": "b",
        },
    )
    assert response.status_code == 409
    assert 'id="error-summary"' in page(response)
    assert fresh(order).state == "dispatched"


def test_return_needs_a_reason(client, scene):
    order = dispatched(scene)
    client.force_login(scene.cgj_staff)
    response = client.post(order_url(order, "return"), {"revision": order.revision, "reason": " "})
    assert response.status_code == 422
    assert 'data-field="reason"' in page(response)
    assert fresh(order).state == "dispatched"
    response = client.post(
        order_url(order, "return"), {"revision": order.revision, "reason": "应由住建局办理。"}
    )
    assert response.status_code == 302
    order = fresh(order)
    assert (order.state, order.returns_count) == ("to_dispatch", 1)


def test_an_extension_is_asked_for(client, scene):
    order = dispatched(scene)
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    client.force_login(scene.cgj_staff)
    response = client.post(
        order_url(order, "extend"), {"revision": order.revision, "working_days": "99", "reason": ""}
    )
    assert response.status_code == 422
    assert not Extension.objects.exists()
    response = client.post(
        order_url(order, "extend"),
        {"revision": order.revision, "working_days": "3", "reason": "需要更换电缆。"},
    )
    assert response.status_code == 302
    extension = Extension.objects.get()
    assert (extension.working_days, extension.reason) == (3, "需要更换电缆。")
    text = page(client.get(order_url(order)))
    assert 'id="extension-pending"' in text and 'id="move-extend"' not in text


def test_an_assisting_unit_signs_and_gives_its_opinion(client, scene):
    order = dispatched(
        scene,
        lead=scene.street_office,
        assists=[scene.cgj],
        category_code="0201",
        title="沙面大街占道经营",
    )
    client.force_login(scene.cgj_staff)
    text = page(client.get(QUEUE))
    assert 'data-role="assist"' in text
    text = page(client.get(order_url(order)))
    assert 'id="move-assist_sign"' in text and 'id="move-sign"' not in text
    assert client.post(order_url(order, "assist_sign"), {}).status_code == 302
    response = client.post(order_url(order, "opinion"), {"opinion": "城管可配合劝离。"})
    assert response.status_code == 302
    unit = OrderUnit.objects.get(order=order, department=scene.cgj)
    assert unit.signed_at is not None and unit.opinion == "城管可配合劝离。"
    client.force_login(scene.street_staff)
    assert "城管可配合劝离。" in page(client.get(order_url(order)))


def test_the_order_page_costs_the_same_queries_however_long_its_history(
    client, scene, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onewindow.hotline.services import extension_request

    short = dispatched(scene)
    long = dispatched(scene, assists=[scene.zjj, scene.street_office])
    long = order_sign(actor=scene.cgj_staff, order=long, expected_revision=long.revision)
    extension_request(actor=scene.cgj_staff, order=long, working_days=2, reason="等待配件。")
    client.force_login(scene.cgj_staff)
    client.get(order_url(short))
    with CaptureQueriesContext(connection) as one:
        assert client.get(order_url(short)).status_code == 200
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(order_url(long)).status_code == 200


def test_a_late_sign_for_is_marked_in_the_units_queue(client, scene):
    import datetime as dt

    from django.utils import timezone

    from onewindow.hotline.models import WorkOrder
    from onewindow.hotline.services import order_dispatch, order_take
    from onewindow.hotline.tests.conftest import caller, light_input

    order = order_take(actor=scene.agent, data=light_input(), caller=caller())
    order = order_dispatch(
        actor=scene.agent, order=order, expected_revision=order.revision, lead_id=scene.cgj.pk
    )
    client.force_login(scene.cgj_staff)
    assert "data-sign-late" not in client.get("/staff/hotline/unit/").content.decode()
    WorkOrder.objects.filter(pk=order.pk).update(sign_due_at=timezone.now() - dt.timedelta(hours=1))
    order.units.update(sign_due_at=timezone.now() - dt.timedelta(hours=1))
    assert "data-sign-late" in client.get("/staff/hotline/unit/").content.decode()
