"""``manage.py security_admin_create``: the first security administrator of a new install."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from onewindow.core.models import AuditLog
from onewindow.org.codes import Role
from onewindow.org.models import RoleAssignment
from onewindow.org.permissions import Action, can

pytestmark = pytest.mark.django_db

GOOD = "Lw-2026-long-enough-passphrase"


def run(username, password, monkeypatch, *extra):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command("security_admin_create", username, "--password-stdin", *extra, stdout=out)
    return out.getvalue()


def test_the_first_security_administrator_is_created_with_that_role_only(monkeypatch):
    out = run("sec1", GOOD, monkeypatch, "--full-name", "安全员")
    user = get_user_model().objects.get(username="sec1")
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == [
        Role.SECURITY_ADMIN
    ]
    assert (user.is_superuser, user.is_staff, user.check_password(GOOD)) == (False, True, True)
    assert can(user, Action.ROLE_GRANT) is True
    assert can(user, Action.AUDIT_TRAIL_VIEW) is False
    row = AuditLog.objects.get(action="org.security_admin_create")
    assert (row.actor_id, row.detail["from"], row.detail["operator_uid"] >= 0) == (
        None,
        "console",
        True,
    )
    assert "issue_enrolment_code sec1" in out


def test_a_second_one_is_refused_and_nothing_is_created(monkeypatch):
    run("sec1", GOOD, monkeypatch)
    with pytest.raises(CommandError, match="A security administrator exists already"):
        run("sec2", GOOD, monkeypatch)
    assert not get_user_model().objects.filter(username="sec2").exists()
    assert RoleAssignment.objects.filter(role=Role.SECURITY_ADMIN).count() == 1


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", GOOD, "Give a user name"),
        ("bad\x00name", GOOD, "Give a user name"),
        ("sec1", "", "Give a password"),
        ("sec1", "short", "too short"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(monkeypatch, username, password, message):
    with pytest.raises(CommandError, match=message):
        run(username, password, monkeypatch)
    assert RoleAssignment.objects.count() == 0
    assert get_user_model().objects.count() == 0


def test_a_taken_user_name_is_refused(monkeypatch):
    get_user_model().objects.create_user(username="sec1", password=GOOD)
    with pytest.raises(CommandError, match="is taken"):
        run("sec1", GOOD, monkeypatch)
    assert RoleAssignment.objects.count() == 0


def test_at_the_terminal_two_different_passwords_create_nothing(monkeypatch):
    typed = iter([GOOD, GOOD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    with pytest.raises(CommandError, match="The two passwords differ"):
        call_command("security_admin_create", "sec1", stdout=io.StringIO())
    assert get_user_model().objects.count() == 0


def test_at_the_terminal_the_same_password_twice_creates_the_account(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": GOOD)
    call_command("security_admin_create", "sec1", stdout=io.StringIO())
    assert get_user_model().objects.get(username="sec1").check_password(GOOD)
