"""The hotline's public pages: the web form (good input, bad input shown with nothing saved,
the per-client limit), the thank-you page showing the code once, following an order (right,
wrong code, throttled), and "my orders" scoped to the signed-in account."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from onewindow.citizens.models import CitizenAccount, TokenKind
from onewindow.citizens.services import phone_index_of, token_issue
from onewindow.core import crypto
from onewindow.hotline.codes import Channel, Truth
from onewindow.hotline.models import OrderCaller, WorkOrder
from onewindow.hotline.services import (
    ReplyInput,
    order_dispatch,
    order_merge,
    order_reply,
    order_sign,
    order_submit,
    submitted_take,
)
from onewindow.hotline.tests.conftest import caller, light_input

FORM = "/12345/"
TRACK = "/12345/track/"
MINE = "/my/12345/"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def good(**overrides):
    values = {
        "order_type": "help",
        "title": "沙面大街路灯不亮",
        "content": "沙面大街52号门口的路灯一连三晚不亮。",
        "place": "沙面大街52号",
        "street": "440103001000",
        "phone": "13800138000",
        "name": "陈先生",
        "wants_reply": "on",
    }
    values.update(overrides)
    return values


def account(phone="13900139000"):
    return CitizenAccount.objects.create(
        phone_index=phone_index_of(phone),
        phone_encrypted=crypto.encrypt(phone, context="citizens.account.phone"),
        phone_masked=crypto.mask_phone(phone),
    )


def signed_in(client, who):
    client.cookies["ow_citizen"] = token_issue(account=who, kind=TokenKind.BROWSER)[1]
    return client


def dup_code(order):
    return WorkOrder.objects.get(pk=order.pk).query_code


def text(response):
    return response.content.decode()


def submitted(client, **overrides):
    response = client.post(FORM, good(**overrides))
    assert response.status_code == 303, text(response)
    assert response["Location"] == "/12345/thanks/"
    page = text(client.get(response["Location"]))
    number = re.search(r'id="thanks-number">([^<]+)<', page).group(1)
    code = re.search(r'id="thanks-code">([^<]+)<', page).group(1)
    return WorkOrder.objects.get(number=number), code, page


def replied(scene, order, public_reply="您反映的路灯已修复。"):
    order = submitted_take(
        actor=scene.agent, order=order, expected_revision=order.revision, category_code="0101"
    )
    order = order_dispatch(
        actor=scene.agent, order=order, expected_revision=order.revision, lead_id=scene.cgj.pk
    )
    order = order_sign(actor=scene.cgj_staff, order=order, expected_revision=order.revision)
    return order_reply(
        actor=scene.cgj_staff,
        order=order,
        expected_revision=order.revision,
        reply=ReplyInput(
            truth=Truth.TRUE, solved=True, handling="更换灯泡。", public_reply=public_reply
        ),
    )


def test_the_form_shows_its_fields_and_the_streets(client, scene):
    page = text(client.get(FORM))
    assert 'name="order_type"' in page and 'value="440103001000"' in page
    assert "沙面街道" in page


def test_a_good_request_is_submitted_and_the_code_shown_once(client, scene):
    order, code, page = submitted(client)
    assert (order.state, order.channel, order.title) == (
        "submitted",
        Channel.WEB,
        "沙面大街路灯不亮",
    )
    assert order.region == scene.street
    assert order.query_code == code
    caller_row = order.callers.get()
    assert (caller_row.name, caller_row.phone_masked, caller_row.account) == (
        "陈先生",
        "138****8000",
        None,
    )
    assert 'id="thanks-once"' in page
    assert "短信" in page  # a mobile and a reply wanted: the SMS follows
    again = text(client.get("/12345/thanks/"))
    assert code not in again and 'id="thanks-gone"' in again


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "路灯\x00不亮"}, "title"),
        ({"content": "路灯\x1b不亮"}, "content"),
        ({"title": "长" * 121}, "title"),
        ({"content": "长" * 4001}, "content"),
        ({"order_type": "bogus"}, "order_type"),
        ({"phone": ""}, "caller_phone"),
        ({"phone": "12"}, "caller_phone"),
        ({"street": "999999999999"}, "region"),
    ],
)
def test_bad_input_is_shown_and_nothing_is_saved(client, scene, overrides, field):
    response = client.post(FORM, good(**overrides))
    assert response.status_code == 422
    page = text(response)
    assert f'data-field="{field}"' in page
    assert 'id="error-summary"' in page
    assert not WorkOrder.objects.exists()
    assert not OrderCaller.objects.exists()


def test_an_anonymous_request_needs_no_phone(client, scene):
    order, _code, page = submitted(client, phone="", name="", anonymous="on")
    assert order.callers.get().anonymous
    assert "An SMS" not in page and "短信" not in page


def test_the_form_is_limited_per_client(client, scene, settings):
    settings.HOTLINE_WEB_POSTS_PER_HOUR = 2
    submitted(client)
    submitted(client)
    response = client.post(FORM, good())
    assert response.status_code == 429
    assert WorkOrder.objects.count() == 2


def test_a_signed_in_citizen_files_from_the_account(client, scene):
    me = account()
    signed_in(client, me)
    page = text(client.get(FORM))
    assert 'id="hotline-account"' in page and "139****9000" in page
    order, _code, _page = submitted(client, phone="13900139000")
    assert order.channel == Channel.ACCOUNT
    assert order.callers.get().account == me


def test_a_signed_in_citizen_who_leaves_the_phone_empty_is_answered_on_the_account(client, scene):
    from onewindow.core.audit import AuditLog

    me = account()
    signed_in(client, me)
    order, _code, _page = submitted(client, phone="")
    caller = order.callers.get()
    assert (caller.account, caller.phone_index, caller.phone_masked) == (
        me,
        me.phone_index,
        "139****9000",
    )
    read = AuditLog.objects.get(action="citizens.account_mobile_read")
    assert read.detail == {"purpose": "hotline", "reference": "12345 form", "phone": "139****9000"}


def test_following_an_order_by_number_and_code(client, scene):
    order, code, _page = submitted(client)
    response = client.post(TRACK, {"number": order.number, "code": code})
    assert response.status_code == 200
    page = text(response)
    assert 'data-state="submitted"' in page
    assert "沙面大街路灯不亮" in page
    order = replied(scene, WorkOrder.objects.get(pk=order.pk))
    page = text(client.post(TRACK, {"number": order.number, "code": code.lower()}))
    assert 'data-state="replied"' in page
    assert "您反映的路灯已修复。" in page
    assert "更换灯泡。" not in page  # the unit's internal account of its work
    assert "区城管执法局" not in page


def test_a_wrong_code_and_a_wrong_number_get_the_same_answer(client, scene):
    order, code, _page = submitted(client)
    wrong_code = client.post(TRACK, {"number": order.number, "code": "ZZZZZZ"})
    wrong_number = client.post(TRACK, {"number": "GD20990101000001", "code": code})
    assert wrong_code.status_code == wrong_number.status_code == 404

    def body(response):
        page = text(response)
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        return re.sub(r'name="number"([^>]*)value="[^"]*"', "", page)

    assert body(wrong_code) == body(wrong_number)
    assert "沙面大街路灯不亮" not in text(wrong_code)


def test_following_is_throttled_per_client_and_number(client, scene):
    order, code, _page = submitted(client)
    for _ in range(5):
        assert client.post(TRACK, {"number": order.number, "code": "ZZZZZZ"}).status_code == 404
    refused = client.post(TRACK, {"number": order.number, "code": code})
    assert refused.status_code == 429
    assert "沙面大街路灯不亮" not in text(refused)
    other = client.post(TRACK, {"number": order.number, "code": code}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def test_control_characters_in_the_look_up_are_refused(client, scene):
    response = client.post(TRACK, {"number": "GD\x00", "code": "A"})
    assert response.status_code == 422


def test_my_orders_are_the_accounts_own(client, scene):
    me, other = account(), account("13700137000")
    mine, _created = order_submit(
        data=light_input(), caller=caller(phone="13900139000"), channel=Channel.ACCOUNT, account=me
    )
    theirs, _created = order_submit(
        data=light_input(title="别人的诉求"),
        caller=caller(phone="13700137000"),
        channel=Channel.ACCOUNT,
        account=other,
    )
    signed_in(client, me)
    page = text(client.get(MINE))
    assert f'data-number="{mine.number}"' in page
    assert theirs.number not in page and "别人的诉求" not in page
    client.cookies.clear()
    signed_in(client, account("13600136000"))
    page = text(client.get(MINE))
    assert 'id="mine-empty"' in page and mine.number not in page


def test_a_merged_duplicate_is_shown_under_the_order_it_joined(client, scene):
    me = account()
    first, _c = order_submit(
        data=light_input(), caller=caller(phone="13900139000"), channel=Channel.ACCOUNT, account=me
    )
    dup, _c = order_submit(
        data=light_input(title="又一次路灯不亮"),
        caller=caller(phone="13900139000"),
        channel=Channel.ACCOUNT,
        account=me,
    )
    first = submitted_take(actor=scene.agent, order=first, expected_revision=first.revision)
    order_merge(
        actor=scene.agent,
        duplicate=WorkOrder.objects.get(pk=dup.pk),
        into=first,
        expected_revision=dup.revision,
    )
    signed_in(client, me)
    page = text(client.get(MINE))
    assert page.count("data-number=") == 1
    assert f'data-number="{first.number}"' in page
    assert dup.number not in page
    # Followed by its own number and code, the duplicate shows the order it joined.
    response = client.post(TRACK, {"number": dup.number, "code": dup_code(dup)})
    assert f'data-merged-into="{first.number}"' in text(response)


def test_my_orders_need_signing_in(client, scene):
    response = client.get(MINE)
    assert response.status_code == 302
    assert response["Location"].startswith("/my/sign-in")


def test_my_orders_cost_constant_queries(client, scene, django_assert_max_num_queries):
    me = account()
    signed_in(client, me)
    order_submit(
        data=light_input(), caller=caller(phone="13900139000"), channel=Channel.ACCOUNT, account=me
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(MINE)
    for i in range(9):
        order_submit(
            data=light_input(title=f"诉求{i}"),
            caller=caller(phone="13900139000"),
            channel=Channel.ACCOUNT,
            account=me,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = text(client.get(MINE))
    assert page.count("data-number=") == 10


def test_my_orders_show_the_state_and_the_reply(client, scene):
    me = account()
    order, _created = order_submit(
        data=light_input(), caller=caller(phone="13900139000"), channel=Channel.ACCOUNT, account=me
    )
    signed_in(client, me)
    page = text(client.get(MINE))
    assert 'data-state="submitted"' in page and f'id="reply-{order.number}"' not in page
    replied(scene, order)
    page = text(client.get(MINE))
    assert 'data-state="replied"' in page
    assert f'id="reply-{order.number}"' in page and "您反映的路灯已修复。" in page
    assert "更换灯泡。" not in page


def test_a_second_click_on_send_makes_no_second_order(client, scene):
    page = text(client.get(FORM))
    token = re.search(r'name="submission" value="([0-9a-f]{32})"', page).group(1)
    first = client.post(FORM, good(submission=token))
    again = client.post(FORM, good(submission=token))
    assert (first.status_code, again.status_code) == (303, 303)
    assert WorkOrder.objects.count() == 1
    thanks = text(client.get(again["Location"]))
    assert WorkOrder.objects.get().number in thanks
    # A fresh form is a fresh token: a second matter is a second order.
    other = re.search(r'name="submission" value="([0-9a-f]{32})"', text(client.get(FORM))).group(1)
    assert other != token
    client.post(FORM, good(submission=other))
    assert WorkOrder.objects.count() == 2
    # A token the form never issues is ignored, not trusted.
    client.post(FORM, good(submission="web:../x"))
    assert WorkOrder.objects.count() == 3
