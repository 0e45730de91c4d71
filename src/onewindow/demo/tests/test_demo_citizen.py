"""The demo citizen of ``make run``: signs in with the printed mobile, binds the printed real
name through the demo's check and sees their three cases."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from onewindow.citizens import selectors, services
from onewindow.citizens.tests.conftest import last_code
from onewindow.demo.citizen import (
    DEMO_CITIZEN_ID,
    DEMO_CITIZEN_NAME,
    DEMO_CITIZEN_PHONE,
    build_demo_citizen,
)
from onewindow.demo.generator import build_demo_city

pytestmark = pytest.mark.django_db


def test_the_demo_citizen_binds_and_sees_three_cases(settings):
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.DemoRegistryVerifier"
    build_demo_city(seed=3, scale=0.2)
    assert build_demo_citizen() == 3
    assert build_demo_citizen() == 0  # once
    services.sign_in_code_request(phone=DEMO_CITIZEN_PHONE, address="127.0.0.1")
    account = services.sign_in_with_code(
        phone=DEMO_CITIZEN_PHONE, code=last_code(), address="127.0.0.1"
    ).account
    services.real_name_bind(account=account, id_number=DEMO_CITIZEN_ID, name=DEMO_CITIZEN_NAME)
    account.refresh_from_db()
    rows = selectors.my_cases(account=account)
    assert sorted(row.state for row in rows) == ["accepted", "delivered", "supplement_requested"]
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        f"演示个人用户（/my/）：手机号码 {DEMO_CITIZEN_PHONE}（登录验证码显示在服务器控制台），"
        f"实名 {DEMO_CITIZEN_NAME}，居民身份证号码 {DEMO_CITIZEN_ID}。 / Demo citizen at /my/: "
        f"mobile {DEMO_CITIZEN_PHONE} (the sign-in code is written to the server's console), "
        f"real name {DEMO_CITIZEN_NAME}, resident ID {DEMO_CITIZEN_ID}."
    )


def test_a_demo_built_before_the_citizens_channel_gets_its_demo_citizen():
    from onewindow.demo.citizen import demo_citizen

    build_demo_city(seed=3, scale=0.2)
    assert demo_citizen() is None
    call_command("demo_city", "--if-empty", stdout=StringIO())
    person = demo_citizen()
    assert person is not None and person.cases.count() == 3
    call_command("demo_city", "--if-empty", stdout=StringIO())
    assert person.cases.count() == 3
