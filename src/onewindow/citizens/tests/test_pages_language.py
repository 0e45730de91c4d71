"""The citizen's form pages speak the page's language (errors included), the cooldown keeps the
code field, and a person's name is 姓名 (new-user trial)."""

from __future__ import annotations

import pytest

from onewindow.citizens.tests.conftest import PHONE, browser_sign_in, last_code
from onewindow.testing.factories import create_organisation, create_person, make_resident_id

pytestmark = pytest.mark.django_db


def _bad_id() -> str:
    good = make_resident_id()
    return good[:-1] + ("0" if good[-1] != "0" else "1")


def test_a_real_name_field_error_is_english_on_english_pages_and_chinese_first_on_chinese(client):
    browser_sign_in(client)
    english = client.post("/en/my/real-name/", {"name": "Wang", "id_number": _bad_id()})
    assert english.status_code == 422
    text = english.content.decode()
    assert "The resident ID number is not valid (check digit)." in text
    assert "居民身份证号码无效" not in text
    chinese = client.post("/my/real-name/", {"name": "王", "id_number": _bad_id()}).content.decode()
    assert "居民身份证号码无效（校验码不正确）。" in chinese
    assert "The resident ID number is not valid (check digit)." not in chinese


def test_a_rebinding_without_a_code_is_refused_in_english_on_english_pages(client, settings):
    settings.CITIZEN_REAL_NAME_VERIFIER = "onewindow.citizens.realname.AcceptAll"
    browser_sign_in(client)
    assert (
        client.post("/my/real-name/", {"name": "赵六", "id_number": make_resident_id()}).status_code
        == 302
    )
    answer = client.post("/en/my/real-name/", {"name": "钱七", "id_number": make_resident_id()})
    assert answer.status_code == 422
    text = answer.content.decode()
    assert "变更账户实名信息需要填写发送到账户手机的验证码。" not in text
    assert 'id="my-error"' in text and 'lang="en"' not in text.split('id="my-error"')[1][:400]


def test_a_wrong_code_and_company_and_agent_errors_are_english_on_english_pages(client):
    client.post("/en/my/sign-in/", {"phone": PHONE})
    wrong = client.post("/en/my/sign-in/", {"phone": PHONE, "step": "code", "code": "000000"})
    assert wrong.status_code == 422
    error = wrong.content.decode().split('id="my-error"')[1].split("</div>")[0]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in error)
    assert "The code is wrong. 4 tries left." in wrong.content.decode()
    client.post("/en/my/sign-in/", {"phone": PHONE, "step": "code", "code": last_code()})
    refused = client.post("/en/my/companies/", {"uscc": "91110000000000000X"})
    error = refused.content.decode().split('id="my-error"')[1].split("</div>")[0]
    assert refused.status_code == 403
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in error)
    assert "Bind your real name first: company accounts are for verified persons." in (
        refused.content.decode()
    )


def test_agent_grant_errors_are_english_on_english_pages(client):
    from onewindow.citizens.models import CompanyAccount

    rep_id = make_resident_id(birth="19800101")
    create_person(id_number=rep_id, name="李四", phone=PHONE)
    organisation = create_organisation(
        legal_representative_name="李四", legal_representative_id=rep_id
    )
    browser_sign_in(client)
    client.post("/my/real-name/", {"name": "李四", "id_number": rep_id})
    client.post("/my/companies/", {"uscc": organisation.uscc})
    company = CompanyAccount.objects.get()
    answer = client.post(
        f"/en/my/companies/{company.pk}/",
        {"name": "王五", "id_number": _bad_id(), "actions": ["view_cases"], "expires_on": ""},
    )
    assert answer.status_code == 422
    error = answer.content.decode().split('id="my-error"')[1].split("</div>")[0]
    assert "The resident ID number is not valid (check digit)." in error
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in error)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", "验证码已在一分钟内发送，请输入该验证码，或 "),
        ("/en", "A code was sent less than a minute ago: enter it, or ask again in "),
    ],
)
def test_asking_again_within_a_minute_keeps_the_code_field_and_says_so(client, prefix, expected):
    assert client.post(f"{prefix}/my/sign-in/", {"phone": PHONE}).status_code == 200
    code = last_code()
    again = client.post(f"{prefix}/my/sign-in/", {"phone": PHONE})
    assert again.status_code == 200
    text = again.content.decode()
    assert 'id="sign-in-code"' in text
    assert 'id="code-resend-wait"' in text and expected in text
    done = client.post(f"{prefix}/my/sign-in/", {"phone": PHONE, "step": "code", "code": code})
    assert done.status_code == 302


def test_a_persons_name_is_labelled_xingming_not_mingcheng(client):
    browser_sign_in(client)
    text = client.get("/my/real-name/").content.decode()
    assert '<label for="bind-name">姓名</label>' in text
    assert "名称" not in text
    assert '<label for="bind-name">Name</label>' in client.get("/en/my/real-name/").content.decode()
