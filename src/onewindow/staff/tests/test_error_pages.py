"""The 403, 404 and 500 pages: Chinese first, English beneath, in the staff layout for signed-in
staff and in the public one for everyone else; the 500 page needs no context and no database."""

from __future__ import annotations

import pytest
from django.template import loader
from django.test import Client, RequestFactory
from django.views.defaults import server_error

NOT_FOUND = ("找不到该内容，或您无权查看。", "Not found, or you may not see it.")
NOT_FOUND_NEXT = (
    "请检查网址，或从首页重新开始。",
    "Check the address, or start again from the home page.",
)
FORBIDDEN = ("您无权执行此操作。", "You are not allowed to do this.")
FORBIDDEN_NEXT = (
    "如工作需要使用此页面，请向中心负责人申请相应角色。",
    "If your work needs this page, ask your centre manager for the role.",
)
CRASHED = ("系统出错了。", "Something went wrong on our side.")
CRASHED_NEXT = (
    "错误已记录。请过几分钟再试；如仍然出错，请联系中心技术支持。",
    "The error has been recorded. Try again in a few minutes; if it keeps happening, tell the "
    "centre's technical support.",
)
EXPIRED = ("页面已过期", "This page has expired")
STAFF_BAR = '<nav class="staff-nav wrap"'
PUBLIC_SEARCH = 'id="site-search"'


def text(response) -> str:
    return response.content.decode()


def heading(zh: str, en: str) -> str:
    return (
        f'<h1 id="error-title"><span lang="zh-Hans">{zh}</span>\n'
        f'    <span class="error-page__en" lang="en">{en}</span></h1>'
    )


def in_order(page: str, *parts: str) -> bool:
    """Every part is on the page, each after the one before (Chinese first)."""
    at = 0
    for part in parts:
        at = page.find(part, at)
        if at < 0:
            return False
    return True


@pytest.mark.django_db
def test_a_missing_public_page_gets_the_chinese_404_in_the_public_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = text(response)
    assert '<html lang="zh-hans">' in page
    assert "<title>页面不存在 · 一窗通 OneWindow</title>" in page
    assert heading(*NOT_FOUND) in page
    assert in_order(page, NOT_FOUND_NEXT[0], NOT_FOUND_NEXT[1])
    assert '<a class="button" href="/">返回首页</a>' in page
    assert PUBLIC_SEARCH in page and STAFF_BAR not in page


@pytest.mark.django_db
def test_the_english_404_keeps_chinese_first_with_english_beneath(client):
    response = client.get("/en/items/999999/")
    assert response.status_code == 404
    page = text(response)
    assert '<html lang="en">' in page
    assert "<title>Page not found · 一窗通 OneWindow</title>" in page
    assert heading(*NOT_FOUND) in page
    assert '<a class="button" href="/en/">Back to the home page</a>' in page


def test_a_missing_staff_page_gets_the_404_in_the_staff_layout(client, staff):
    client.force_login(staff["approver"])
    response = client.get("/staff/no-such-page/")
    assert response.status_code == 404
    page = text(response)
    assert heading(*NOT_FOUND) in page
    assert STAFF_BAR in page and PUBLIC_SEARCH not in page
    assert '<a class="button" href="/staff/">返回工作台首页</a>' in page
    response = client.get("/en/staff/no-such-page/")
    assert '<a class="button" href="/en/staff/">Back to the staff home</a>' in text(response)


@pytest.mark.django_db
def test_anonymous_on_a_missing_staff_address_gets_the_public_404(client):
    response = client.get("/staff/no-such-page/")
    assert response.status_code == 404
    assert STAFF_BAR not in text(response) and heading(*NOT_FOUND) in text(response)


def test_the_403_page_in_chinese_and_english_in_the_staff_layout(client, staff):
    client.force_login(staff["intake_clerk"])
    response = client.get("/staff/cases/queue/")
    assert response.status_code == 403
    page = text(response)
    assert "<title>无权访问 · 一窗通 OneWindow</title>" in page
    assert heading(*FORBIDDEN) in page
    assert in_order(page, FORBIDDEN_NEXT[0], FORBIDDEN_NEXT[1])
    assert STAFF_BAR in page
    english = text(client.get("/en/staff/cases/queue/"))
    assert "<title>Not allowed · 一窗通 OneWindow</title>" in english
    assert heading(*FORBIDDEN) in english


def test_the_catalogue_pages_answer_the_same_403(client, staff):
    client.force_login(staff["approver"])
    for url in ("/staff/catalog/", "/staff/catalog/import/", "/staff/catalog/export/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert heading(*FORBIDDEN) in text(response), url


def test_the_catalogue_workbook_page_offers_what_the_role_may_do(client, staff):
    client.force_login(staff["manager"])
    page = text(client.get("/staff/catalog/"))
    assert 'href="/staff/catalog/export/"' in page and 'href="/staff/catalog/template/"' in page
    assert 'href="/staff/catalog/import/"' not in page
    client.force_login(staff["admin"])
    page = text(client.get("/staff/catalog/"))
    assert 'href="/staff/catalog/import/"' in page and 'href="/staff/catalog/export/"' in page


@pytest.mark.django_db
def test_the_500_page_renders_with_no_context_and_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        page = loader.get_template("500.html").render()
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert response.content.decode() == page
    assert heading(*CRASHED).replace("\n    ", "\n        ") in page
    assert in_order(page, CRASHED_NEXT[0], CRASHED_NEXT[1])
    assert "<title>系统出错 · 一窗通 OneWindow</title>" in page


@pytest.mark.urls("onewindow.staff.tests.urls")
@pytest.mark.django_db
def test_a_crashing_page_answers_the_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/test-only/crash/")
    assert response.status_code == 500
    assert heading(*CRASHED).replace("\n    ", "\n        ") in text(response)


@pytest.mark.django_db
def test_an_expired_form_gets_the_bilingual_csrf_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/staff/sign-in/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = text(response)
    assert heading(*EXPIRED) in page
    assert "表单打开时间过长" in page and "The form was open for a long time" in page
