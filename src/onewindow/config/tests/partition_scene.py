"""The scene of the partitioning test, run in a separate process on a scratch PostgreSQL database
(``manage.py shell -c``); each function prints one JSON line.

``audit_swap_refused_then_done`` runs the audit table's move phase by phase: a row written into
a closed month after the copy makes the swap refuse (nothing changes); prepared again, a row
sealed between the copy and the swap comes through sealed. ``read_events`` reads a case's
timeline as the case page does, and the page itself as its intake clerk.
``events_prepare_probed`` runs the events' prepare phase and, after each statement (inside its
transaction), tries writes to the tables the events' foreign keys reference from another
connection that waits at most 200 ms for a lock (``lock_timeout`` counts only the wait for a
lock, not how busy the box is)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess

from django.db import DatabaseError, connection, transaction


def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def audit_swap_refused_then_done() -> None:
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from onewindow.core import partitioning
    from onewindow.core.audit_chain import audit_seal
    from onewindow.core.models import AuditLog

    spec = partitioning.SPECS["audit"]
    plan = partitioning.plan_move(spec)
    _execute(plan.online)
    partitioning.run_prepare(plan)
    # A row of a closed month committed after the copy (a late transaction).
    cutoff = dt.datetime.combine(plan.cutoff, dt.time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditlog (at, action, object_type, object_id, object_repr, allowed,"
            " detail, actor_id, field_macs, prev_hash, row_hash, seq) VALUES (%s, 'test.late',"
            " 'test', '1', 'late row', true, '{}', NULL, '{}', '', '', NULL) RETURNING id",
            [cutoff - dt.timedelta(days=10)],
        )
        late_id = cursor.fetchone()[0]
    refused = ""
    try:
        with transaction.atomic():
            _execute(plan.swap)
    except DatabaseError as exc:
        refused = str(exc)
    kind_after_refusal = partitioning.relkind(spec.table)

    plan = partitioning.plan_move(spec)
    partitioning.run_prepare(plan)
    copied_unsealed = AuditLog.objects.filter(pk=late_id).values_list("seq", flat=True).get()
    sealed = audit_seal().sealed  # on the old table, after the copy
    with transaction.atomic():
        _execute(plan.swap)
    print(
        json.dumps(
            {
                "refused": refused,
                "kind_after_refusal": kind_after_refusal,
                "copied_unsealed": copied_unsealed,
                "sealed_between": sealed,
                "kind": partitioning.relkind(spec.table),
                "late_row_sealed": AuditLog.objects.filter(pk=late_id, seq__isnull=False).exists(),
                "late_row_in": _partition_of("core_auditlog", late_id),
            }
        )
    )


PROBE_TABLES = {
    "cases_case": (
        "UPDATE cases_case SET number = number WHERE id = (SELECT min(id) FROM cases_case)"
    ),
    "auth_user": (
        "UPDATE auth_user SET last_login = now() WHERE id = (SELECT min(id) FROM auth_user)"
    ),
}


URL = os.environ.get("DATABASE_URL", "")


def _writes_go_on() -> dict[str, bool]:
    """Whether a write to each referenced table gets its lock within 200 ms (from another
    connection; rolled back)."""
    found = {}
    for table, statement in PROBE_TABLES.items():
        done = subprocess.run(
            ["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-tAq", "-d", URL],
            input=f"SET lock_timeout = '200ms'; BEGIN; {statement}; ROLLBACK;",
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0 and "lock timeout" not in done.stderr:
            raise RuntimeError(done.stderr)
        found[table] = done.returncode == 0
    return found


def events_prepare_probed() -> None:
    from onewindow.core import partitioning

    spec = partitioning.SPECS["events"]
    plan = partitioning.plan_move(spec)
    _execute(plan.online)
    probed: list[list[object]] = []

    def probe(statement: str) -> None:
        probed.append([statement, _writes_go_on()])

    partitioning.run_prepare(plan, probe)
    # The control: a foreign key added to a table that holds rows, as the prepare did before,
    # keeps the writes out until its transaction ends.
    with transaction.atomic():
        _execute(
            [
                "CREATE TABLE test_fk_control (case_id bigint, user_id bigint)",
                "INSERT INTO test_fk_control SELECT min(id), NULL FROM cases_case",
                "ALTER TABLE test_fk_control ADD FOREIGN KEY (case_id) REFERENCES cases_case",
                "ALTER TABLE test_fk_control ADD FOREIGN KEY (user_id) REFERENCES auth_user",
            ]
        )
        control = _writes_go_on()
        transaction.set_rollback(True)
    print(json.dumps({"probed": probed, "control": control}))


def _partition_of(table: str, row_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [row_id])
        return str(cursor.fetchone()[0])


def read_events(number: str) -> None:
    from django.test import Client
    from django.urls import reverse

    from onewindow.cases.models import Case
    from onewindow.cases.staff_selectors import case_detail_rows

    case = Case.objects.get(number=number)
    events = case_detail_rows(case=case)["events"]
    client = Client()
    client.force_login(case.clerk)
    page = client.get(reverse("cases_staff:case_detail", args=[number]), HTTP_HOST="localhost")
    print(
        json.dumps(
            {
                "actions": [e.action for e in events],
                "partitions": sorted({_partition_of("cases_caseevent", e.pk) for e in events}),
                "page": page.status_code,
                "number_on_page": number in page.content.decode(),
                "rows_on_page": page.content.decode().count('<li class="timeline__event '),
            }
        )
    )
