"""The audit trail is append-only and tamper-evident (ADR 0011), on SQLite and on PostgreSQL.

Run on PostgreSQL with its own test database, e.g.
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow_audit pytest --create-db
src/onewindow/core/tests/test_audit_chain.py``.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from onewindow.core import audit_chain, audit_guard
from onewindow.core.audit import audit_record
from onewindow.core.audit_chain import GENESIS, audit_seal, audit_verify
from onewindow.core.models import AuditLog, AuditSealHead
from onewindow.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[4]


def write_rows(count: int) -> list[AuditLog]:
    user = UserFactory()
    return [
        audit_record(
            actor=user if number % 2 else None,
            action=f"test.step_{number}",
            object_type="test.thing",
            object_id=str(number),
            object_repr=f"事项 {number}",
            allowed=bool(number % 3),
            detail={"n": number, "nested": {"b": [1, 2.5, "三"], "a": None}},
        )
        for number in range(1, count + 1)
    ]


def tamper(sql: str, params: list) -> None:
    """What someone with write access to the database could do: lift the guard, write."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # no deferred checks pending when the DDL runs
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with audit_guard.guard_lifted(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_output(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def verify_failure(*args: str) -> CommandError:
    with pytest.raises(CommandError) as raised:
        call_command("audit_verify", *args, stdout=io.StringIO())
    assert raised.value.returncode == 1
    return raised.value


# --- the guard -------------------------------------------------------------------------------


def test_the_guard_is_installed_by_the_migrations():
    assert audit_guard.installed(connection) is True


def test_an_audit_row_cannot_be_changed_through_the_orm():
    row = write_rows(1)[0]
    row.action = "test.rewritten"
    with pytest.raises(IntegrityError, match="audit rows cannot be changed"), transaction.atomic():
        row.save()
    with pytest.raises(IntegrityError, match="audit rows cannot be changed"), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).update(object_repr="someone else")
    assert AuditLog.objects.get(pk=row.pk).action == "test.step_1"


def test_an_audit_row_cannot_be_deleted_through_the_orm():
    row = write_rows(1)[0]
    with (
        pytest.raises(IntegrityError, match="audit rows cannot be changed or deleted"),
        transaction.atomic(),
    ):
        row.delete()
    with (
        pytest.raises(IntegrityError, match="audit rows cannot be changed or deleted"),
        transaction.atomic(),
    ):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.filter(pk=row.pk).exists()


def test_an_audit_row_cannot_be_changed_or_deleted_with_raw_sql():
    row = write_rows(1)[0]
    statements = [
        ("UPDATE core_auditlog SET action = %s WHERE id = %s", ["test.rewritten", row.pk]),
        ("UPDATE core_auditlog SET allowed = %s WHERE id = %s", [not row.allowed, row.pk]),
        ("DELETE FROM core_auditlog WHERE id = %s", [row.pk]),
        ("DELETE FROM core_auditlog", []),
    ]
    for sql, params in statements:
        with (
            pytest.raises(IntegrityError, match="审计记录不可修改或删除"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
    assert AuditLog.objects.get(pk=row.pk).action == "test.step_1"


def test_the_audit_table_cannot_be_emptied_at_once():
    write_rows(1)
    statement = {
        "postgresql": "TRUNCATE core_auditlog",
        # SQLite has no TRUNCATE: an unconditional DELETE is its form, refused above too.
        "sqlite": "DELETE FROM core_auditlog",
    }[connection.vendor]
    with (
        pytest.raises(IntegrityError, match="审计记录不可修改或删除"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else: "pending trigger events"
        cursor.execute(statement)
    assert AuditLog.objects.count() == 1


def test_a_sealed_row_cannot_be_sealed_again_or_unsealed():
    row = write_rows(1)[0]
    audit_seal()
    for sql, params in [
        ("UPDATE core_auditlog SET seq = %s WHERE id = %s", [99, row.pk]),
        ("UPDATE core_auditlog SET seq = NULL WHERE id = %s", [row.pk]),
        ("UPDATE core_auditlog SET row_hash = %s WHERE id = %s", ["0" * 64, row.pk]),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert AuditLog.objects.get(pk=row.pk).seq == 1


def test_the_seal_cannot_change_a_rows_fields_while_filling_its_seal():
    row = write_rows(1)[0]
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditlog SET seq = 1, row_hash = %s, object_repr = %s WHERE id = %s",
            ["f" * 64, "forged", row.pk],
        )
    assert AuditLog.objects.get(pk=row.pk).seq is None


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_table_under_tests_and_leaves_the_guard_in_place():
    write_rows(2)
    audit_seal()
    call_command("flush", interactive=False, verbosity=0)
    assert (AuditLog.objects.count(), AuditSealHead.objects.count()) == (0, 0)
    assert audit_guard.installed(connection) is True
    row = write_rows(1)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        row.delete()
    # A reset database begins a new chain, and a new stored head with it.
    assert audit_seal().head_seq == 1
    assert AuditSealHead.objects.get().seq == 1
    assert audit_verify().broken is None


def test_flush_refuses_to_empty_the_audit_trail_in_production_mode(tmp_path):
    """DEBUG=0 and not under tests: the trail is kept; a demo (DEBUG=1) may be reset."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="onewindow.config.settings",
        ONEWINDOW_VAR=str(tmp_path),
        TASK_BACKEND="sync",
        SECRET_KEY="a-production-secret-key-" + "x7Qp2Lm9Zr4Tw8Ys1Vb6Nc3Hd5Jf0Kg" * 2,
        DATA_ENCRYPTION_KEYS=base64.urlsafe_b64encode(b"k" * 32).decode(),
        BLIND_INDEX_KEY=base64.urlsafe_b64encode(b"b" * 32).decode(),
        AUDIT_CHAIN_KEY=base64.urlsafe_b64encode(b"c" * 32).decode(),
        ALLOWED_HOSTS="onewindow.example.gov.cn",
    )

    def manage(*args: str, debug: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**env, "DEBUG": debug},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    assert manage("migrate", "--no-input", "-v", "0", debug="0").returncode == 0
    write = (
        "from onewindow.core.audit import audit_record; "
        "audit_record(actor=None, action='t', object_type='t')"
    )
    assert manage("shell", "-v", "0", "-c", write, debug="0").returncode == 0
    refused = manage("flush", "--no-input", debug="0")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-2:] == [
        "CommandError: flush 被拒绝：它会清空必须保留的审计记录。"
        "只有演示环境（DEBUG=1）或测试数据库可以清空。",
        "flush refused: it would empty the audit trail, which must be kept. Only a demo "
        "(DEBUG=1) or a test database may be flushed.",
    ]
    count = "from onewindow.core.models import AuditLog; print(AuditLog.objects.count())"
    assert manage("shell", "-v", "0", "-c", count, debug="0").stdout == "1\n"
    assert manage("flush", "--no-input", debug="1").returncode == 0
    assert manage("shell", "-v", "0", "-c", count, debug="1").stdout == "0\n"


# --- the seal --------------------------------------------------------------------------------


def test_the_seal_chains_rows_in_id_order_each_carrying_the_previous_rows_hash():
    rows = write_rows(3)
    outcome = audit_seal()
    sealed = list(AuditLog.objects.order_by("id"))
    assert outcome.sealed == 3
    assert [row.seq for row in sealed] == [1, 2, 3]
    assert [row.pk for row in sealed] == [row.pk for row in rows]
    assert sealed[0].prev_hash == GENESIS
    assert sealed[1].prev_hash == sealed[0].row_hash
    assert sealed[2].prev_hash == sealed[1].row_hash
    assert (outcome.head_seq, outcome.head_hash) == (3, sealed[2].row_hash)
    assert sorted(sealed[0].field_macs) == sorted(audit_chain.CHAINED_FIELDS)
    assert audit_seal().sealed == 0


def test_the_seal_works_in_batches_and_up_to_a_limit():
    write_rows(5)
    assert audit_seal(batch=2, limit=3).sealed == 3
    assert AuditLog.objects.filter(seq__isnull=True).count() == 2
    assert audit_seal(batch=2).sealed == 2
    assert list(AuditLog.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_a_row_committed_late_behind_a_higher_id_is_sealed_next_not_skipped():
    first = write_rows(1)[0]
    # The transaction that took the lower id commits after the seal chained the higher one.
    higher = AuditLog.objects.create(id=first.pk + 100, action="test.early", object_type="t")
    audit_seal()
    late = AuditLog.objects.create(id=first.pk + 50, action="test.late", object_type="t")
    assert audit_seal().sealed == 1
    late.refresh_from_db()
    higher.refresh_from_db()
    assert (higher.seq, late.seq) == (2, 3)
    assert late.prev_hash == higher.row_hash
    assert audit_verify().broken is None


def test_the_seal_writes_the_chain_head_to_the_log(caplog):
    write_rows(2)
    with caplog.at_level(logging.INFO, logger="onewindow.core.audit_chain"):
        outcome = audit_seal()
    lines = [r.getMessage() for r in caplog.records if r.name == "onewindow.core.audit_chain"]
    assert lines == [f"audit chain sealed 2 rows; head 2:{outcome.head_hash}"]


def test_the_seal_is_a_periodic_task():
    from onewindow.core.tasks import periodic_tasks

    assert periodic_tasks()["onewindow.core.audit_chain.audit_chain_seal"] == 60.0


def test_the_seal_command_seals_and_names_the_head_in_both_languages():
    write_rows(2)
    out = io.StringIO()
    call_command("audit_seal", stdout=out)
    head = AuditLog.objects.get(seq=2).row_hash
    assert out.getvalue() == (
        f"已封存审计记录 2 条；链尾 2:{head}。\nAudit rows sealed: 2; chain head 2:{head}.\n"
    )


def test_the_chain_key_comes_from_the_setting_when_set(settings):
    write_rows(1)
    audit_seal()
    assert audit_verify().broken is None
    settings.AUDIT_CHAIN_KEY = "b" * 43  # 32 bytes, url-safe base64
    broken = audit_verify().broken
    assert broken is not None
    assert (broken.kind, broken.seq) == (audit_chain.CONTENT, 1)
    settings.AUDIT_CHAIN_KEY = "short"
    with pytest.raises(ValueError, match="at least 32 bytes"):
        audit_chain.chain_key()


# --- verification ----------------------------------------------------------------------------


def test_an_intact_chain_verifies_and_unsealed_rows_are_counted():
    write_rows(3)
    audit_seal()
    write_rows(1)
    oldest = AuditLog.objects.get(seq__isnull=True).at.isoformat()
    head = AuditLog.objects.get(seq=3).row_hash
    assert verify_output() == (
        f"尚未封存的记录：1 条（最早写于 {oldest}）。\n"
        f"Rows not yet sealed: 1 (the oldest written at {oldest}).\n"
        f"审计链完整；已核验 3 条；链尾 3:{head}。\n"
        f"Audit chain intact; rows verified: 3; chain head 3:{head}.\n"
    )


def test_verify_with_seal_chains_the_waiting_rows_first():
    write_rows(2)
    head_line = verify_output("--seal").splitlines()[1]
    assert head_line.startswith("Audit chain intact; rows verified: 2; chain head 2:")


def test_a_changed_field_is_named_with_its_row():
    rows = write_rows(4)
    audit_seal()
    tamper("UPDATE core_auditlog SET object_repr = %s WHERE id = %s", ["改过的", rows[2].pk])
    error = verify_failure()
    assert str(error) == (
        f"审计链断裂于记录 {rows[2].pk}（第 3 位）：封存后被改动的字段：object_repr。\n"
        f"Audit chain broken at row {rows[2].pk} (position 3): changed since it was sealed: "
        "object_repr."
    )


def test_changed_detail_and_actor_are_both_named():
    rows = write_rows(2)
    audit_seal()
    other = UserFactory()
    tamper(
        "UPDATE core_auditlog SET actor_id = %s, detail = %s WHERE id = %s",
        [other.pk, '{"n": 1}', rows[0].pk],
    )
    broken = audit_verify().broken
    assert broken is not None
    assert (broken.kind, broken.row_id, broken.fields) == (
        audit_chain.CONTENT,
        rows[0].pk,
        ("actor_id", "detail"),
    )


def test_a_changed_time_is_found():
    rows = write_rows(2)
    audit_seal()
    moved = connection.ops.adapt_datetimefield_value(rows[1].at.replace(year=2020))
    tamper("UPDATE core_auditlog SET at = %s WHERE id = %s", [moved, rows[1].pk])
    broken = audit_verify().broken
    assert broken is not None
    assert (broken.row_id, broken.fields) == (rows[1].pk, ("at",))


def test_a_deleted_row_is_found_at_the_row_after_the_gap():
    rows = write_rows(4)
    audit_seal()
    tamper("DELETE FROM core_auditlog WHERE id = %s", [rows[1].pk])
    error = verify_failure()
    assert str(error) == (
        f"审计链断裂于记录 {rows[2].pk}（第 3 位）：第 2 至 2 位的记录缺失（已被删除）。\n"
        f"Audit chain broken at row {rows[2].pk} (position 3): positions 2 to 2 are missing "
        "(rows deleted)."
    )


def test_a_deleted_first_row_is_found():
    rows = write_rows(2)
    audit_seal()
    tamper("DELETE FROM core_auditlog WHERE id = %s", [rows[0].pk])
    broken = audit_verify().broken
    assert broken is not None
    assert (broken.kind, broken.row_id, broken.missing) == (audit_chain.GAP, rows[1].pk, (1, 1))


def test_a_rewritten_hash_breaks_its_row_and_a_rewritten_link_breaks_the_next():
    rows = write_rows(3)
    audit_seal()
    tamper("UPDATE core_auditlog SET row_hash = %s WHERE id = %s", ["a" * 64, rows[0].pk])
    error = verify_failure()
    assert str(error) == (
        f"审计链断裂于记录 {rows[0].pk}（第 1 位）："
        "它存的哈希或字段校验值被改动（字段与封存时相同）。\n"
        f"Audit chain broken at row {rows[0].pk} (position 1): its stored hash or field checks "
        "were altered (the fields are as sealed)."
    )


def test_a_rewritten_link_is_found_at_its_row_with_both_hashes():
    rows = write_rows(3)
    audit_seal()
    second = AuditLog.objects.get(pk=rows[1].pk)
    tamper("UPDATE core_auditlog SET prev_hash = %s WHERE id = %s", ["b" * 64, rows[2].pk])
    error = verify_failure()
    assert str(error) == (
        f"审计链断裂于记录 {rows[2].pk}（第 3 位）：它记下的上一条哈希与上一条记录不符"
        f"（应为 {second.row_hash}，实为 {'b' * 64}）。\n"
        f"Audit chain broken at row {rows[2].pk} (position 3): its link is not the previous "
        f"row's hash (expected {second.row_hash}, found {'b' * 64})."
    )


def test_a_forged_row_inserted_sealed_without_the_key_is_found():
    write_rows(2)
    audit_seal()
    forged = AuditLog.objects.create(action="test.forged", object_type="t")
    head = AuditLog.objects.get(seq=2).row_hash
    tamper(
        "UPDATE core_auditlog SET seq = 3, prev_hash = %s, row_hash = %s WHERE id = %s",
        [head, "c" * 64, forged.pk],
    )
    broken = audit_verify().broken
    assert broken is not None
    assert (broken.kind, broken.row_id, broken.fields) == (
        audit_chain.CONTENT,
        forged.pk,
        tuple(audit_chain.CHAINED_FIELDS),
    )


def test_rows_cut_off_the_end_are_found_against_a_head_from_the_log():
    rows = write_rows(3)
    outcome = audit_seal()
    second = AuditLog.objects.get(pk=rows[1].pk)
    # Someone who can lift the guard cuts the last row and moves the stored head back with it:
    tamper("DELETE FROM core_auditlog WHERE id = %s", [rows[2].pk])
    tamper("UPDATE core_auditsealhead SET seq = 2, row_hash = %s WHERE id = 1", [second.row_hash])
    assert audit_verify().broken is None  # then the database alone cannot tell a shorter chain
    error = verify_failure("--head", f"3:{outcome.head_hash}")
    assert str(error) == (
        "审计链未到达给定的链尾：链止于第 2 位，链尾在第 3 位；其后的记录被截去。\n"
        "Audit chain does not reach the given head: it ends at position 2, the head is at "
        "position 3; rows after it were cut off."
    )


def test_a_head_that_is_not_on_the_chain_is_reported_at_its_position():
    rows = write_rows(3)
    audit_seal()
    broken = audit_verify(head=(2, "d" * 64)).broken
    assert broken is not None
    assert (broken.kind, broken.row_id, broken.seq) == (audit_chain.HEAD, rows[1].pk, 2)
    assert verify_output("--head", f"3:{audit_chain.chain_head()[1]}").startswith(
        "审计链完整；已核验 3 条"
    )


def test_a_malformed_head_is_refused_in_both_languages():
    with pytest.raises(CommandError) as raised:
        call_command("audit_verify", "--head", "x:y", stdout=io.StringIO())
    assert str(raised.value) == (
        "--head 须为位置和哈希：SEQ:HASH（64 位十六进制）。\n"
        "--head must be a position and a hash: SEQ:HASH (64 hex digits)."
    )


# --- the stored head: a chain begun again is not intact -------------------------------------


def test_the_seal_moves_the_stored_head_with_the_chain():
    write_rows(3)
    outcome = audit_seal()
    head = AuditSealHead.objects.get()
    assert (head.seq, head.row_hash) == (3, outcome.head_hash)


def test_the_stored_head_cannot_be_deleted_or_moved_back():
    write_rows(2)
    audit_seal()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditSealHead.objects.all().delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditSealHead.objects.update(seq=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditSealHead.objects.update(seq=0, row_hash=GENESIS)
    assert AuditSealHead.objects.get().seq == 2


def test_a_chain_emptied_and_begun_again_is_broken_and_never_sealed():
    write_rows(3)
    audit_seal()
    tamper("DELETE FROM core_auditlog", [])
    write_rows(5)  # more rows than the stored head's position: still not a chain
    with pytest.raises(audit_chain.SealRefused):
        audit_seal()
    assert AuditLog.objects.filter(seq__isnull=False).count() == 0
    error = verify_failure()
    assert str(error) == (
        "审计链断裂：链止于第 0 位，而封存已链至第 3 条；记录被删除（表被清空后重新起链，"
        "或末尾记录被截去）。\n"
        "Audit chain broken: it ends at position 0, but the seal had already chained 3 rows; "
        "rows were removed (the table emptied and the chain begun again, or rows cut off the "
        "end)."
    )


def test_a_chain_rewritten_at_the_stored_heads_position_is_broken_there():
    rows = write_rows(3)
    first = audit_seal()
    tamper("UPDATE core_auditlog SET row_hash = %s WHERE id = %s", ["e" * 64, rows[2].pk])
    broken = audit_verify().broken
    assert broken is not None
    assert (broken.kind, broken.row_id) == (audit_chain.CONTENT, rows[2].pk)
    # The chain's content check comes first; the stored head still names the true hash.
    assert AuditSealHead.objects.get().row_hash == first.head_hash
    with pytest.raises(audit_chain.SealRefused):
        write_rows(1)
        audit_seal()


def test_a_removed_stored_head_is_found_while_rows_are_sealed():
    write_rows(2)
    audit_seal()
    tamper("DELETE FROM core_auditsealhead", [])
    assert str(verify_failure()) == (
        "审计链断裂：已有 2 条记录封存，而封存的链尾记录缺失；它已被删除。\n"
        "Audit chain broken: the seal's stored head is missing while 2 rows are sealed; it was "
        "removed."
    )


def test_a_row_at_the_stored_heads_position_with_another_hash_is_named():
    rows = write_rows(3)
    outcome = audit_seal()
    tamper("UPDATE core_auditsealhead SET row_hash = %s WHERE id = 1", ["f" * 64])
    assert str(verify_failure()) == (
        f"审计链未到达封存时记下的链尾：第 3 位的记录 {rows[2].pk} 哈希不同（应为 {'f' * 64}，"
        f"实为 {outcome.head_hash}）；链从该处被改写或重新起链。\n"
        f"Audit chain does not reach the seal's stored head: row {rows[2].pk} at position 3 has "
        f"another hash (expected {'f' * 64}, found {outcome.head_hash}); the chain was "
        "rewritten or begun again from there."
    )
