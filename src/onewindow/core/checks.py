"""System check: production does not run as a database role that can rewrite the audit trail.

The audit guard is a set of triggers (``core.audit_guard``), and whoever owns the table (or is a
superuser) can drop them; whoever holds DELETE or TRUNCATE on it, or UPDATE on its columns
other than the seal's, is one dropped trigger away from erasing history. So with ``DEBUG=0`` on
PostgreSQL, every command that runs the system checks (``check --deploy``, ``runserver``,
``migrate``…) stops with an error when the connected role:

- owns ``core_auditlog`` or ``core_auditsealhead`` (or is a member of the owner role, or a
  superuser) — ``onewindow.core.E001``;
- holds table-wide UPDATE, or DELETE or TRUNCATE, on ``core_auditlog``, or DELETE or TRUNCATE
  on ``core_auditsealhead`` — ``onewindow.core.E002``.

Migrations are run by the owner role (another ``DATABASE_URL``) with
``ONEWINDOW_AUDIT_OWNER_OK=1``, which turns this check off for that command (README).
SQLite has no roles: nothing to check there.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

TABLES = ("core_auditlog", "core_auditsealhead")
# What the application role may not hold, per table (the seal needs UPDATE of four columns of
# the log, granted column by column, and UPDATE of the head, which its trigger only moves on).
REFUSED = {
    "core_auditlog": ("UPDATE", "DELETE", "TRUNCATE"),
    "core_auditsealhead": ("DELETE", "TRUNCATE"),
}
SEAL_COLUMNS = "seq, prev_hash, row_hash, field_macs"


def fix_sql(role: str) -> str:
    """The statements (run by the owner) that leave ``role`` what it needs and no more."""
    return (
        f"REVOKE UPDATE, DELETE, TRUNCATE ON core_auditlog FROM {role}; "
        f"GRANT UPDATE ({SEAL_COLUMNS}) ON core_auditlog TO {role}; "
        f"REVOKE DELETE, TRUNCATE ON core_auditsealhead FROM {role};"
    )


def _facts(connection: Any) -> tuple[str, list[str], list[str]] | None:
    """The role, the audit tables it owns (or may act as the owner of), and its refused
    privileges as ``TABLE:PRIVILEGE``; ``None`` before the tables exist."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, to_regclass('core_auditlog') IS NOT NULL")
        role, migrated = cursor.fetchone()
        if not migrated:
            return None
        owned = []
        held = []
        for table in TABLES:
            cursor.execute(
                "SELECT pg_has_role(current_user, c.relowner, 'MEMBER') "
                "FROM pg_class c WHERE c.oid = to_regclass(%s)",
                [table],
            )
            found = cursor.fetchone()
            if found is None:  # the head table before migration 0003
                continue
            if found[0]:
                owned.append(table)
            for privilege in REFUSED[table]:
                cursor.execute(
                    "SELECT has_table_privilege(current_user, %s, %s)", [table, privilege]
                )
                if cursor.fetchone()[0]:
                    held.append(f"{table}:{privilege}")
    return str(role), owned, held


def audit_role_checked(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The check itself (registered by ``CoreConfig.ready``)."""
    if settings.DEBUG or getattr(settings, "AUDIT_OWNER_OK", False):
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return []
    try:
        facts = _facts(connection)
    except DatabaseError:  # no database to ask yet: other checks and commands will say so
        return []
    if facts is None:
        return []
    role, owned, held = facts
    errors = []
    if owned:
        errors.append(
            Error(
                f"The application's database role {role} owns the audit tables "
                f"({', '.join(owned)}) and could drop their guard: run the application as a "
                "role that does not own them. "
                f"/ 应用的数据库角色 {role} 是审计表（{', '.join(owned)}）的所有者，"
                "可删除其防篡改触发器：请以非所有者角色运行应用。",
                hint=(
                    "Migrate with the owner's DATABASE_URL and ONEWINDOW_AUDIT_OWNER_OK=1; run "
                    "the application with another role's DATABASE_URL, given by the owner: "
                    f"{fix_sql('<app role>')} (README, production) "
                    "/ 以所有者的 DATABASE_URL 并设 ONEWINDOW_AUDIT_OWNER_OK=1 执行迁移；"
                    "应用使用另一角色的 DATABASE_URL。"
                ),
                id="onewindow.core.E001",
            )
        )
    if held:
        errors.append(
            Error(
                f"The application's database role {role} may rewrite or erase the audit trail "
                f"({', '.join(held)}). "
                f"/ 应用的数据库角色 {role} 有权改写或删除审计记录（{', '.join(held)}）。",
                hint=f"As the tables' owner: {fix_sql(role)} / 请由表的所有者执行上述语句。",
                id="onewindow.core.E002",
            )
        )
    return errors
