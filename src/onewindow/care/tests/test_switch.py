"""The care-mode switch: a CSRF-protected POST that sets or clears the ``ow_care`` cookie for a
year and goes back to a page of this site only; public pages wear ``class="care"`` and show the
switch, staff pages never change."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.care.mode import COOKIE, COOKIE_MAX_AGE
from onewindow.org.models import Role
from onewindow.testing.factories import staff_with_role

pytestmark = pytest.mark.django_db

SWITCH = "/care-mode/"
PASSWORD = "pass-1234-word"  # UserFactory's
CARE_HTML = '<html lang="zh-hans" class="care">'
STANDARD_HTML = '<html lang="zh-hans">'


def test_switching_on_sets_a_year_long_lax_cookie_and_goes_back_to_the_page(client):
    response = client.post(SWITCH, {"mode": "care", "next": "/search/?q=电梯"})
    assert response.status_code == 302
    assert response["Location"] == "/search/?q=%E7%94%B5%E6%A2%AF"  # 电梯
    cookie = response.cookies[COOKIE]
    assert cookie.value == "1"
    assert cookie["max-age"] == COOKIE_MAX_AGE == 31_536_000
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert cookie["httponly"] is True
    page = client.get("/").content.decode()
    assert CARE_HTML in page
    assert 'name="mode" value="standard"' in page
    assert "返回标准模式" in page
    assert 'id="care-more"' in page


def test_switching_off_clears_the_cookie_and_the_pages_are_standard_again(client):
    client.post(SWITCH, {"mode": "care", "next": "/"})
    response = client.post(SWITCH, {"mode": "standard", "next": "/power-list/"})
    assert response.status_code == 302
    assert response["Location"] == "/power-list/"
    assert response.cookies[COOKIE].value == ""
    assert response.cookies[COOKIE]["max-age"] == 0
    page = client.get("/").content.decode()
    assert STANDARD_HTML in page
    assert 'name="mode" value="care"' in page
    assert "关怀模式" in page
    assert 'id="care-more"' not in page


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "/\\evil.example",
        "/search/?q=\x00",
        "",
        "/" + "a" * 2001,
    ],
)
def test_a_next_address_off_this_site_goes_to_the_home_page(client, target):
    response = client.post(SWITCH, {"mode": "care", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[COOKIE].value == "1"


def test_an_english_page_switches_and_comes_back_in_english(client):
    page = client.get("/en/").content.decode()
    assert 'action="/en/care-mode/"' in page
    assert ">Care mode</button>" in page
    response = client.post("/en/care-mode/", {"mode": "care", "next": "/en/search/"})
    assert response["Location"] == "/en/search/"
    assert '<html lang="en" class="care">' in client.get("/en/").content.decode()


def test_the_switch_refuses_a_form_without_its_csrf_token_and_sets_nothing():
    client = Client(enforce_csrf_checks=True)
    response = client.post(SWITCH, {"mode": "care", "next": "/"})
    assert response.status_code == 403
    assert COOKIE not in response.cookies
    assert STANDARD_HTML in client.get("/").content.decode()


def test_an_unknown_mode_is_a_clear_bilingual_error_and_sets_nothing(client):
    response = client.post(SWITCH, {"mode": "huge", "next": "/"})
    assert response.status_code == 400
    assert COOKIE not in response.cookies
    text = response.content.decode()
    assert "请使用页面上的按钮选择关怀模式或标准模式。" in text
    assert "Choose care mode or standard mode with the button on the page." in text


def test_the_switch_answers_only_post(client):
    response = client.get(SWITCH)
    assert response.status_code == 405
    assert COOKIE not in response.cookies


def test_the_404_page_of_the_public_site_is_in_care_mode_too(client):
    client.cookies[COOKIE] = "1"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert CARE_HTML in text
    assert 'id="care-switch"' in text


def test_staff_pages_do_not_change_and_offer_no_switch(client):
    client.cookies[COOKIE] = "1"
    sign_in = client.get("/staff/sign-in/").content.decode()
    assert STANDARD_HTML in sign_in
    assert 'id="care-switch"' not in sign_in
    clerk = staff_with_role(Role.INTAKE_CLERK)
    client.force_login(clerk)
    for address in ("/staff/", "/staff/cases/intake/", "/staff/no-such-page/"):
        text = client.get(address, follow=True).content.decode()
        assert STANDARD_HTML in text, address
        assert 'id="care-switch"' not in text, address
        assert "care-more" not in text, address
    # The same signed-in user on a public page: care mode, with the switch.
    home = client.get("/").content.decode()
    assert CARE_HTML in home
    assert 'id="care-switch"' in home


def test_the_admin_does_not_change(client):
    client.cookies[COOKIE] = "1"
    client.force_login(staff_with_role(Role.ADMIN))
    text = client.get("/admin/").content.decode()
    assert 'class="care"' not in text
    assert 'id="care-switch"' not in text


def test_public_pages_vary_on_the_cookie_so_no_cache_mixes_the_two_modes(client):
    for address in ("/", "/search/?q=x", "/progress/", "/en/power-list/"):
        vary = {part.strip().lower() for part in client.get(address)["Vary"].split(",")}
        assert "cookie" in vary, address


def test_care_mode_search_waits_for_the_button_and_folds_the_filters(client):
    standard = client.get("/search/?q=x").content.decode()
    assert 'hx-trigger="input changed delay:400ms, search"' in standard
    assert 'id="care-more"' not in standard
    client.cookies[COOKIE] = "1"
    care = client.get("/search/?q=x").content.decode()
    assert 'hx-trigger="input changed' not in care
    assert 'hx-trigger="search"' in care
    assert '<details class="care-more" id="care-more"><summary>更多：筛选条件</summary>' in care
    # A filter in use keeps the fold open, so the visitor sees what narrows the results.
    narrowed = client.get("/search/?q=x&online=1").content.decode()
    assert '<details class="care-more" id="care-more" open>' in narrowed
