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

Two more, run by ``check --deploy`` (``scripts/serve.sh`` runs it before the servers start):
``keys_read_the_data`` — the configured keys read the data already stored (``E003``, ``E004``);
``monitoring_not_public`` — ``/metrics`` and ``/readyz`` are not opened to everyone by a TLS
proxy on the same machine (``E005``).
"""

from __future__ import annotations

import ipaddress
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


# --- The configured keys read the data already stored ---------------------------------------------
# Where encrypted values live, as (app label, model, field): apps above core are looked up by
# name (``apps.get_model``), never imported; a model that is not installed is passed over. The
# newest row of each is probed: its ciphertext names the data key it was sealed with
# (``v1.<key id>.…``, core.crypto), and that key must be among ``DATA_ENCRYPTION_KEYS``.
KEY_PROBES: list[tuple[str, str, str]] = [
    ("applicants", "Person", "id_number_encrypted"),
    ("staff", "StaffTOTPDevice", "key_encrypted"),
]


def _stored_key_ids() -> list[tuple[str, str]]:
    """``(where, key id)`` of the newest encrypted value of each probe that has one."""
    from django.apps import apps

    found = []
    for app_label, model_name, field in KEY_PROBES:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        value = (
            model._default_manager.exclude(**{field: ""})
            .order_by("-pk")
            .values_list(field, flat=True)
            .first()
        )
        if value:
            parts = str(value).split(".", 2)
            found.append((f"{app_label}.{model_name}.{field}", parts[1] if len(parts) == 3 else ""))
    return found


def _audit_key_matches() -> bool | None:
    """Whether ``AUDIT_CHAIN_KEY`` gives the field MACs of the newest sealed audit row (None when
    nothing is sealed yet)."""
    from onewindow.core.audit_chain import chain_key, field_macs_of
    from onewindow.core.models import AuditLog

    row = AuditLog.objects.filter(seq__isnull=False).order_by("-seq").first()
    if row is None or not row.field_macs:
        return None
    return bool(field_macs_of(row, chain_key()) == row.field_macs)


def keys_read_the_data(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """``check --deploy`` (run by ``scripts/serve.sh`` before the servers start): the configured
    ``DATA_ENCRYPTION_KEYS`` include the key of the stored personal data and TOTP keys, and
    ``AUDIT_CHAIN_KEY`` verifies the audit chain — otherwise new keys were generated (or the
    wrong ones given) for an existing database, and serving it would write data no one can
    read together with data the servers cannot read."""
    from onewindow.core.crypto import configured_key_ids

    try:
        stored = _stored_key_ids()
        audit_ok = _audit_key_matches()
    except DatabaseError:  # not migrated yet: nothing stored to read
        return []
    configured = set(configured_key_ids())
    errors = []
    unreadable = [
        f"{where} (key {key_id or '?'})" for where, key_id in stored if key_id not in configured
    ]
    if unreadable:
        listed = ", ".join(unreadable)
        errors.append(
            Error(
                f"The configured DATA_ENCRYPTION_KEYS ({', '.join(sorted(configured))}) cannot "
                f"decrypt the data already stored: {listed}. "
                f"/ 当前配置的 DATA_ENCRYPTION_KEYS 无法解密已存储的数据：{listed}。",
                hint=(
                    "Give the servers the keys this database was written with (the local trial: "
                    "the secrets file named by scripts/serve.sh; a backup's MANIFEST names the "
                    "key ids). Never serve this database with new keys. "
                    "/ 请使用写入该数据库时的密钥（本地试用：scripts/serve.sh 所述的密钥文件；"
                    "备份的 MANIFEST 列出密钥编号）。切勿以新密钥运行此数据库。"
                ),
                id="onewindow.core.E003",
            )
        )
    if audit_ok is False:
        errors.append(
            Error(
                "The configured AUDIT_CHAIN_KEY does not verify the sealed audit trail. "
                "/ 当前配置的 AUDIT_CHAIN_KEY 无法校验已封存的审计记录。",
                hint=(
                    "Give the servers the AUDIT_CHAIN_KEY this database was sealed with. "
                    "/ 请使用封存该审计记录时的 AUDIT_CHAIN_KEY。"
                ),
                id="onewindow.core.E004",
            )
        )
    return errors


# --- /metrics and /readyz behind a proxy on the same machine --------------------------------------
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def _covers_loopback(entry: str) -> bool:
    try:
        network = ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        return False
    return any(
        network.overlaps(loopback) for loopback in LOOPBACK if network.version == loopback.version
    )


def monitoring_not_public(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """With ``DEBUG=0`` behind a TLS proxy (``SECURE_PROXY_SSL_HEADER``) and no
    ``TRUSTED_PROXIES``, every client reads as the proxy's address — loopback for a proxy on the
    same machine — so an allow-list that admits loopback admits everyone."""
    if settings.DEBUG or not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return []
    if getattr(settings, "TRUSTED_PROXIES", None):
        return []
    allowed = [e for e in getattr(settings, "METRICS_ALLOWED_ADDRESSES", []) if _covers_loopback(e)]
    if not allowed:
        return []
    listed = ", ".join(allowed)
    return [
        Error(
            f"Behind a TLS proxy without TRUSTED_PROXIES every client has the proxy's address, "
            f"so METRICS_ALLOWED_ADDRESSES ({listed}) would open /metrics and /readyz to anyone. "
            f"/ 在 TLS 代理之后且未设置 TRUSTED_PROXIES 时，所有客户端的地址都是代理的地址，"
            f"METRICS_ALLOWED_ADDRESSES（{listed}）会使 /metrics 与 /readyz 对任何人开放。",
            hint=(
                "Set TRUSTED_PROXIES to the proxy's address, or set METRICS_TOKEN and list only "
                "the monitoring system's own (non-loopback) addresses in "
                "METRICS_ALLOWED_ADDRESSES (e.g. METRICS_ALLOWED_ADDRESSES=10.0.0.9). "
                "/ 请将代理地址设入 TRUSTED_PROXIES；或设置 METRICS_TOKEN，"
                "并在 METRICS_ALLOWED_ADDRESSES 中只列出监控系统自身的非回环地址。"
            ),
            id="onewindow.core.E005",
        )
    ]
