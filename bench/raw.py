"""The raw baseline of an accept: the same rows written with hand-made INSERTs on a DB-API
connection (sqlite3 or psycopg), without the ORM, the services or any check.

``RawAccept.learn(run)`` runs one real accept (``run``) and reads back every row it wrote —
the case, its papers, tasks and events, the audit rows, the outbox message and its event, in
whatever tables the accept touched (found by the highest primary key of every model before
and after) — and turns them into INSERT statements. ``RawAccept.write(conn)`` then writes
one more copy of those rows in one transaction: the case number taken from the same
number-sequence row (``UPDATE … SET last = last + 1 … RETURNING``, the same row lock as the
service), fresh values in unique columns, foreign keys pointing at the new rows.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Rows referring to the case by a text id (the audit row's object_id, the message's subject).
TEXT_REFERENCES = ("object_id", "subject_id")


@dataclass
class _Table:
    model: Any
    table: str
    columns: list[str]
    rows: list[list[Any]]
    old_pks: list[Any]
    # column index → the cloned model whose new pk it takes
    references: dict[int, Any] = field(default_factory=dict)
    unique_text: dict[int, int] = field(default_factory=dict)  # column index → max length
    referenced: bool = False


class RawAccept:
    def __init__(self, tables: list[_Table], *, sequence_prefix: str, vendor: str, case_model: Any):
        self.tables = tables
        self.sequence_prefix = sequence_prefix
        self.vendor = vendor
        self.case_model = case_model
        self.placeholder = "?" if vendor == "sqlite" else "%s"
        self._serial = itertools.count(1)
        self._lock = threading.Lock()

    # --- learning from one real accept ------------------------------------------------------

    @classmethod
    def learn(cls, run: Callable[[], Any]) -> tuple[RawAccept, Any]:
        from django.apps import apps
        from django.db import connection

        from onewindow.cases.models import Case, CaseNumberSequence

        models = [
            m
            for m in apps.get_models()
            if not m._meta.proxy and m._meta.managed and m is not CaseNumberSequence
        ]

        def highest() -> dict[Any, Any]:
            out = {}
            for model in models:
                pk = model._meta.pk
                if pk is None or pk.get_internal_type() not in (
                    "AutoField",
                    "BigAutoField",
                    "SmallAutoField",
                ):
                    continue
                out[model] = (
                    model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
                )
            return out

        before = highest()
        result = run()
        after = highest()
        written = [m for m in before if after[m] != before[m]]
        tables: dict[Any, _Table] = {}
        for model in written:
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            query = model._default_manager.order_by("pk")
            if before[model] is not None:
                query = query.filter(pk__gt=before[model])
            instances = list(query)
            rows = [
                [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                for obj in instances
            ]
            table = _Table(
                model=model,
                table=model._meta.db_table,
                columns=[f.column for f in fields],
                rows=rows,
                old_pks=[obj.pk for obj in instances],
            )
            for index, f in enumerate(fields):
                if f.unique and not f.is_relation and f.get_internal_type() == "CharField":
                    table.unique_text[index] = f.max_length or 64
            tables[model] = table
        for table in tables.values():
            fields = [f for f in table.model._meta.concrete_fields if not f.primary_key]
            for index, f in enumerate(fields):
                target = getattr(f, "related_model", None) if f.is_relation else None
                if target in tables:
                    table.references[index] = target
                    tables[target].referenced = True
        ordered = _dependency_order(tables)
        case = Case.objects.get(pk=tables[Case].old_pks[0])
        prefix = (
            CaseNumberSequence.objects.filter(prefix__in=_prefixes(case.number))
            .order_by("-prefix")
            .values_list("prefix", flat=True)
            .first()
        )
        if prefix is None:
            raise RuntimeError(f"no number sequence for case {case.number}")
        return (
            cls(ordered, sequence_prefix=prefix, vendor=connection.vendor, case_model=Case),
            result,
        )

    @property
    def statements(self) -> int:
        """Statements one ``write`` sends: the sequence update, then one INSERT per row of a
        table other rows point at, one multi-row INSERT per other table."""
        count = 1
        for table in self.tables:
            count += len(table.rows) if table.referenced else 1
        return count

    @property
    def row_counts(self) -> dict[str, int]:
        return {table.table: len(table.rows) for table in self.tables}

    # --- writing a copy ----------------------------------------------------------------------

    def write(self, cursor: Any) -> str:
        """Write one copy inside the caller's transaction on a DB-API ``cursor``; the new
        case number."""
        p = self.placeholder
        with self._lock:
            serial = next(self._serial)
        tag = f"R{serial:x}-{threading.get_ident() % 100000:x}-"
        cursor.execute(
            f"UPDATE cases_casenumbersequence SET last = last + 1 WHERE prefix = {p} "
            "RETURNING last",
            [self.sequence_prefix],
        )
        last = cursor.fetchone()[0]
        number = f"{self.sequence_prefix}{last:05d}"
        new_pks: dict[Any, dict[Any, Any]] = {}
        case_pk_text: tuple[str, str] | None = None
        for table in self.tables:
            rows = []
            for old_pk, template in zip(table.old_pks, table.rows, strict=True):
                row = list(template)
                for index, target in table.references.items():
                    if row[index] is not None:
                        row[index] = new_pks[target][row[index]]
                for index, length in table.unique_text.items():
                    if row[index] is not None:
                        row[index] = (tag + str(row[index]))[:length]
                if table.model is self.case_model:
                    row[table.columns.index("number")] = number
                elif case_pk_text is not None:
                    for name in TEXT_REFERENCES:
                        if name in table.columns:
                            i = table.columns.index(name)
                            if row[i] == case_pk_text[0]:
                                row[i] = case_pk_text[1]
                rows.append((old_pk, row))
            columns = ", ".join(f'"{c}"' for c in table.columns)
            one = "(" + ", ".join([p] * len(table.columns)) + ")"
            if table.referenced:
                mapping: dict[Any, Any] = {}
                for old_pk, row in rows:
                    cursor.execute(
                        f'INSERT INTO "{table.table}" ({columns}) VALUES {one} RETURNING id', row
                    )
                    mapping[old_pk] = cursor.fetchone()[0]
                new_pks[table.model] = mapping
                if table.model is self.case_model:
                    old, new = next(iter(mapping.items()))
                    case_pk_text = (str(old), str(new))
            else:
                values = ", ".join([one] * len(rows))
                flat = [value for _old, row in rows for value in row]
                cursor.execute(f'INSERT INTO "{table.table}" ({columns}) VALUES {values}', flat)
        return number


def _prefixes(number: str) -> list[str]:
    return [number[:end] for end in range(1, len(number))]


def _dependency_order(tables: dict[Any, _Table]) -> list[_Table]:
    """Tables other tables point at first (the case before its papers and events)."""
    done: list[_Table] = []
    pending = dict(tables)
    while pending:
        ready = [
            model
            for model, table in pending.items()
            if all(target not in pending or target is model for target in table.references.values())
        ]
        if not ready:
            raise RuntimeError("cyclic references among the accept's rows")
        for model in sorted(ready, key=lambda m: m._meta.label):
            done.append(pending.pop(model))
    return done
