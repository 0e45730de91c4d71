"""Monthly partitions of the case events and the audit rows (``core.partitioning``,
``manage.py partition_month``; docs/scaling.md, "Past one box").

The move runs against the local PostgreSQL server whatever database the rest of the suite uses,
on a scratch database of this process's own (dropped before and after): a small bulk city is
built, the dry run is shown to change nothing, both tables are moved, and then the rows, ids,
indexes, foreign keys, grants and the audit guard are as before, the audit chain verifies, a
case accepted afterwards lands in this month's partitions and its page reads its timeline back.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from onewindow.core import partitioning
from onewindow.core.tasks import periodic_tasks

ROOT = Path(__file__).resolve().parents[4]
SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgres://postgres@127.0.0.1:5432")
PY = str(ROOT / ".venv" / "bin" / "python")
TABLES = ("cases_caseevent", "core_auditlog")


def psql(
    sql: str, database: str = "postgres", *, check: bool = True
) -> subprocess.CompletedProcess:
    done = subprocess.run(
        ["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-tAq", "-d", f"{SERVER}/{database}"],
        input=sql,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def value(sql: str, database: str) -> str:
    return psql(sql, database).stdout.strip()


def run(args: list[str], env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run([PY, "manage.py", *args], env)


def scene(env: dict[str, str], call: str) -> dict:
    done = manage(
        env, "shell", "-c", f"from onewindow.config.tests import partition_scene as s; s.{call}"
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def snapshot(database: str) -> dict[str, str]:
    """What the dry run must leave as it was: the relations, their kinds, the rows and ids, the
    sequences, the constraints and triggers of both tables."""
    found = {
        "relations": value(
            "SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) "
            "FROM pg_class WHERE relnamespace = 'public'::regnamespace",
            database,
        )
    }
    for table in TABLES:
        found[table] = value(
            f"SELECT count(*) || '/' || sum(id) || '/' || max(id) FROM {table}", database
        )
        found[f"{table}.seq"] = value(f"SELECT last_value FROM {table}_id_seq", database)
        found[f"{table}.constraints"] = value(
            "SELECT string_agg(conname || ':' || contype::text, ',' ORDER BY conname) "
            f"FROM pg_constraint WHERE conrelid = '{table}'::regclass",
            database,
        )
        found[f"{table}.indexes"] = value(
            "SELECT string_agg(c.relname || ':' || x.indisunique::text, ',' ORDER BY c.relname) "
            f"FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
            f"WHERE x.indrelid = '{table}'::regclass",
            database,
        )
        found[f"{table}.triggers"] = value(
            "SELECT coalesce(string_agg(tgname, ',' ORDER BY tgname), '') FROM pg_trigger "
            f"WHERE tgrelid = '{table}'::regclass AND NOT tgisinternal",
            database,
        )
        found[f"{table}.grants"] = value(
            f"SELECT coalesce(relacl::text, '') FROM pg_class WHERE oid = '{table}'::regclass",
            database,
        )
    return found


@pytest.fixture
def scratch():
    name = f"ow_partition_{os.getpid()}"
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    yield name
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres_server
def test_the_events_and_the_audit_rows_move_to_monthly_partitions(scratch, tmp_path):
    database = scratch
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "MEDIA_ROOT", "DEBUG", "LOG_FORMAT", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL=f"{SERVER}/{database}",
        TASK_BACKEND="sync",
        ONEWINDOW_VAR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    psql(f'CREATE DATABASE "{database}"')
    assert manage(env, "migrate", "--noinput", "-v", "0").returncode == 0
    built = manage(env, "demo_city", "--bulk", "--cases", "300")
    assert built.returncode == 0, built.stderr
    # A grant of the table and one of a column, as scripts/serve.sh gives the application role.
    psql(
        "GRANT SELECT, INSERT ON cases_caseevent TO PUBLIC; "
        "GRANT UPDATE (notify_pending) ON cases_caseevent TO PUBLIC;",
        database,
    )
    # A table that references the events by id: the move is refused, nothing changes.
    psql(
        "CREATE TABLE test_points_at_events (event_id bigint REFERENCES cases_caseevent (id))",
        database,
    )
    refused = manage(env, "partition_month", "--table", "events", "--apply")
    assert refused.returncode == 1
    assert "other tables reference it (test_points_at_events." in refused.stderr
    assert value("SELECT relkind FROM pg_class WHERE relname = 'cases_caseevent'", database) == "r"
    psql("DROP TABLE test_points_at_events", database)

    before = snapshot(database)
    assert int(before["core_auditlog"].split("/")[0]) > 300
    dry = manage(env, "partition_month")
    assert dry.returncode == 0, dry.stderr
    assert 'CREATE TABLE "cases_caseevent_partitioned" (LIKE "cases_caseevent"' in dry.stdout
    assert (
        'ALTER TABLE "core_auditlog_partitioned" ADD CONSTRAINT "core_auditlog_pkey_p" '
        'PRIMARY KEY ("id", "at")' in dry.stdout
    )
    assert "Dry run: nothing was changed. Run with --apply to do it." in dry.stdout
    assert manage(env, "partition_month", "--dry-run", "--table", "audit").returncode == 0
    assert snapshot(database) == before

    assert (
        "BEGIN; SET LOCAL lock_timeout = '5s'; ALTER TABLE \"cases_caseevent_default\" "
        'VALIDATE CONSTRAINT "cases_caseevent_default_' in dry.stdout
    )

    # The events' prepare, probed after each statement inside its transaction: a write to the
    # tables their foreign keys reference (cases_case, auth_user) from another connection gets
    # its lock within 200 ms, during the copy and while each partition's key is validated
    # (a transaction's locks only grow until it ends: what is free after a statement was free
    # while it ran).
    # The control (a key added to a table with rows, as the prepare did before) keeps it out.
    probed = scene(env, "events_prepare_probed()")
    assert probed["control"] == {"cases_case": False, "auth_user": False}
    statements = [statement for statement, _ in probed["probed"]]
    assert any(s.startswith('INSERT INTO "cases_caseevent_partitioned"') for s in statements)
    blocked = [
        statement for statement, writes in probed["probed"] if set(writes.values()) != {True}
    ]
    # Only the short steps that add a key to one of these tables (NOT VALID on a partition,
    # then on the partitioned table, where nothing is re-checked) hold writes back until they
    # commit.
    probed_keys = [
        s
        for s in statements
        if " FOREIGN KEY " in s
        and " ADD CONSTRAINT " in s
        and (" REFERENCES cases_case(" in s or " REFERENCES auth_user(" in s)
    ]
    assert any(s.startswith('ALTER TABLE "cases_caseevent_partitioned" ADD') for s in probed_keys)
    assert blocked == probed_keys
    validated = [s for s in statements if " VALIDATE CONSTRAINT " in s]
    assert len(validated) == len([s for s in statements if " NOT VALID" in s]) > 0

    moved = manage(env, "partition_month", "--table", "events", "--apply")
    assert moved.returncode == 0, moved.stderr
    assert "cases_caseevent partitioned by month" in moved.stdout
    audit = scene(env, "audit_swap_refused_then_done()")
    assert "partition_month core_auditlog:" in audit["refused"]
    assert "rows were written or removed meanwhile" in audit["refused"]
    assert audit["kind_after_refusal"] == "r"
    # The late row of a closed month was copied unsealed, sealed on the old table before the
    # swap, and came through sealed.
    assert audit["copied_unsealed"] is None
    assert audit["sealed_between"] == 1
    assert audit["kind"] == "p"
    assert audit["late_row_sealed"] is True
    assert audit["late_row_in"].startswith("core_auditlog_p")

    after = snapshot(database)
    this_month = dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m")
    for table in TABLES:
        assert value(f"SELECT relkind FROM pg_class WHERE relname = '{table}'", database) == "p"
        partitions = value(
            "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i "
            f"JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '{table}'::regclass",
            database,
        ).split(",")
        assert f"{table}_p{this_month}" in partitions
        assert f"{table}_default" in partitions
        assert len(partitions) >= 2 + 3 + 1  # the bulk city's year, three months ahead, default
        # The audit chain's unique seq becomes a plain index (see core.partitioning).
        assert after[f"{table}.constraints"] == before[f"{table}.constraints"].replace(
            ",core_auditlog_seq_key:u", ""
        )
        assert after[f"{table}.triggers"] == before[f"{table}.triggers"]
        assert after[f"{table}.seq"] >= before[f"{table}.seq"]
        assert (
            value(
                "SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index x, "
                "unnest(x.indkey) WITH ORDINALITY k(attnum, n), pg_attribute a "
                f"WHERE x.indrelid = '{table}'::regclass AND x.indisprimary "
                "AND a.attrelid = x.indrelid AND a.attnum = k.attnum",
                database,
            )
            == "id,at"
        )
    # Each partition's own foreign keys, validated, are the partitioned table's keys.
    for table in TABLES:
        partitions_now = int(
            value(
                f"SELECT count(*) FROM pg_inherits WHERE inhparent = '{table}'::regclass", database
            )
        )
        keys = int(
            value(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated "
                f"AND conparentid = 0 AND conrelid = '{table}'::regclass",
                database,
            )
        )
        assert keys > 0
        assert (
            value(
                "SELECT count(*) FILTER (WHERE c.convalidated) || '/' "
                f"|| count(*) FILTER (WHERE p.conrelid = '{table}'::regclass) "
                "FROM pg_constraint c LEFT JOIN pg_constraint p ON p.oid = c.conparentid "
                "WHERE c.contype = 'f' AND c.conrelid IN (SELECT inhrelid FROM pg_inherits "
                f"WHERE inhparent = '{table}'::regclass)",
                database,
            )
            == f"{partitions_now * keys}/{partitions_now * keys}"
        )
    # The events: the same rows, ids and sequence; the grants given again.
    assert after["cases_caseevent"] == before["cases_caseevent"]
    assert after["cases_caseevent.seq"] == before["cases_caseevent.seq"]
    assert after["cases_caseevent.indexes"] == before["cases_caseevent.indexes"]
    assert after["cases_caseevent.grants"] == before["cases_caseevent.grants"]
    assert "=ar/" in after["cases_caseevent.grants"]
    assert value(
        "SELECT attacl::text FROM pg_attribute WHERE attrelid = 'cases_caseevent'::regclass "
        "AND attname = 'notify_pending'",
        database,
    ).startswith("{=w/")
    # The audit rows: one more (the late row), the seq index no longer unique, the rest kept.
    count, total, top = (int(x) for x in before["core_auditlog"].split("/"))
    count2, total2, top2 = (int(x) for x in after["core_auditlog"].split("/"))
    assert (count2, top2) == (count + 1, top + 1)
    assert total2 == total + top2
    assert after["core_auditlog.indexes"] == before["core_auditlog.indexes"].replace(
        "core_auditlog_seq_key:true", "core_auditlog_seq_key:false"
    )
    assert "core_auditlog_seq_key:true" in before["core_auditlog.indexes"]
    assert before["core_auditlog.constraints"].endswith(",core_auditlog_seq_key:u")
    assert not any(name in after["relations"] for name in ("_partitioned", "_partition_at_tmp"))

    # The chain verifies on the partitioned table.
    verified = manage(env, "audit_verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"Audit chain intact; rows verified: {count2};" in verified.stdout

    # The guard still refuses a change or a removal of an audit row, in any partition.
    for statement in (
        "UPDATE core_auditlog SET action = 'changed' WHERE id = 1",
        "DELETE FROM core_auditlog WHERE id = 1",
        f"DELETE FROM core_auditlog_p{this_month}",
        "TRUNCATE core_auditlog",
    ):
        done = psql(statement, database, check=False)
        assert done.returncode != 0, statement
        assert "audit rows cannot be changed or deleted" in done.stderr, statement

    # A case accepted now: its events and audit rows land in this month's partitions, with
    # ids after the old ones; its page reads the timeline back.
    accepted = manage(
        env,
        "shell",
        "-c",
        "from onewindow.config.tests.backup_scene import build; build()",
    )
    assert accepted.returncode == 0, accepted.stderr
    number = json.loads(accepted.stdout.strip().splitlines()[-1])["number"]
    read = scene(env, f"read_events({number!r})")
    assert read["actions"][0] == "accept"
    assert len(read["actions"]) == int(
        value(
            f"SELECT count(*) FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id "
            f"WHERE c.number = '{number}'",
            database,
        )
    )
    assert read["partitions"] == [f"cases_caseevent_p{this_month}"]
    assert read["page"] == 200
    assert read["number_on_page"] is True
    assert read["rows_on_page"] == len(read["actions"])
    assert int(
        value(
            f"SELECT min(id) FROM cases_caseevent WHERE case_id = "
            f"(SELECT id FROM cases_case WHERE number = '{number}')",
            database,
        )
    ) > int(before["cases_caseevent"].split("/")[2])
    assert (
        value(
            f"SELECT string_agg(DISTINCT tableoid::regclass::text, ',') FROM core_auditlog "
            f"WHERE id > {top2}",
            database,
        )
        == f"core_auditlog_p{this_month}"
    )

    # The new rows are sealed onto the chain, which verifies again.
    sealed = manage(env, "audit_verify", "--seal")
    assert sealed.returncode == 0, sealed.stdout + sealed.stderr
    assert "Audit chain intact" in sealed.stdout

    # Partitioned already: --apply only adds the months missing ahead.
    again = manage(env, "partition_month", "--apply", "--ahead", "5")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        "cases_caseevent 已按月分区；新建分区 2 个。",
        "cases_caseevent is partitioned already; partitions created: 2.",
        "core_auditlog 已按月分区；新建分区 2 个。",
        "core_auditlog is partitioned already; partitions created: 2.",
    ]
    dry_again = manage(env, "partition_month", "--ahead", "5")
    assert "-- cases_caseevent: partitioned already" in dry_again.stdout
    assert "CREATE TABLE" not in dry_again.stdout

    # A role that does not own the tables (the application role, where the periodic task
    # runs) creates no partition and says which are missing.
    count_partitions = (
        "SELECT count(*) FROM pg_inherits WHERE inhparent = 'cases_caseevent'::regclass"
    )
    partitions_before = value(count_partitions, database)
    role = f"ow_partition_app_{os.getpid()}"
    psql(f'DROP ROLE IF EXISTS "{role}"; CREATE ROLE "{role}" LOGIN')
    try:
        server = urlsplit(SERVER)
        as_app = {
            **env,
            "DATABASE_URL": f"postgres://{role}@{server.netloc.split('@')[-1]}/{database}",
        }
        ahead = manage(
            as_app,
            "shell",
            "-c",
            "from onewindow.core import partitioning as p; print(p.partitions_ahead(ahead=7))",
        )
        assert ahead.returncode == 0, ahead.stderr
        assert ahead.stdout.strip().splitlines()[-1] == "[]"
        assert (
            "cases_caseevent: 2 monthly partitions missing ahead and this role may not create "
            "them; run manage.py partition_month --apply as the owner"
        ) in ahead.stderr
    finally:
        psql(f'DROP ROLE IF EXISTS "{role}"')
    assert value(count_partitions, database) == partitions_before


def test_the_command_needs_postgresql(monkeypatch):
    # Whichever database the suite uses, the command sees another vendor and refuses.
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    with pytest.raises(CommandError) as refused:
        call_command("partition_month", "--apply")
    assert str(refused.value).splitlines()[-1] == (
        "Partitioning needs PostgreSQL; nothing was changed."
    )


def test_months_follow_the_calendar_in_the_local_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    assert partitioning.months_between(dt.date(2026, 11, 17), dt.date(2027, 2, 1)) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),
    ]
    assert partitioning.month_bound(dt.date(2027, 1, 1)) == "'2027-01-01T00:00:00+08:00'"
    assert partitioning.partition_name("core_auditlog", dt.date(2027, 1, 1)) == (
        "core_auditlog_p202701"
    )
    # Less than a day into a month, the month before is copied under the lock as well.
    early = dt.datetime(2026, 12, 1, 3, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    later = dt.datetime(2026, 12, 2, 3, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert partitioning.copy_cutoff(early) == dt.date(2026, 11, 1)
    assert partitioning.copy_cutoff(later) == dt.date(2026, 12, 1)


@pytest.mark.django_db
def test_the_partitions_ahead_task_does_nothing_where_the_tables_are_not_partitioned():
    assert periodic_tasks()["onewindow.core.partitioning.partitions_create_ahead"] == 12 * 3600
    assert partitioning.partitions_ahead() == []
