"""A new install's first security administrator: ``manage.py issue_enrolment_code`` at the
server's console issues their one-time enrolment code (ADR 0012, amended)."""

from __future__ import annotations

import os
import pwd
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.staff import enrolment
from onewindow.staff.models import EnrolmentCode, IssuedFrom, StaffTOTPDevice
from onewindow.staff.tests.conftest import PASSWORD
from onewindow.staff.tests.test_second_factor import code_for
from onewindow.testing.factories import UserFactory, staff_with_role

CODE_LINE = re.compile(r"Enrolment code for (\S+): ([A-Z0-9]{8}) — valid once, until (\S+ \S+)\.")


def os_user() -> str:
    return pwd.getpwuid(os.geteuid()).pw_name


@pytest.fixture(autouse=True)
def no_sudo(monkeypatch):
    monkeypatch.delenv("SUDO_USER", raising=False)


@pytest.fixture(autouse=True)
def production_rules(settings):
    settings.STAFF_SECOND_FACTOR_ROLES = ["security_admin"]
    settings.STAFF_ENROLMENT_NEEDS_CODE = True


def issue(username: str) -> str:
    out = StringIO()
    call_command("issue_enrolment_code", username, stdout=out)
    return out.getvalue()


def test_the_first_security_administrator_enrols_with_a_code_from_the_console(db):
    first = staff_with_role(Role.SECURITY_ADMIN)
    printed = issue(first.username)
    zh, en = printed.strip().split("\n")
    match = CODE_LINE.fullmatch(en.split(" Hand it over")[0])
    assert match is not None, en
    name, code, _until = match.groups()
    assert name == first.username
    assert zh.startswith(f"{first.username} 的绑定码：{code}——仅可使用一次")
    row = EnrolmentCode.objects.get(user=first)
    assert (row.issued_by, row.issued_from, row.operator, row.used_at) == (
        None,
        IssuedFrom.CONSOLE,
        f"{os_user()} (uid {os.geteuid()})",
        None,
    )
    assert row.digest == enrolment.digest(code) and code not in row.digest
    audit = AuditLog.objects.get(action="staff.enrolment_code_issue")
    assert (audit.actor_id, audit.object_id, audit.allowed) == (None, str(first.pk), True)
    assert audit.detail == {
        "code": row.pk,
        "expires_at": row.expires_at.isoformat(),
        "voided": 0,
        "from": "console",
        "operator": f"{os_user()} (uid {os.geteuid()})",
        "operator_uid": os.geteuid(),
    }
    assert code not in str(audit.detail)
    # The security administrator signs in and enrols with it, like with a code from the admin.
    client = Client()
    client.post("/staff/sign-in/", {"username": first.username, "password": PASSWORD})
    assert client.get("/staff/second-factor/enrol/").status_code == 200
    device = StaffTOTPDevice.objects.get(user=first)
    done = client.post(
        "/staff/second-factor/enrol/",
        {"code": code_for(device), "enrolment_code": code, "next": "/staff/"},
    )
    assert (done.status_code, done["Location"]) == (302, "/staff/")
    row.refresh_from_db()
    assert row.used_at is not None
    assert StaffTOTPDevice.objects.get(user=first).confirmed is True


def test_a_new_console_code_voids_the_accounts_unused_one(db):
    first = staff_with_role(Role.SECURITY_ADMIN)
    old = CODE_LINE.search(issue(first.username)).group(2)
    printed = issue(first.username)
    new = CODE_LINE.search(printed).group(2)
    assert enrolment.code_state(first, old) == ("wrong", None)
    state, row = enrolment.code_state(first, new)
    assert state == "ok" and row.issued_from == IssuedFrom.CONSOLE
    assert printed.strip().split("\n")[2:] == [
        f"之前为 {first.username} 签发（在管理后台或此处）但尚未使用的 1 个绑定码已作废。",
        f"1 unused enrolment code(s) issued earlier for {first.username} (in the admin or "
        "here) no longer work.",
    ]


def test_the_console_says_how_many_codes_from_the_admin_it_voided(db):
    security_admin = staff_with_role(Role.SECURITY_ADMIN)
    clerk = UserFactory(username="clerk.zhao")
    clerk.save()
    from_admin = enrolment.issue_code(actor=security_admin, user=clerk)
    first = issue(clerk.username)
    assert first.strip().split("\n")[-1] == (
        "1 unused enrolment code(s) issued earlier for clerk.zhao (in the admin or here) no "
        "longer work."
    )
    assert enrolment.code_state(clerk, from_admin) == ("wrong", None)
    audit = AuditLog.objects.filter(action="staff.enrolment_code_issue").order_by("pk").last()
    assert audit.detail["voided"] == 1
    # Nothing left to void: no such line.
    again = EnrolmentCode.objects.filter(user=clerk).update(used_at=audit.at)
    assert again == 1
    assert "no longer work" not in issue(clerk.username)


def test_the_operator_is_the_effective_uid_not_the_user_variables(db, monkeypatch):
    first = staff_with_role(Role.SECURITY_ADMIN)
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    monkeypatch.setenv("SUDO_USER", "bob")
    issue(first.username)
    expected = f"{os_user()} (uid {os.geteuid()}), SUDO_USER bob (claimed)"
    assert os_user() != "alice"
    assert EnrolmentCode.objects.get(user=first).operator == expected
    audit = AuditLog.objects.get(action="staff.enrolment_code_issue")
    assert (
        audit.detail["operator"],
        audit.detail["operator_uid"],
        audit.detail["sudo_user_claimed"],
    ) == (expected, os.geteuid(), "bob")


@pytest.mark.parametrize(
    ("username", "zh", "en"),
    [
        (
            "nobody.here",
            "没有用户名为 nobody.here 的账号。",
            "There is no account with the user name",
        ),
        ("", "请给出账号的用户名", "Give the user name of an account (at most 150 characters)."),
        ("a\x00b", "请给出账号的用户名", "Give the user name of an account"),
        ("x" * 151, "请给出账号的用户名", "Give the user name of an account"),
    ],
)
def test_an_unknown_or_malformed_name_is_refused_in_both_languages(db, username, zh, en):
    with pytest.raises(CommandError) as refused:
        issue(username)
    first, second = str(refused.value).split("\n")
    assert first.startswith(zh) and second.startswith(en)
    assert not EnrolmentCode.objects.exists()
    assert not AuditLog.objects.filter(action="staff.enrolment_code_issue").exists()


def test_a_switched_off_account_is_refused(db):
    account = UserFactory(username="gone.away", is_active=False)
    account.save()
    with pytest.raises(CommandError) as refused:
        issue("gone.away")
    assert str(refused.value) == (
        "账号 gone.away 已停用：请先启用，再绑定第二重验证。\n"
        "The account gone.away is switched off: switch it on before it enrols."
    )
    assert not EnrolmentCode.objects.exists()


def test_the_admin_lists_a_console_code_with_where_it_came_from(db):
    first = staff_with_role(Role.SECURITY_ADMIN)
    code = CODE_LINE.search(issue(first.username)).group(2)
    browser = Client()
    browser.force_login(first)
    # The security administrator's own session owes its second factor; give it one.
    device = StaffTOTPDevice.objects.create(user=first, name="phone", confirmed=True)
    browser.post("/staff/second-factor/", {"code": code_for(device), "next": "/staff/"})
    listing = browser.get("/admin/staff/enrolmentcode/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "服务器控制台（manage.py issue_enrolment_code）" in html
    assert code not in html
