"""Monthly range partitions of the two append-only tables that grow with every move of a case:
the case events (``cases_caseevent``, on ``workflow.models.EventRecord``) and the audit rows
(``core_auditlog``), both on their time column ``at`` (docs/scaling.md, "Past one box";
ADR 0016). PostgreSQL only.

``manage.py partition_month`` prints (the default) or runs (``--apply``) the move of an ordinary
table to a partitioned one of the same name, columns, ids, indexes, foreign keys, triggers and
grants. The locks each phase takes (PostgreSQL 15; "writes" are INSERT, UPDATE, DELETE):

1. **online**: an index on ``at`` built ``CONCURRENTLY`` when the table has none (the events),
   so that the later phases read one month, not the whole table. SHARE UPDATE EXCLUSIVE on the
   table: reads and writes go on (only other schema changes and vacuum wait).
2. **clear** (a short transaction, ``lock_timeout`` ``SHORT_LOCK_TIMEOUT``): a
   ``<table>_partitioned`` left by an interrupted run dropped; when it has foreign keys, that
   takes ACCESS EXCLUSIVE on the tables they reference for the moment of the drop.
3. **prepare** (one transaction, the application still writing): the partitioned table
   ``<table>_partitioned`` beside it, one partition per calendar month (in
   ``settings.TIME_ZONE``) from the oldest row's month to ``ahead`` months after this one, a
   default partition for anything outside, every row of the months already closed copied, then
   the indexes, the triggers (the audit guard) and the grants. ACCESS SHARE on the table (it
   is read; reads and writes go on) and ACCESS EXCLUSIVE on the new tables nobody else uses;
   nothing on the tables the foreign keys reference.
4. **keys** (each statement a short transaction of its own, ``lock_timeout``
   ``SHORT_LOCK_TIMEOUT``): each foreign key added to each partition ``NOT VALID`` (no row
   read; SHARE ROW EXCLUSIVE on the referenced table until that statement commits, a moment:
   writes to it wait that long), then validated on each partition (the rows checked;
   SHARE UPDATE EXCLUSIVE on the partition and ROW SHARE on the referenced table: writes to it
   go on), then added to the partitioned table under the old key's name, where PostgreSQL
   takes the partitions' validated keys over without reading a row (SHARE ROW EXCLUSIVE and
   ACCESS EXCLUSIVE on the referenced table for that moment: its reads wait too). A lock not
   had within ``SHORT_LOCK_TIMEOUT`` fails the move with nothing swapped: run it again.
5. **after**: ``ANALYZE`` of the new table (SHARE UPDATE EXCLUSIVE on it only).
6. **swap** (one transaction, ``lock_timeout`` ``LOCK_TIMEOUT``): the table locked EXCLUSIVE
   (reads go on, writes wait until the swap commits); the rows of the current month copied, the
   rows the application may still change since the copy brought up to date (an event's
   ``notify_pending``, an audit row's seal), the count and sum of ids compared (any difference
   aborts the swap and changes nothing), the identity sequence moved on past the old one, the
   old table dropped (ACCESS EXCLUSIVE on it and on the tables its foreign keys reference —
   ``cases_case``, ``cases_casetask``, ``org_department``, ``auth_user`` for the events,
   ``auth_user`` for the audit rows — until the commit, which follows at once: only renames
   remain) and the new one given its name, its indexes' and its sequence's names.

Django's models need no change: the table keeps its name and columns and Django still sees
``id`` as the primary key. At the database level two constraints change, because PostgreSQL
requires every unique constraint of a partitioned table to include the partition column:

- the primary key becomes ``(id, at)``: ids stay unique because the identity sequence hands
  them out, no longer because an index refuses a duplicate; a look-up by id alone reads one
  index per partition; and no foreign key can point at these tables (none does: the move
  refuses a table that another table references);
- the audit row's ``seq`` (its position in the chain, ``unique=True`` in the model) becomes a
  plain index of the same name: the seal hands positions out one by one under its advisory
  lock, and ``audit_verify`` reports a repeated position as a break. A migration that alters
  ``seq``'s uniqueness would not find the unique constraint Django expects.

``partitions_ahead`` (``partition_month --apply`` on a partitioned table, from the owner's
cron; the periodic task ``partitions_create_ahead`` twice a day, which only warns when it does
not run as the owner) creates the coming months' partitions before rows arrive for them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from onewindow.core.tasks import periodic, task

logger = logging.getLogger(__name__)

AHEAD_MONTHS = 3
# The months closed at least this long ago are copied before the lock; the rest under it.
CLOSED_MARGIN = dt.timedelta(days=1)
LOCK_TIMEOUT = "30s"
# The short steps that lock a table others read (the keys' referenced tables): give up sooner,
# since a lock request that waits makes every later one on that table wait behind it.
SHORT_LOCK_TIMEOUT = "5s"
TEMP_SUFFIX = "_partitioned"
AT_INDEX_SUFFIX = "_partition_at_tmp"


@dataclass(frozen=True)
class Spec:
    """One table to partition: its name, its time column, and the rows the application may
    still change after writing them (a condition on alias ``{a}``) with the columns it changes."""

    key: str
    table: str
    column: str
    mutable_where: str
    mutable_columns: tuple[str, ...]


SPECS: dict[str, Spec] = {
    # workflow.tasks clears notify_pending once the notice is handed over; nothing else changes.
    "events": Spec("events", "cases_caseevent", "at", "{a}.notify_pending", ("notify_pending",)),
    # The guard (core.audit_guard) lets only the seal fill these four columns, once.
    "audit": Spec(
        "audit",
        "core_auditlog",
        "at",
        "{a}.seq IS NULL",
        ("seq", "prev_hash", "row_hash", "field_macs"),
    ),
}


class PartitionError(RuntimeError):
    """The table cannot be moved as it is (the message says why and what to do)."""


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_after(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_bound(day: dt.date) -> str:
    """Local midnight of ``day`` (settings.TIME_ZONE) as a timestamptz literal."""
    local = dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return literal(local.isoformat())


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y%m}"


def default_name(table: str) -> str:
    return f"{table}_default"


def temp_name(name: str) -> str:
    """The name an index has on the new table until the swap gives it the old one's."""
    if len(name) <= 61:
        return f"{name}_p"
    return f"p{hashlib.sha256(name.encode()).hexdigest()[:20]}_tmp"


