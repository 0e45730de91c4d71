"""Production does not run as a database role that could rewrite the audit trail (ADR 0011):
the system check ``onewindow.core.E001``/``E002`` on PostgreSQL.

Run it on PostgreSQL with its own test database:
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow_auditrole pytest -q --create-db
src/onewindow/core/tests/test_audit_role.py``. On SQLite (no roles) the check has nothing to
say, which the first test states.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core import checks
from django.db import connection

from onewindow.core.audit import audit_record
from onewindow.core.audit_chain import audit_seal
from onewindow.core.checks import audit_role_checked, fix_sql

pytestmark = pytest.mark.django_db
APP_ROLE = "onewindow_app_role_test"


def ids(errors: list[checks.CheckMessage]) -> list[str]:
    return [error.id or "" for error in errors]


@contextmanager
def as_app_role(*grants: str) -> Iterator[None]:
    """Inside the test's transaction: a role that does not own the tables, with the grants."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
        for grant in grants:
            cursor.execute(grant)
        cursor.execute(f"SET ROLE {APP_ROLE}")
        try:
            yield
        finally:
            cursor.execute("RESET ROLE")


def test_the_check_is_registered_and_has_nothing_to_say_off_postgresql(settings):
    settings.DEBUG = False
    assert audit_role_checked in checks.registry.registry.registered_checks
    if connection.vendor != "postgresql":
        assert audit_role_checked() == []
        return
    assert ids(audit_role_checked()) == ["onewindow.core.E001", "onewindow.core.E002"]


def test_on_postgresql_the_owner_role_is_refused_naming_the_fix(settings):
    settings.DEBUG = False
    if connection.vendor != "postgresql":
        assert audit_role_checked() == []
        return
    errors = audit_role_checked()
    assert ids(errors) == ["onewindow.core.E001", "onewindow.core.E002"]
    assert "owns the audit tables (core_auditlog, core_auditsealhead)" in errors[0].msg
    assert "ONEWINDOW_AUDIT_OWNER_OK=1" in (errors[0].hint or "")
    assert "core_auditlog:UPDATE, core_auditlog:DELETE, core_auditlog:TRUNCATE" in errors[1].msg
    assert fix_sql(connection.settings_dict["USER"] or "postgres") in (errors[1].hint or "")


def test_on_postgresql_a_non_owner_with_every_privilege_is_refused(settings):
    settings.DEBUG = False
    if connection.vendor != "postgresql":
        assert audit_role_checked() == []
        return
    with as_app_role(f"GRANT ALL ON core_auditlog, core_auditsealhead TO {APP_ROLE}"):
        errors = audit_role_checked()
    assert ids(errors) == ["onewindow.core.E002"]
    assert errors[0].msg.startswith(
        f"The application's database role {APP_ROLE} may rewrite or erase the audit trail "
        "(core_auditlog:UPDATE, core_auditlog:DELETE, core_auditlog:TRUNCATE, "
        "core_auditsealhead:DELETE, core_auditsealhead:TRUNCATE)."
    )


def test_on_postgresql_the_role_the_fix_leaves_passes_and_can_still_write_and_seal(settings):
    settings.DEBUG = False
    if connection.vendor != "postgresql":
        assert audit_role_checked() == []
        return
    grants = [
        f"GRANT ALL ON core_auditlog, core_auditsealhead TO {APP_ROLE}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}",
        *(statement.strip() for statement in fix_sql(APP_ROLE).split(";") if statement.strip()),
    ]
    with as_app_role(*grants):
        assert audit_role_checked() == []
        audit_record(actor=None, action="test.as_app_role", object_type="t")
        assert audit_seal().sealed >= 1


def test_the_owner_may_run_a_migration_when_it_says_so(settings):
    settings.DEBUG = False
    settings.AUDIT_OWNER_OK = True
    assert audit_role_checked() == []


def test_the_embedded_demo_is_not_checked(settings):
    settings.DEBUG = True
    assert audit_role_checked() == []
