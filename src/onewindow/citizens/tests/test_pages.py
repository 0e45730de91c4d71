"""The citizen's pages: sign-in by code, my cases, separation from staff sessions."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from onewindow.citizens.auth import COOKIE_NAME
from onewindow.citizens.models import AccessToken, CitizenAccount
from onewindow.citizens.tests.conftest import (
    OTHER_PHONE,
    PHONE,
    browser_sign_in,
    case_for,
    last_code,
)
from onewindow.org.models import Role
from onewindow.testing.factories import create_person, make_resident_id, staff_with_role

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_the_sign_in_and_back(client):
    answer = client.get("/my/")
    assert answer.status_code == 302
    assert answer["Location"] == "/my/sign-in/?next=%2Fmy%2F"


def test_signing_in_by_code_sets_the_citizen_cookie_and_shows_my_cases(client):
    page = client.get("/my/sign-in/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert client.post("/my/sign-in/", {"phone": PHONE}).status_code == 200
    done = client.post(
        "/my/sign-in/", {"phone": PHONE, "step": "code", "code": last_code(), "next": "/my/"}
    )
    assert done.status_code == 302 and done["Location"] == "/my/"
    cookie = done.cookies[COOKIE_NAME]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    home = client.get("/my/")
    assert home.status_code == 200
    assert "no-store" in home["Cache-Control"]
    text = home.content.decode()
    assert "139****5678" in text and PHONE not in text
    assert 'id="my-cases-unbound"' in text


def test_the_code_page_is_the_same_for_a_number_with_and_without_an_account():
    browser_sign_in(Client(REMOTE_ADDR="192.0.2.50"), PHONE)
    assert CitizenAccount.objects.count() == 1

    def code_page(phone: str) -> str:
        answer = Client(REMOTE_ADDR="192.0.2.51").post("/my/sign-in/", {"phone": phone})
        assert answer.status_code == 200
        text = answer.content.decode()
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
        return text.replace(phone, "PHONE")

    from onewindow.citizens.models import SignInCode

    SignInCode.objects.update(created_at=SignInCode.objects.first().created_at.replace(year=2020))
    assert code_page(PHONE) == code_page(OTHER_PHONE)


def test_a_wrong_code_on_the_page_says_so_and_signs_nobody_in(client):
    client.post("/my/sign-in/", {"phone": PHONE})
    right = last_code()
    wrong = "000000" if right != "000000" else "111111"
    answer = client.post("/my/sign-in/", {"phone": PHONE, "step": "code", "code": wrong})
    assert answer.status_code == 422
    text = answer.content.decode()
    assert "验证码错误，还可尝试 4 次。" in text
    assert "The code is wrong. 4 tries left." in text
    assert COOKIE_NAME not in answer.cookies
    assert CitizenAccount.objects.count() == 0


def test_a_citizen_session_opens_no_staff_page_and_a_staff_session_no_citizen_page():
    citizen = Client()
    browser_sign_in(citizen)
    for path in ("/staff/", "/staff/cases/intake/", "/admin/"):
        answer = citizen.get(path)
        assert answer.status_code == 302, path
        assert "/sign-in/" in answer["Location"] or "/login/" in answer["Location"], path
    assert citizen.get("/api/cases/queue").status_code == 401

    staff = Client()
    staff.force_login(staff_with_role(Role.INTAKE_CLERK))
    assert staff.get("/staff/").status_code == 200
    for path in ("/my/", "/my/messages/", "/my/companies/"):
        answer = staff.get(path)
        assert answer.status_code == 302
        assert answer["Location"].startswith("/my/sign-in/")


def test_sign_out_revokes_the_token_and_the_cookie_no_longer_works(client):
    browser_sign_in(client)
    secret = client.cookies[COOKIE_NAME].value
    assert client.post("/my/sign-out/").status_code == 302
    assert AccessToken.objects.get().revoked_reason == "sign_out"
    again = Client()
    again.cookies[COOKIE_NAME] = secret
    assert again.get("/my/").status_code == 302


def test_my_cases_page_lists_and_opens_only_my_cases(client):
    number = make_resident_id()
    person = create_person(id_number=number, name="王小明", phone=PHONE)
    mine = case_for(person=person)
    other = case_for(person=create_person(phone=OTHER_PHONE))
    browser_sign_in(client)
    bound = client.post("/my/real-name/", {"name": "王小明", "id_number": number})
    assert bound.status_code == 302
    home = client.get("/my/").content.decode()
    assert f'data-number="{mine.number}"' in home
    assert other.number not in home
    detail = client.get(f"/my/cases/{mine.number}/")
    assert detail.status_code == 200
    assert "申请已受理" in detail.content.decode()
    assert client.get(f"/my/cases/{other.number}/").status_code == 404
    assert client.get("/my/cases/NOPE/").status_code == 404


def test_a_rebinding_on_the_page_without_a_code_is_refused_and_keeps_the_binding(client, settings):
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.AcceptAll"
    browser_sign_in(client)
    first = make_resident_id()
    assert client.post("/my/real-name/", {"name": "赵六", "id_number": first}).status_code == 302
    answer = client.post("/my/real-name/", {"name": "钱七", "id_number": make_resident_id()})
    assert answer.status_code == 422
    assert "变更账户实名信息需要填写发送到账户手机的验证码。" in answer.content.decode()
    assert CitizenAccount.objects.get().person.name == "赵六"


def test_my_messages_page_shows_the_case_sms_with_the_query_code_masked(
    client, django_capture_on_commit_callbacks, settings
):
    number = make_resident_id()
    person = create_person(id_number=number, name="王小明", phone=PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_for(person=person)
    browser_sign_in(client)
    client.post("/my/real-name/", {"name": "王小明", "id_number": number})
    text = client.get("/my/messages/").content.decode()
    assert case.number in text
    assert case.query_code not in text
    assert "139****5678" in text and PHONE not in text
    # The message's link (the case's progress page) is a link on the page.
    link = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/p/{case.number}"
    assert f'进度：<a href="{link}">{link}</a></p>' in text


def test_opening_a_company_account_on_the_page(client):
    from onewindow.citizens.models import CompanyAccount
    from onewindow.testing.factories import create_organisation

    rep_id = make_resident_id(birth="19800101")
    create_person(id_number=rep_id, name="李四", phone=PHONE)
    organisation = create_organisation(
        legal_representative_name="李四", legal_representative_id=rep_id
    )
    browser_sign_in(client)
    refused = client.post("/my/companies/", {"uscc": organisation.uscc})
    assert refused.status_code == 403
    assert "请先完成实名绑定" in refused.content.decode()
    client.post("/my/real-name/", {"name": "李四", "id_number": rep_id})
    opened = client.post("/my/companies/", {"uscc": organisation.uscc})
    company = CompanyAccount.objects.get()
    assert opened.status_code == 302 and opened["Location"] == f"/my/companies/{company.pk}/"
    page = client.get(opened["Location"]).content.decode()
    assert 'id="grant-form"' in page and organisation.name in page


def test_signing_in_again_in_one_browser_ends_its_earlier_sign_in(client):
    from onewindow.citizens.models import SignInCode

    browser_sign_in(client)
    assert client.get("/my/sign-in/?next=/my/messages/")["Location"] == "/my/messages/"
    SignInCode.objects.update(created_at=SignInCode.objects.get().created_at.replace(year=2020))
    browser_sign_in(client, OTHER_PHONE)
    assert sorted(AccessToken.objects.values_list("account__phone_masked", "revoked_reason")) == [
        ("137****5678", ""),
        ("139****5678", "sign_out"),
    ]


def test_the_pages_speak_english_under_en(client):
    assert client.get("/en/my/")["Location"] == "/en/my/sign-in/?next=%2Fen%2Fmy%2F"
    page = client.get("/en/my/sign-in/").content.decode()
    assert "Sign in with your mobile" in page
    assert client.post("/en/my/sign-in/", {"phone": PHONE}).status_code == 200
    done = client.post(
        "/en/my/sign-in/", {"phone": PHONE, "step": "code", "code": last_code(), "next": "/en/my/"}
    )
    assert done["Location"] == "/en/my/"
    assert "My cases" in client.get("/en/my/").content.decode()
