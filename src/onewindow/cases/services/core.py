"""The case's moves (``case_transition``, on the workflow kernel), the case row lock, events and
numbering.

Every other module of the package builds on these; this module imports none of them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import connection

from onewindow.cases.models import Case, CaseEvent, CaseNumberSequence, CaseTask
from onewindow.cases.transitions import CASE_MACHINE
from onewindow.org.models import Department, ServiceCentre
from onewindow.workflow import mover

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over a phone


# --- the case's moves, through the workflow kernel -------------------------------------------


def case_transition(
    *,
    case: Case,
    action: str,
    actor: Any,
    reason: str = "",
    expected_revision: int | None = None,
    department: Department | None = None,
    public: bool = True,
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    audit_detail: dict[str, Any] | None = None,
) -> CaseEvent:
    """Move ``case`` by ``action`` through the one mover (``workflow.mover.move``): table
    checked, revision bumped, ``CaseEvent`` and audit row written, the applicant told after
    commit. Runs inside the caller's transaction, on a case read with ``lock_case`` (or one
    this transaction creates)."""
    event: CaseEvent = mover.move(
        CASE_MACHINE,
        case,
        action,
        actor=actor,
        reason=reason,
        data=data,
        expected_revision=expected_revision,
        now=now,
        public=public,
        event_fields={"department": department},
        audit_detail=audit_detail,
    )
    return event


def lock_case(case: Case) -> Case:
    """``case`` read again under its row lock (inside the caller's transaction)."""
    return mover.lock(CASE_MACHINE, case, related=("centre__region",))


def check_case_revision(case: Case, expected_revision: int | None) -> None:
    mover.check_revision(CASE_MACHINE, case, expected_revision)


def case_record(
    case: Case,
    *,
    action: str,
    actor: Any,
    task: CaseTask | None = None,
    reason: str = "",
    public: bool = True,
    data: dict[str, Any] | None = None,
    department: Department | None = None,
    now: dt.datetime | None = None,
) -> CaseEvent:
    """An event that does not change the case's state (papers arriving)."""
    event: CaseEvent = mover.record(
        CASE_MACHINE,
        case,
        action,
        actor=actor,
        reason=reason,
        data=data,
        public=public,
        now=now,
        event_fields={
            "task": task,
            "department": department or (task.department if task else None),
        },
    )
    return event


# --- numbering ------------------------------------------------------------------------------


def case_number_next(*, centre: ServiceCentre, today: dt.date) -> str:
    """A city-unique number: ``CASE_NUMBER_FORMAT`` with district, date and a daily sequence."""
    template = getattr(settings, "CASE_NUMBER_FORMAT", "{district}{date:%Y%m%d}{seq:05d}")
    district = centre.region.code[:6]
    prefix = template.split("{seq")[0].format(district=district, date=today)
    return template.format(district=district, date=today, seq=sequence_next(prefix=prefix))


def sequence_next(*, prefix: str) -> int:
    """The next number of the sequence called ``prefix`` (1, 2, …), for any numbered record
    (cases; work orders use prefixes of their own).

    One statement (ADR 0013): ``INSERT … ON CONFLICT (prefix) DO UPDATE SET last = last + 1
    RETURNING last`` — PostgreSQL, and SQLite from 3.35. It runs in the caller's transaction, so
    a rolled-back intake gives its number back (no gaps), and the prefix's row stays locked
    until commit: call it as late as possible, after every read and check."""
    table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
    last = connection.ops.quote_name("last")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, {last}) VALUES (%s, 1) "
            f"ON CONFLICT (prefix) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}",
            [prefix],
        )
        (seq,) = cursor.fetchone()
    return int(seq)


def query_code_new() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6))
