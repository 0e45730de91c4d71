"""The knowledge base on the call screen: answers to what is typed, with the text to give and
the article's code and version to record; nothing for a street light; a direct answer naming
an article version that does not exist is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.core.errors import ValidationFailed
from onewindow.hotline.codes import OrderType
from onewindow.hotline.models import WorkOrder
from onewindow.hotline.services import order_answer
from onewindow.hotline.tests.conftest import caller, light_input


def panel(scene, **params):
    client = Client()
    client.force_login(scene.agent)
    return client.get("/staff/hotline/call/kb/", params)


def test_a_pension_question_finds_the_answer_with_its_text_code_and_version(scene):
    response = panel(scene, title="退休金怎么领", content="")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-kb-code="{scene.pension.code}"' in html
    assert 'data-kb-version="1"' in html
    assert "户籍所在街道社保窗口申领退休金" in html


def test_a_street_light_has_no_answer_in_the_knowledge_base(scene):
    html = panel(scene, title="路灯不亮", content="门口路灯坏了").content.decode()
    assert "data-kb-code" not in html
    assert "data-kb-none" in html


def test_nothing_typed_or_control_characters_ask_nothing(scene, django_assert_num_queries):
    client = Client()
    client.force_login(scene.agent)
    client.get("/staff/hotline/call/kb/")  # the session and the grants, once
    with django_assert_num_queries(3):  # session, user, grants: no search at all
        html = client.get("/staff/hotline/call/kb/", {"title": "", "content": ""}).content
    assert b"data-kb" not in html
    assert "data-kb-code" not in panel(scene, title="退休金\x00", content="").content.decode()


def test_a_unit_cannot_use_the_agents_panel(scene):
    client = Client()
    client.force_login(scene.cgj_staff)
    assert client.get("/staff/hotline/call/kb/", {"title": "退休金"}).status_code == 404


def test_an_answer_naming_a_version_that_does_not_exist_is_refused(scene):
    with pytest.raises(ValidationFailed) as refused:
        order_answer(
            actor=scene.agent,
            data=light_input(order_type=OrderType.CONSULT, category_code=""),
            caller=caller(),
            answer="到社保窗口申领。",
            article_code=scene.pension.code,
            article_version=7,
        )
    assert [(e.field, e.code) for e in refused.value.errors] == [("article", "unknown")]
    assert not WorkOrder.objects.exists()


def test_the_subjects_answers_come_first_whatever_the_content_says(scene):
    html = panel(
        scene,
        title="退休金怎么领",
        content="来电人咨询到了退休年龄怎么办理领取手续，说了很多别的事。",
    ).content.decode()
    assert f'data-kb-code="{scene.pension.code}"' in html


def test_the_number_box_opens_the_order_or_says_it_is_not_there(scene):
    from onewindow.hotline.services import order_take
    from onewindow.hotline.tests.conftest import caller, light_input

    order = order_take(actor=scene.agent, data=light_input(), caller=caller())
    client = Client()
    client.force_login(scene.agent)
    found = client.get("/staff/hotline/find/", {"number": order.number.lower()})
    assert found["Location"] == f"/staff/hotline/orders/{order.number}/"
    for wrong in ("GD20990101000001", "x" * 40, "GD-1/2"):
        missing = client.get("/staff/hotline/find/", {"number": wrong})
        assert missing["Location"] == "/staff/hotline/call/"
    # A control character is refused by the platform's edge before the page (400).
    assert client.get("/staff/hotline/find/", {"number": "GD\x00"}).status_code == 400
    unit = Client()
    unit.force_login(scene.cgj_staff)
    assert unit.get("/staff/hotline/find/", {"number": order.number}).status_code == 404