def partition_key_name(partition: str, key: str) -> str:
    """The name of a partition's own copy of the foreign key ``key`` (the partitioned table's
    key takes it over and keeps ``key``)."""
    return f"{partition}_{hashlib.sha256(key.encode()).hexdigest()[:10]}_fk"


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = month_after(month)
    return months


def local_today(now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), ZoneInfo(settings.TIME_ZONE)).date()


def copy_cutoff(now: dt.datetime | None = None) -> dt.date:
    """The start of the first month copied under the lock: this month, or the last one too when
    it closed less than ``CLOSED_MARGIN`` ago (a row written then may not be committed yet)."""
    now = now or timezone.now()
    this_month = month_start(local_today(now))
    start = dt.datetime.combine(this_month, dt.time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    if now - start < CLOSED_MARGIN:
        return month_start(this_month - dt.timedelta(days=1))
    return this_month


# -- what the catalogue says about a table ------------------------------------------------------


def _rows(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _one(sql: str, params: Sequence[Any] = ()) -> object:
    rows = _rows(sql, params)
    return rows[0][0] if rows else None


def relkind(name: str) -> str | None:
    """``r`` ordinary table, ``p`` partitioned, ``None`` missing (schema ``public``)."""
    found = _one(
        "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relname = %s",
        [name],
    )
    return str(found) if found is not None else None


def owns(table: str) -> bool:
    """Whether the current role owns ``table`` (or is a member of its owner)."""
    return bool(
        _one(
            "SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c "
            "WHERE c.oid = %s::regclass",
            [table],
        )
    )


def partitions_of(table: str) -> list[str]:
    return [
        r[0]
        for r in _rows(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [table],
        )
    ]


@dataclass(frozen=True)
class IndexInfo:
    name: str
    definition: str  # pg_get_indexdef
    columns: tuple[str, ...]
    primary: bool
    unique: bool
    constraint: str | None  # the constraint it backs (PRIMARY KEY or UNIQUE), if any


def _indexes(table: str) -> list[IndexInfo]:
    found = []
    for name, definition, primary, unique, constraint, columns in _rows(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisprimary, x.indisunique,
               con.conname,
               ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                     JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                     ORDER BY k.n)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid
        WHERE x.indrelid = %s::regclass
        ORDER BY i.relname
        """,
        [table],
    ):
        found.append(
            IndexInfo(name, definition, tuple(columns), bool(primary), bool(unique), constraint)
        )
    return found


_INDEX_DEF = re.compile(r"^CREATE (UNIQUE )?INDEX (\S+) ON (?:ONLY )?(\S+) USING (.*)$", re.S)


def _index_on(info: IndexInfo, target: str, *, unique: bool) -> str:
    match = _INDEX_DEF.match(info.definition)
    if match is None:  # pragma: no cover - PostgreSQL always writes this form
        raise PartitionError(f"unexpected index definition: {info.definition}")
    return (
        f"CREATE {'UNIQUE ' if unique else ''}INDEX {q(temp_name(info.name))} "
        f"ON {q(target)} USING {match.group(4)}"
    )


def _grants(table: str, target: str) -> list[str]:
    """The table's and its columns' grants, given again on ``target``."""
    statements = []
    for grantee, privilege in _rows(
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, "
        "a.privilege_type FROM pg_class c, aclexplode(c.relacl) a "
        "LEFT JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE c.oid = %s::regclass AND a.grantee <> c.relowner ORDER BY 1, 2",
        [table],
    ):
        statements.append(f"GRANT {privilege} ON {q(target)} TO {grantee}")
    for grantee, privilege, column in _rows(
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, "
        "a.privilege_type, att.attname FROM pg_attribute att, aclexplode(att.attacl) a "
        "LEFT JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE att.attrelid = %s::regclass AND att.attacl IS NOT NULL ORDER BY 1, 2, 3",
        [table],
    ):
        statements.append(f"GRANT {privilege} ({q(column)}) ON {q(target)} TO {grantee}")
    return statements


# -- the plan -----------------------------------------------------------------------------------


@dataclass
class Plan:
    """The SQL of one table's move, phase by phase: ``online`` and ``after`` statements run one
    by one outside a transaction; ``clear`` and ``keys`` statements each in a short transaction
    of its own under ``lock_timeout``; ``prepare`` and ``swap`` each in one transaction."""

    spec: Spec
    rows: int
    months: list[dt.date]
    cutoff: dt.date
    online: list[str] = field(default_factory=list)
    clear: list[str] = field(default_factory=list)
    prepare: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    swap: list[str] = field(default_factory=list)

    def sql(self) -> str:
        parts = []
        short = f"SET LOCAL lock_timeout = {literal(SHORT_LOCK_TIMEOUT)}"
        for title, statements, kind in (
            ("online: reads and writes go on, one statement at a time", self.online, "each"),
            ("clear: what an interrupted run left, a short transaction", self.clear, "short"),
            ("prepare: one transaction, the table still written", self.prepare, "one"),
            (
                "keys: a short transaction each, writes wait only while a key is added",
                self.keys,
                "short",
            ),
            ("after: no lock others wait on", self.after, "each"),
            ("swap: one transaction, writes to the table wait", self.swap, "one"),
        ):
            parts.append(f"-- {self.spec.table}, {title}")
            if kind == "one" and statements:
                parts.append("BEGIN;")
            for statement in statements:
                if kind == "short":
                    parts.append(f"BEGIN; {short}; {statement.strip()}; COMMIT;")
                else:
                    parts.append(f"{statement.strip()};")
            if kind == "one" and statements:
                parts.append("COMMIT;")
        return "\n".join(parts)


def _at_index(spec: Spec) -> str | None:
    for info in _indexes(spec.table):
        if info.columns and info.columns[0] == spec.column and "WHERE" not in info.definition:
            return info.name
    return None


def online_statements(spec: Spec) -> list[str]:
    """An index on the time column when the table has none (dropped with the old table)."""
    if _at_index(spec) is not None:
        return []
    name = f"{spec.table}{AT_INDEX_SUFFIX}"
    return [
        # An interrupted concurrent build leaves an INVALID index of that name: build anew.
        f"DROP INDEX CONCURRENTLY IF EXISTS {q(name)}",
        f"CREATE INDEX CONCURRENTLY {q(name)} ON {q(spec.table)} ({q(spec.column)})",
    ]


def _refuse_unless_movable(spec: Spec) -> None:
    kind = relkind(spec.table)
    if kind is None:
        raise PartitionError(f"{spec.table}: no such table (run manage.py migrate first)")
    if kind != "r":
        raise PartitionError(f"{spec.table}: not an ordinary table (relkind {kind})")
    referencing = _rows(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE confrelid = %s::regclass AND contype = 'f'",
        [spec.table],
    )
    if referencing:
        names = ", ".join(f"{t}.{c}" for t, c in referencing)
        raise PartitionError(
            f"{spec.table}: other tables reference it ({names}); a foreign key cannot point at a "
            "partitioned table by id alone"
        )
    columns = {
        r[0]
        for r in _rows(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped",
            [spec.table],
        )
    }
    if spec.column not in columns or "id" not in columns:
        raise PartitionError(f"{spec.table}: needs the columns id and {spec.column}")


def plan_move(spec: Spec, *, ahead: int = AHEAD_MONTHS, now: dt.datetime | None = None) -> Plan:
    """The move of ``spec.table`` to monthly partitions. Reads the catalogue and the oldest row;
    writes nothing."""
    _refuse_unless_movable(spec)
    table, column, tmp = spec.table, spec.column, spec.table + TEMP_SUFFIX
    now = now or timezone.now()
    today = local_today(now)
    oldest = _one(f"SELECT min({q(column)}) FROM {q(table)}")
    first = (
        timezone.localtime(oldest, ZoneInfo(settings.TIME_ZONE)).date()  # type: ignore[arg-type]
        if oldest is not None
        else today
    )
    last = month_start(today)
    for _ in range(ahead):
        last = month_after(last)
    months = months_between(min(first, today), last)
    cutoff = copy_cutoff(now)
    rows = int(_one(f"SELECT count(*) FROM {q(table)}") or 0)  # type: ignore[call-overload]
    names = [
        r[0]
        for r in _rows(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            [table],
        )
    ]
    cols = ", ".join(q(n) for n in names)
    old_sequence = _one("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    if old_sequence is None:
        raise PartitionError(f"{table}: its id has no sequence")
    plan = Plan(spec=spec, rows=rows, months=months, cutoff=cutoff)
    plan.online = online_statements(spec)

    # What an interrupted run left: its own short transaction (a leftover with foreign keys
    # takes ACCESS EXCLUSIVE on the tables they reference, and must not hold it for the copy).
    plan.clear.append(f"DROP TABLE IF EXISTS {q(tmp)}")
    prepare = plan.prepare
    prepare.append(
        f"CREATE TABLE {q(tmp)} (LIKE {q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        "INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS) "
        f"PARTITION BY RANGE ({q(column)})"
    )
    for month in months:
        prepare.append(
            f"CREATE TABLE {q(partition_name(table, month))} PARTITION OF {q(tmp)} "
            f"FOR VALUES FROM ({month_bound(month)}) TO ({month_bound(month_after(month))})"
        )
    prepare.append(f"CREATE TABLE {q(default_name(table))} PARTITION OF {q(tmp)} DEFAULT")
    prepare.append(
        f"INSERT INTO {q(tmp)} ({cols}) SELECT {cols} FROM {q(table)} "
        f"WHERE {q(column)} < {month_bound(cutoff)}"
    )
    renames: list[str] = []
    at_index = f"{table}{AT_INDEX_SUFFIX}"
    for info in _indexes(table):
        if info.name == at_index:
            continue
        if info.primary:
            key = ", ".join(q(c) for c in dict.fromkeys((*info.columns, column)))
            prepare.append(
                f"ALTER TABLE {q(tmp)} ADD CONSTRAINT {q(temp_name(info.name))} PRIMARY KEY ({key})"
            )
            renames.append(
                f"ALTER TABLE {q(table)} RENAME CONSTRAINT {q(temp_name(info.name))} "
                f"TO {q(info.constraint or info.name)}"
            )
            continue
        # A unique index without the partition column cannot exist on a partitioned table: it
        # becomes a plain index of the same name (the audit chain's seq; see the docstring).
        keeps_unique = info.unique and column in info.columns
        prepare.append(_index_on(info, tmp, unique=keeps_unique))
        renames.append(f"ALTER INDEX {q(temp_name(info.name))} RENAME TO {q(info.name)}")
    for (definition,) in _rows(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass "
        "AND NOT tgisinternal ORDER BY tgname",
        [table],
    ):
        prepare.append(
            re.sub(
                r" ON (?:ONLY )?\S+ ",
                f" ON {q(tmp)} ",
                definition,
                count=1,
            )
        )
    prepare.extend(_grants(table, tmp))
    # The foreign keys, each statement in a short transaction of its own after the prepare
    # commits (see the docstring): NOT VALID on each partition, validated there, then the key on
    # the partitioned table, which takes the partitions' validated keys over without a re-check.
    partitions = [partition_name(table, m) for m in months] + [default_name(table)]
    adds: list[str] = []
    validates: list[str] = []
    parents: list[str] = []
    for name, definition in _rows(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [table],
    ):
        definition = re.sub(r"\s+NOT VALID$", "", definition)
        for partition in partitions:
            own = partition_key_name(partition, name)
            adds.append(
                f"ALTER TABLE {q(partition)} ADD CONSTRAINT {q(own)} {definition} NOT VALID"
            )
            validates.append(f"ALTER TABLE {q(partition)} VALIDATE CONSTRAINT {q(own)}")
        parents.append(f"ALTER TABLE {q(tmp)} ADD CONSTRAINT {q(name)} {definition}")
    plan.keys = [*adds, *validates, *parents]
    plan.after.append(f"ANALYZE {q(tmp)}")

    swap = plan.swap
    swap.append(f"SET LOCAL lock_timeout = {literal(LOCK_TIMEOUT)}")
    swap.append(f"LOCK TABLE {q(table)} IN EXCLUSIVE MODE")
    swap.append(
        f"INSERT INTO {q(tmp)} ({cols}) SELECT {cols} FROM {q(table)} "
        f"WHERE {q(column)} >= {month_bound(cutoff)}"
    )
    changed = ", ".join(f"{q(c)} = o.{q(c)}" for c in spec.mutable_columns)
    new_values = ", ".join(f"n.{q(c)}" for c in spec.mutable_columns)
    old_values = ", ".join(f"o.{q(c)}" for c in spec.mutable_columns)
    swap.append(
        f"UPDATE {q(tmp)} n SET {changed} FROM {q(table)} o "
        f"WHERE {spec.mutable_where.format(a='n')} AND n.{q(column)} < {month_bound(cutoff)} "
        f"AND o.id = n.id AND ROW({new_values}) IS DISTINCT FROM ROW({old_values})"
    )
    swap.append(
        f"""DO $check$
DECLARE
    old_count bigint; old_sum numeric; new_count bigint; new_sum numeric;
BEGIN
    SELECT count(*), coalesce(sum(id), 0) INTO old_count, old_sum FROM {q(table)};
    SELECT count(*), coalesce(sum(id), 0) INTO new_count, new_sum FROM {q(tmp)};
    IF old_count <> new_count OR old_sum <> new_sum THEN
        RAISE EXCEPTION 'partition_month {table}: % rows in the table, % copied (ids differ: %); '
            'rows were written or removed meanwhile; nothing changed, run it again',
            old_count, new_count, old_sum <> new_sum;
    END IF;
END
$check$"""
    )
    swap.append(
        f"SELECT setval(pg_get_serial_sequence({literal(tmp)}, 'id'), "
        f"GREATEST((SELECT coalesce(max(id), 0) FROM {q(table)}), "
        f"(SELECT last_value FROM {old_sequence}), 1))"
    )
    swap.append(f"DROP TABLE {q(table)}")
    swap.append(f"ALTER TABLE {q(tmp)} RENAME TO {q(table)}")
    old_sequence_name = str(old_sequence).split(".")[-1].strip('"')
    swap.append(f"ALTER SEQUENCE {q(tmp + '_id_seq')} RENAME TO {q(old_sequence_name)}")
    swap.extend(renames)
    return plan


def plan_ahead(
    spec: Spec, *, ahead: int = AHEAD_MONTHS, now: dt.datetime | None = None
) -> list[str]:
    """The partitions still missing for this month and the next ``ahead`` of a partitioned
    table (empty for any other table)."""
    if relkind(spec.table) != "p":
        return []
    existing = set(partitions_of(spec.table))
    month = month_start(local_today(now))
    statements = []
    for _ in range(ahead + 1):
        name = partition_name(spec.table, month)
        if name not in existing:
            statements.append(
                f"CREATE TABLE {q(name)} PARTITION OF {q(spec.table)} "
                f"FOR VALUES FROM ({month_bound(month)}) TO ({month_bound(month_after(month))})"
            )
        month = month_after(month)
    return statements


# -- running it ---------------------------------------------------------------------------------


def _execute(statements: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _short(statements: Sequence[str], probe: Callable[[str], None] | None = None) -> None:
    """Each statement in a transaction of its own, waiting at most ``SHORT_LOCK_TIMEOUT`` for a
    lock."""
    for statement in statements:
        with transaction.atomic():
            _execute([f"SET LOCAL lock_timeout = {literal(SHORT_LOCK_TIMEOUT)}", statement])
            if probe is not None:
                probe(statement)


def run_prepare(plan: Plan, probe: Callable[[str], None] | None = None) -> None:
    """The prepare phase of ``plan``: clear, prepare, keys, after (see the module docstring).
    ``probe`` (the tests) is called after each statement of the prepare transaction and of the
    keys, inside its transaction."""
    _short(plan.clear)
    with transaction.atomic():
        for statement in plan.prepare:
            _execute([statement])
            if probe is not None:
                probe(statement)
    _short(plan.keys, probe)
    _execute(plan.after)


@dataclass(frozen=True)
class MoveOutcome:
    table: str
    rows: int
    partitions: int
    seconds: dict[str, float]


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise PartitionError("partitioning needs PostgreSQL")


def plan_read_only(build: Callable[[], object]) -> object:
    """Run ``build`` in a read-only transaction that is rolled back (the dry run)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
        result = build()
        transaction.set_rollback(True)
    return result


def move(
    spec: Spec, *, ahead: int = AHEAD_MONTHS, say: Callable[[str], None] = logger.info
) -> MoveOutcome:
    """Run the move of one table: online, prepare, swap (see the module's docstring)."""
    _require_postgresql()
    if connection.in_atomic_block:
        raise PartitionError("partition_month must run outside a transaction")
    _refuse_unless_movable(spec)
    seconds: dict[str, float] = {}
    started = time.monotonic()
    _execute(online_statements(spec))
    seconds["online"] = time.monotonic() - started
    plan = plan_move(spec, ahead=ahead)
    say(f"{spec.table}: {plan.rows} rows, {len(plan.months)} monthly partitions and a default")
    started = time.monotonic()
    run_prepare(plan)
    seconds["prepare"] = time.monotonic() - started
    say(f"{spec.table}: prepare {seconds['prepare']:.1f} s")
    started = time.monotonic()
    with transaction.atomic():
        _execute(plan.swap)
    seconds["swap"] = time.monotonic() - started
    say(f"{spec.table}: swap {seconds['swap']:.1f} s")
    return MoveOutcome(
        table=spec.table,
        rows=plan.rows,
        partitions=len(partitions_of(spec.table)),
        seconds=seconds,
    )


def partitions_ahead(
    *, ahead: int = AHEAD_MONTHS, specs: Sequence[Spec] | None = None
) -> list[str]:
    """Create the coming months' partitions of every partitioned table in ``specs`` (default:
    ``SPECS``); returns the statements run. Nothing on another database, nor for a table not
    partitioned.

    Only the table's owner may add a partition. Run as another role (the application role of
    the two-role profile, where the periodic task runs), it creates nothing and logs a warning
    naming the months missing: the owner's ``partition_month --apply`` (cron) creates them."""
    if connection.vendor != "postgresql":
        return []
    done: list[str] = []
    for spec in specs if specs is not None else SPECS.values():
        statements = plan_ahead(spec, ahead=ahead)
        if not statements:
            continue
        if not owns(spec.table):
            logger.warning(
                "%s: %s monthly partitions missing ahead and this role may not create them; "
                "run manage.py partition_month --apply as the owner",
                spec.table,
                len(statements),
            )
            continue
        with transaction.atomic():
            _execute(statements)
        done.extend(statements)
    if done:
        logger.info("partitions created ahead: %s", len(done))
    return done


@periodic(every=dt.timedelta(hours=12))
@task
def partitions_create_ahead() -> None:
    partitions_ahead()
