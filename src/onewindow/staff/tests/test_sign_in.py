"""The staff sign-in page: who gets in, who is refused and how, and where they land."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.core.models import AuditLog
from onewindow.staff.sign_in import max_failures
from onewindow.staff.tests.conftest import PASSWORD

MAX_FAILURES = max_failures()

SIGN_IN = "/staff/sign-in/"
HOME = "/staff/"
WRONG_ZH = "用户名或密码错误。请检查两者（区分大小写）后重试。"
WRONG_EN = "Wrong user name or password. Check both (capital letters count) and try again."
INACTIVE_ZH = "该账号已停用。请联系中心负责人启用。"
INACTIVE_EN = "This account is switched off. Ask your centre manager to switch it on."
LOCKED_ZH = "密码错误次数过多，该账号已锁定15分钟。请稍后再试，或联系中心负责人。"
LOCKED_EN = (
    "Too many wrong passwords: this account is locked for 15 minutes. Wait, or ask your "
    "centre manager."
)


def text(response) -> str:
    return response.content.decode()


def error_lines(response) -> list[str]:
    """The bilingual refusal lines of the sign-in page, in order."""
    box = re.search(r'<div class="message message--error"[^>]*>(.*?)</div>', text(response), re.S)
    if box is None:
        return []
    return re.findall(r'<span lang="[^"]+"(?: class="en")?>([^<]*)</span>', box.group(1))


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_staff_sign_in_is_the_staff_shells_page_not_the_admin_login():
    assert reverse("staff:sign_in") == SIGN_IN
    from django.conf import settings

    assert settings.LOGIN_URL == "staff:sign_in"


@pytest.mark.django_db
def test_the_sign_in_page_is_in_chinese_with_its_form(client):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    page = text(response)
    assert '<h1 id="sign-in-title">工作人员登录</h1>' in page
    assert 'id="id_username"' in page and 'id="id_password"' in page
    assert 'type="password" autocomplete="current-password"' in page
    assert error_lines(response) == []


@pytest.mark.django_db
def test_the_public_home_links_to_the_staff_sign_in(client):
    page = text(client.get("/"))
    assert f'<a class="staff-link" href="{SIGN_IN}">工作人员登录</a>' in page
    assert "/admin/login/" not in page


def test_the_right_password_lands_on_the_workstation_home(client, staff):
    clerk = staff["intake_clerk"]
    response = client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, HOME)
    assert int(client.session["_auth_user_id"]) == clerk.pk
    assert AuditLog.objects.filter(actor=clerk, action="staff.sign_in", allowed=True).count() == 1
    home = text(client.get(HOME))
    assert 'data-workstation="cases.intake"' in home


def test_a_wrong_password_gets_a_clear_error_in_chinese_and_english(client, staff):
    clerk = staff["intake_clerk"]
    response = client.post(SIGN_IN, {"username": clerk.username, "password": "nope"})
    assert response.status_code == 200
    assert error_lines(response) == [WRONG_ZH, WRONG_EN]
    assert f'value="{clerk.username}"' in text(response)  # the name typed is kept
    assert not signed_in(client)


def test_the_english_page_still_shows_the_error_in_both_languages(client, staff):
    response = client.post(
        "/en/staff/sign-in/", {"username": staff["approver"].username, "password": "nope"}
    )
    assert '<h1 id="sign-in-title">Staff sign-in</h1>' in text(response)
    assert error_lines(response) == [WRONG_ZH, WRONG_EN]


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(client, staff):
    wrong = client.post(SIGN_IN, {"username": staff["approver"].username, "password": "nope"})
    unknown = client.post(SIGN_IN, {"username": "nobody-here", "password": "nope"})
    assert error_lines(unknown) == error_lines(wrong) == [WRONG_ZH, WRONG_EN]


def test_empty_fields_are_marked_and_nobody_is_signed_in(client, db):
    response = client.post(SIGN_IN, {"username": "", "password": ""})
    page = text(response)
    assert page.count("这个字段是必填项。") == 2
    assert 'aria-invalid="true" aria-describedby="username-error"' in page
    assert not signed_in(client)


def test_a_switched_off_account_is_refused_and_says_so_only_with_the_right_password(client, staff):
    clerk = staff["intake_clerk"]
    clerk.is_active = False
    clerk.save()
    right = client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    assert right.status_code == 200
    assert error_lines(right) == [INACTIVE_ZH, INACTIVE_EN]
    assert not signed_in(client)
    wrong = client.post(SIGN_IN, {"username": clerk.username, "password": "nope"})
    assert error_lines(wrong) == [WRONG_ZH, WRONG_EN]
    assert not signed_in(client)
    assert not AuditLog.objects.filter(action="staff.sign_in").exists()


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(client, staff):
    clerk, other = staff["intake_clerk"], staff["output_clerk"]
    for _ in range(MAX_FAILURES - 1):
        response = client.post(SIGN_IN, {"username": clerk.username, "password": "nope"})
        assert error_lines(response) == [WRONG_ZH, WRONG_EN]
    refusals = AuditLog.objects.filter(action="denied:staff.sign_in")
    assert [row.detail["reason"] for row in refusals.order_by("id")] == ["wrong_password"] * (
        MAX_FAILURES - 1
    )
    locking = client.post(SIGN_IN, {"username": clerk.username, "password": "nope"})
    assert error_lines(locking) == [LOCKED_ZH, LOCKED_EN]
    lock = refusals.order_by("id").last()
    assert (lock.allowed, lock.object_repr, lock.detail["reason"]) == (
        False,
        clerk.username,
        "locked",
    )
    # Capital letters do not open a second window of guesses.
    right = client.post(SIGN_IN, {"username": clerk.username.upper(), "password": PASSWORD})
    assert error_lines(right) == [LOCKED_ZH, LOCKED_EN]
    right = client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    assert error_lines(right) == [LOCKED_ZH, LOCKED_EN]
    assert not signed_in(client)
    # Tries refused by the lock are not written again (the lock row says it).
    assert refusals.count() == MAX_FAILURES
    # Another account is not affected.
    response = client.post(SIGN_IN, {"username": other.username, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, HOME)


def test_a_successful_sign_in_forgets_earlier_wrong_passwords(client, staff):
    clerk = staff["intake_clerk"]
    for _ in range(MAX_FAILURES - 1):
        client.post(SIGN_IN, {"username": clerk.username, "password": "nope"})
    assert client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD}).status_code
    client.post(reverse("staff:sign_out"))
    for _ in range(MAX_FAILURES - 1):
        response = client.post(SIGN_IN, {"username": clerk.username, "password": "nope"})
        assert error_lines(response) == [WRONG_ZH, WRONG_EN]


def test_next_on_this_site_is_followed(client, staff):
    response = client.post(
        f"{SIGN_IN}?next=/staff/cases/queue/%3Fshow%3Dmine",
        {
            "username": staff["approver"].username,
            "password": PASSWORD,
            "next": "/staff/cases/queue/?show=mine",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/staff/cases/queue/?show=mine")


def test_the_next_field_is_carried_by_the_form(client, db):
    page = text(client.get(f"{SIGN_IN}?next=/staff/cases/queue/"))
    assert '<input type="hidden" name="next" value="/staff/cases/queue/">' in page


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/staff/",
        "http://testserver.evil.example/",
        "https:/evil.example/",
        "javascript:alert(1)",
        "\\\\evil.example/",
    ],
)
def test_next_to_another_site_is_refused_and_the_user_lands_on_home(client, staff, target):
    page = text(client.get(SIGN_IN, {"next": target}))
    assert 'name="next"' not in page
    response = client.post(
        SIGN_IN, {"username": staff["approver"].username, "password": PASSWORD, "next": target}
    )
    assert (response.status_code, response["Location"]) == (302, HOME)


def test_a_signed_in_user_opening_the_sign_in_page_goes_to_their_home(client, staff):
    client.force_login(staff["intake_clerk"])
    response = client.get(SIGN_IN)
    assert (response.status_code, response["Location"]) == (302, HOME)


def test_sign_out_takes_a_post_and_comes_back_to_the_sign_in_page(client, staff):
    clerk = staff["intake_clerk"]
    client.force_login(clerk)
    assert client.get(reverse("staff:sign_out")).status_code == 405
    assert signed_in(client)
    response = client.post(reverse("staff:sign_out"))
    assert (response.status_code, response["Location"]) == (302, SIGN_IN)
    assert not signed_in(client)
    assert AuditLog.objects.filter(actor=clerk, action="staff.sign_out").count() == 1
    assert "您已退出登录。" in text(client.get(SIGN_IN))


def test_sign_out_checks_the_csrf_token(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["intake_clerk"])
    response = client.post(reverse("staff:sign_out"))
    assert response.status_code == 403
    assert "_auth_user_id" in client.session


def test_an_anonymous_staff_page_goes_to_the_staff_sign_in_and_comes_back(client, staff):
    response = client.get("/staff/cases/queue/?show=mine")
    assert response.status_code == 302
    assert response["Location"] == "/staff/sign-in/?next=/staff/cases/queue/%3Fshow%3Dmine"
    response = client.get("/en/staff/")
    assert response["Location"] == "/en/staff/sign-in/?next=/en/staff/"


def test_an_anonymous_htmx_request_sends_the_whole_window_to_the_sign_in(client, db):
    response = client.post(
        "/staff/cases/queue/1/claim/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/staff/cases/queue/",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/staff/sign-in/?next=/staff/cases/queue/"


def test_tries_past_the_limit_are_refused_before_any_password_check(client, staff, monkeypatch):
    """Each try is counted before its password is checked: however many arrive at once, at
    most MAX_FAILURES passwords are ever tried for one name."""
    from django.contrib.auth.backends import AllowAllUsersModelBackend

    from onewindow.staff.sign_in import sign_in_failures

    checked: list[tuple[str, int]] = []
    real = AllowAllUsersModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        # The try is already counted while its password is being checked: a concurrent try
        # sees it and cannot slip past the limit.
        checked.append((password, sign_in_failures(username)))
        return real(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(AllowAllUsersModelBackend, "authenticate", counting)
    clerk = staff["intake_clerk"]
    for n in range(MAX_FAILURES + 3):
        client.post(SIGN_IN, {"username": clerk.username, "password": f"guess-{n}"})
    right = client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    assert checked == [(f"guess-{n}", n + 1) for n in range(MAX_FAILURES)]
    assert LOCKED_ZH in text(right) and LOCKED_EN in text(right)
    assert not signed_in(client)


def test_every_wrong_password_is_audited_without_the_password(client, staff):
    clerk = staff["intake_clerk"]
    client.post(SIGN_IN, {"username": clerk.username, "password": "Secret-typed-1"})
    row = AuditLog.objects.get(action="denied:staff.sign_in")
    assert (row.allowed, row.object_id, row.object_repr, row.detail) == (
        False,
        str(clerk.pk),
        clerk.username,
        {"reason": "wrong_password", "address": "127.0.0.1", "failures": 1},
    )
    assert "Secret-typed-1" not in str(row.detail) + row.object_repr


def test_a_name_that_is_no_account_is_audited_as_a_hash_only(client, staff):
    """People type their password into the name field: an unknown name is never written."""
    client.post(SIGN_IN, {"username": "MyPassw0rd!", "password": "nope"})
    row = AuditLog.objects.get(action="denied:staff.sign_in")
    assert row.object_id == ""
    assert re.fullmatch(r"unknown:[0-9a-f]{16}", row.object_repr)
    assert "MyPassw0rd" not in row.object_repr + str(row.detail)


def test_an_unknown_name_is_kept_as_a_keyed_hash_stable_for_the_same_name(client, staff):
    """A plain SHA-256 of the name typed would be reversed with a dictionary of passwords."""
    client.post(SIGN_IN, {"username": "MyPassw0rd!", "password": "nope"})
    client.post(SIGN_IN, {"username": "MyPassw0rd!", "password": "nope-again"})
    first, second = AuditLog.objects.filter(action="denied:staff.sign_in").order_by("id")
    plain = hashlib.sha256(b"mypassw0rd!").hexdigest()
    assert first.object_repr == second.object_repr
    assert first.object_repr[len("unknown:") :] not in plain


def test_a_switched_off_account_with_its_password_is_audited(client, staff):
    clerk = staff["intake_clerk"]
    clerk.is_active = False
    clerk.save()
    client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    row = AuditLog.objects.get(action="denied:staff.sign_in")
    assert (row.object_repr, row.detail["reason"]) == (clerk.username, "inactive")


def test_one_address_guessing_many_names_is_paused_and_audited_once(client, staff, settings):
    settings.STAFF_SIGN_IN_ADDRESS_MAX_FAILURES = 4
    settings.STAFF_SIGN_IN_ADDRESS_LOCK_MINUTES = 10
    for n in range(4):
        response = client.post(SIGN_IN, {"username": f"guess{n}", "password": "nope"})
        assert error_lines(response) == [WRONG_ZH, WRONG_EN]
    # The fifth try from this address, even with a right password, is refused.
    refused = client.post(SIGN_IN, {"username": staff["approver"].username, "password": PASSWORD})
    assert error_lines(refused) == [
        "此电脑登录失败次数过多，已暂停在此登录10分钟。请稍后再试，或联系中心负责人。",
        "Too many failed sign-ins from this computer: signing in here is paused for 10 minutes. "
        "Wait, or ask your centre manager.",
    ]
    assert not signed_in(client)
    client.post(SIGN_IN, {"username": staff["approver"].username, "password": PASSWORD})
    paused = AuditLog.objects.filter(action="denied:staff.sign_in", detail__reason="address_locked")
    assert paused.count() == 1
    assert paused.get().detail["address"] == "127.0.0.1"
    # Another address is not affected.
    elsewhere = client.post(
        SIGN_IN,
        {"username": staff["approver"].username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert (elsewhere.status_code, elsewhere["Location"]) == (302, HOME)


def test_successful_sign_ins_do_not_use_up_the_address_limit(client, staff, settings):
    """A hall's clerks behind one address sign in all day without pausing it."""
    settings.STAFF_SIGN_IN_ADDRESS_MAX_FAILURES = 3
    clerk = staff["intake_clerk"]
    for _ in range(6):
        response = client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
        assert response.status_code == 302
        client.post(reverse("staff:sign_out"))
    client.post(SIGN_IN, {"username": clerk.username, "password": "nope"})
    client.post(SIGN_IN, {"username": clerk.username, "password": "nope"})
    response = client.post(SIGN_IN, {"username": clerk.username, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, HOME)


def _autofocused(response) -> list[str]:
    import re

    return re.findall(r'<input id="(id_\w+)"[^>]*\sautofocus[\s>]', text(response))


@pytest.mark.django_db
def test_focus_is_on_the_name_first_and_on_the_password_after_a_wrong_one(client, staff):
    assert _autofocused(client.get(SIGN_IN)) == ["id_username"]
    wrong = client.post(SIGN_IN, {"username": staff["intake_clerk"].username, "password": "not-it"})
    assert wrong.status_code == 200
    # The name is kept: the clerk retypes only the password.
    assert _autofocused(wrong) == ["id_password"]


def test_a_nul_byte_in_the_name_is_refused_in_plain_chinese(client, db):
    # Django's own zh-Hans text for this says "empty string"; the project's catalogue fixes it.
    response = client.post(SIGN_IN, {"username": "clerk\x00", "password": "x"})
    assert response.status_code == 200
    assert "不能包含空字符（NUL）。" in response.content.decode()
    assert "空字符串" not in response.content.decode()
