"""The ``hotline`` group: intake of 12345 work orders at a peak hour, and the wallboard's counts
and a unit's queue at 1× and 10× the orders.

Beijing's hotline takes about 30,000 calls a day; squeezed into a peak hour that is ~8 orders a
second. ``order take`` times ``HOTLINE_BATCH`` ``order_take`` calls per round (``--rounds``
rounds: 2,000 orders at the default 20 × 100; ``BENCH_HOTLINE_BATCH`` changes it) against the
same rows written by single-row INSERTs on the DB-API connection, one transaction per order:
the rows one real ``order_take`` wrote (order, caller, event, audit row, whatever tables),
read back and copied with fresh unique values (the number sequence is not taken: the
baseline is the cheaper for it). ``extra`` carries orders per second of both sides.

The demo city has no hotline scene, so this module adds one: two handling units (the lead
department of the busiest queue and another), a category with its rule, an agent. The read
figures then bulk-add orders (``bulk_create``, not services: the volume, not the path, is
what they vary) — N, then 9 N more — a tenth of them held by the unit, and time
``wallboard_figures(now)`` and ``list(unit_queue(user)[:50])`` against raw SELECTs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable
from typing import Any

from bench.timing import Figure

BATCH = int(os.environ.get("BENCH_HOTLINE_BATCH") or 100)


def _scene(actors: Any) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from onewindow.hotline.codes import UnitKind
    from onewindow.hotline.models import DispatchCategory, DispatchRule, HandlingUnit
    from onewindow.org.codes import Role
    from onewindow.org.models import Department, RoleAssignment

    lead = Department.objects.get(pk=actors.lead_department_id)
    other = Department.objects.exclude(pk=lead.pk).order_by("pk").first()
    for department in (d for d in (lead, other) if d is not None):
        HandlingUnit.objects.get_or_create(
            department=department, defaults={"kind": UnitKind.FUNCTIONAL}
        )
    parent, _ = DispatchCategory.objects.get_or_create(code="B1", defaults={"name": "市政设施"})
    category, _ = DispatchCategory.objects.get_or_create(
        code="B101", defaults={"name": "路灯", "parent": parent, "keywords": "路灯 灯不亮"}
    )
    DispatchRule.objects.get_or_create(category=category, region=None, defaults={"lead": lead})
    users = get_user_model()
    agent, created = users.objects.get_or_create(username="bench-hotline-agent")
    if created:
        RoleAssignment.objects.create(user=agent, role=Role.HOTLINE_AGENT)
    unit_user, created = users.objects.get_or_create(username="bench-hotline-unit")
    if created:
        RoleAssignment.objects.create(user=unit_user, role=Role.DEPT_APPROVER, department=lead)
    return {"agent": agent, "unit_user": unit_user, "lead": lead, "other": other}


def _take(agent: Any, serial: Any) -> Callable[[], Any]:
    from onewindow.hotline.codes import OrderType
    from onewindow.hotline.services import CallerInput, OrderInput, order_take

    def one() -> Any:
        n = next(serial)
        return order_take(
            actor=agent,
            data=OrderInput(
                order_type=OrderType.HELP,
                title="路灯不亮",
                content=f"大街{n}号门口的路灯一连三晚不亮。",
                place=f"大街{n}号",
                category_code="B101",
            ),
            caller=CallerInput(name="陈先生", phone=f"139{n % 100000000:08d}"),
        )

    return one


class _RawRows:
    """The rows one run wrote, re-inserted one row per statement with fresh unique values."""

    def __init__(self, tables: list[tuple[Any, str, list[Any], list[list[Any]], list[Any]]]):
        from django.db import connection

        self.tables = tables
        self.p = "?" if connection.vendor == "sqlite" else "%s"
        self.serial = itertools.count(1)

    @classmethod
    def learn(cls, run: Callable[[], Any]) -> _RawRows:
        from django.apps import apps
        from django.db import connection

        models = [
            m
            for m in apps.get_models()
            if not m._meta.proxy
            and m._meta.managed
            and m._meta.pk is not None
            and m._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")
        ]

        def highest() -> dict[Any, Any]:
            return {
                m: m._default_manager.order_by("-pk").values_list("pk", flat=True).first()
                for m in models
            }

        before = highest()
        run()
        after = highest()
        written = [m for m in models if after[m] != before[m]]
        tables: list[tuple[Any, str, list[Any], list[list[Any]], list[Any]]] = []

        def depth(model: Any) -> int:  # rows pointing at other written rows go after them
            return sum(
                1
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model in written and f.related_model is not model
            )

        for model in sorted(written, key=depth):
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            query = model._default_manager.order_by("pk")
            if before[model] is not None:
                query = query.filter(pk__gt=before[model])
            objs = list(query)
            rows = [
                [f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields]
                for o in objs
            ]
            tables.append((model, model._meta.db_table, fields, rows, [o.pk for o in objs]))
        return cls(tables)

    @property
    def statements(self) -> int:
        return sum(len(rows) for *_x, rows, _pks in self.tables) + 2  # BEGIN, COMMIT

    def write(self, cursor: Any) -> None:
        tag = f"R{next(self.serial):x}-"
        new: dict[Any, dict[Any, Any]] = {}
        for model, table, fields, rows, pks in self.tables:
            columns = ", ".join(f'"{f.column}"' for f in fields)
            one = "(" + ", ".join([self.p] * len(fields)) + ")"
            new[model] = {}
            for old_pk, template in zip(pks, rows, strict=True):
                row = list(template)
                for i, f in enumerate(fields):
                    target = f.related_model if f.is_relation else None
                    if target in new and row[i] in new[target]:
                        row[i] = new[target][row[i]]
                    elif f.unique and f.get_internal_type() == "CharField" and row[i] is not None:
                        row[i] = (tag + str(row[i]))[: f.max_length or 64]
                cursor.execute(f'INSERT INTO "{table}" ({columns}) VALUES {one} RETURNING id', row)
                new[model][old_pk] = cursor.fetchone()[0]


def _raw_cursor_run(raw: _RawRows, raw_cursor: Callable[[], Any]) -> Callable[[], Any]:
    from django.db import transaction

    def run() -> None:
        with transaction.atomic():  # the same BEGIN/COMMIT as the raw accept's
            cursor = raw_cursor()
            try:
                raw.write(cursor)
            finally:
                cursor.close()

    return run


def _bulk_orders(scene: dict[str, Any], count: int, start: int) -> None:
    """``count`` orders in mixed states, a tenth held by the lead unit (dispatched/handling)."""
    from django.utils import timezone

    from onewindow.hotline.codes import Channel, OrderType, UnitRole
    from onewindow.hotline.models import DispatchCategory, OrderUnit, WorkOrder
    from onewindow.hotline.transitions import OrderState as S

    now = timezone.now()
    category = DispatchCategory.objects.get(code="B101")
    cycle = [
        S.CLOSED,
        S.CLOSED,
        S.CLOSED,
        S.CLOSED,
        S.REPLIED,
        S.TO_DISPATCH,
        S.SUBMITTED,
        S.HANDLING,
        S.CLOSED,
        S.DISPATCHED,
    ]
    for chunk in range(start, start + count, 2000):
        orders = []
        for n in range(chunk, min(chunk + 2000, start + count)):
            state = cycle[n % 10]
            held = state in (S.DISPATCHED, S.HANDLING)
            received = now - dt.timedelta(minutes=n % 20000)
            orders.append(
                WorkOrder(
                    number=f"BENCH{n:010d}",
                    query_code_encrypted="-",
                    query_code_index=f"bench{n}",
                    channel=Channel.PHONE,
                    order_type=OrderType.HELP,
                    category=category,
                    title="路灯不亮",
                    content="路灯不亮。",
                    state=state,
                    received_at=received,
                    taken_at=received,
                    lead_unit=scene["lead"] if held else scene["other"],
                    dispatched_at=received,
                    sign_due_at=received + dt.timedelta(days=1),
                    due_at=received + dt.timedelta(days=3),
                    callback_due_at=received + dt.timedelta(days=1) if state == S.REPLIED else None,
                    closed_at=received if state == S.CLOSED else None,
                )
            )
        created = WorkOrder.objects.bulk_create(orders)
        OrderUnit.objects.bulk_create(
            OrderUnit(
                order_id=o.pk,
                department=o.lead_unit,
                role=UnitRole.LEAD,
                dispatched_at=o.received_at,
                dispatched_by=scene["agent"],
                sign_due_at=o.received_at + dt.timedelta(days=1),
            )
            for o in created
            if o.state in (S.DISPATCHED, S.HANDLING)
        )


def hotline_figures(
    actors: Any,
    *,
    rounds: int,
    warmup: int,
    say: Callable[[str], None],
    figure: Callable[..., Figure],
    raw_select: Callable[[str, list[Any]], Callable[[], Any]],
    raw_cursor: Callable[[], Any],
) -> list[Figure]:
    from django.utils import timezone

    from onewindow.hotline.models import OrderUnit, WorkOrder
    from onewindow.hotline.selectors import unit_queue
    from onewindow.hotline.wallboard import wallboard_figures

    scene = _scene(actors)
    serial = itertools.count(1)
    take = _take(scene["agent"], serial)
    take()  # the day's number sequence exists before the rows are learnt
    raw = _RawRows.learn(take)
    raw_one = _raw_cursor_run(raw, raw_cursor)

    def batch(run: Callable[[], Any]) -> Callable[[], None]:
        def many() -> None:
            for _ in range(BATCH):
                run()

        return many

    out: list[Figure] = []
    intake = figure(
        "order take",
        f"order_take × {BATCH} per round ({BATCH * rounds} orders; "
        "Beijing's 30,000/day in a peak hour ≈ 8/s)",
        f"single-row INSERTs of the same rows, one transaction per order × {BATCH}",
        subject=batch(take),
        baseline=batch(raw_one),
        baseline_queries=raw.statements,
        rounds=rounds,
        warmup=warmup,
        say=say,
    )
    # count_queries ran one batch: per order
    intake.queries = (intake.queries or 0) // BATCH
    intake.extra = {
        "orders_per_round": BATCH,
        "orders_per_second": round(BATCH * 1000 / intake.median_ms, 1)
        if intake.median_ms
        else None,
        "baseline_orders_per_second": round(BATCH * 1000 / intake.baseline_median_ms, 1)
        if intake.baseline_median_ms
        else None,
        "raw_rows": {t: len(r) for _m, t, _f, r, _p in raw.tables},
    }
    out.append(intake)

    n = BATCH * rounds
    base = 0
    order_t, unit_t = WorkOrder._meta.db_table, OrderUnit._meta.db_table
    lead_id = scene["lead"].pk
    for times in (1, 10):
        # 1×: N more orders (beside the intake's); 10×: nine times what 1× measured, more.
        add = n if times == 1 else 9 * base
        say(f"  adding {add} orders …")
        _bulk_orders(scene, add, start=0 if times == 1 else n)
        now = timezone.now()
        total = WorkOrder.objects.count()
        base = base or total
        wall = figure(
            f"wallboard counts ({times}×)",
            f"hotline.wallboard.wallboard_figures(now), {total} orders",
            "raw SELECT count(*) of the open orders grouped by state",
            subject=lambda now=now: wallboard_figures(now),
            baseline=raw_select(
                f"SELECT state, count(*) FROM {order_t} WHERE state IN "
                "('submitted','to_dispatch','dispatched','handling','replied','split') "
                "GROUP BY state",
                [],
            ),
            baseline_queries=1,
            rounds=rounds,
            warmup=warmup,
            say=say,
        )
        wall.extra = {"orders": total}
        out.append(wall)
        user = scene["unit_user"]
        queue = figure(
            f"unit queue ({times}×)",
            f"list(hotline.selectors.unit_queue(user)[:50]), {total} orders",
            "raw SELECT of the first 50 orders the unit holds by due date",
            subject=lambda user=user: list(unit_queue(user)[:50]),
            baseline=raw_select(
                f"SELECT o.* FROM {order_t} o WHERE o.state IN ('dispatched','handling') AND "
                f"EXISTS (SELECT 1 FROM {unit_t} u WHERE u.order_id = o.id AND "
                "u.department_id = %s AND u.returned_at IS NULL) ORDER BY o.due_at, o.id LIMIT 50",
                [lead_id],
            ),
            baseline_queries=1,
            rounds=rounds,
            warmup=warmup,
            say=say,
        )
        queue.extra = {"orders": total}
        out.append(queue)
    return out
