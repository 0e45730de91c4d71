"""The benchmarks: each measures a subject and its baseline, interleaved, in one process.

``find_actors()`` picks the people and records every benchmark works with from whatever city
is in the database (the demo city, a bulk-built one, the smoke test's tiny one) by role and
by data, never by a demo username. ``run_suite(actors, rounds)`` returns one ``Figure`` per
benchmark; the concurrent intake lives in ``bench/concurrent.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from bench.queries import SEARCH_QUERIES
from bench.raw import RawAccept
from bench.timing import Figure, count_queries, interleaved

PAGE_ROWS = 50  # rows of one page of a list, for the SELECT baselines


@dataclass
class Actors:
    vendor: str
    hall: Any
    window: Any
    clerk: Any
    item: Any
    person: Any
    person_id_type: str
    person_id_number: str
    manager: Any
    lead: Any
    lead_department_id: int
    worker: Any  # the approver (or lead) with the longest queue
    worker_role: str
    worker_department_id: int
    case_number: str
    case_query_code: str


def _user_with(role: str, **where: Any) -> Any:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(role_assignments__role=role, is_active=True, **where)
        .order_by("username")
        .first()
    )


def find_actors() -> Actors:
    from django.db import connection
    from django.db.models import Count

    from onewindow.applicants.models import PERSON_ID_NUMBER_CONTEXT, Person
    from onewindow.cases.models import Case, CaseTask
    from onewindow.cases.transitions import CaseState, TaskState
    from onewindow.catalog.codes import CaseType, ItemStatus
    from onewindow.catalog.models import ServiceItem
    from onewindow.catalog.selectors import item_accepted_at
    from onewindow.core import crypto
    from onewindow.org.models import CentreLevel, Role, ServiceCentre, WindowKind

    hall = ServiceCentre.objects.get(level=CentreLevel.DISTRICT_HALL)
    clerk = _user_with(Role.INTAKE_CLERK, role_assignments__centre=hall)
    window = hall.windows.filter(kind=WindowKind.INTAKE).order_by("number").first()
    item = next(
        candidate
        for candidate in ServiceItem.objects.filter(
            status=ItemStatus.PUBLISHED, case_type=CaseType.PROMISED
        )
        .select_related("department")
        .prefetch_related("handled_in_regions")
        .order_by("implementation_code")
        if item_accepted_at(item=candidate, centre=hall) and candidate.materials.exists()
    )
    # The applicant with the longest history (the window shows it).
    busiest = (
        Case.objects.filter(person__isnull=False)
        .values("person_id")
        .annotate(n=Count("id"))
        .order_by("-n", "person_id")
        .first()
    )
    person = Person.objects.get(pk=busiest["person_id"]) if busiest else Person.objects.first()
    assert person is not None, "the city has no applicant"
    manager = _user_with(Role.CENTRE_MANAGER, role_assignments__centre=hall)
    open_states = [CaseState.ACCEPTED, CaseState.SUSPENDED]
    top_department = (
        Case.objects.filter(state__in=open_states)
        .values("department_id")
        .annotate(n=Count("id"))
        .order_by("-n", "department_id")
        .first()
    )
    assert top_department is not None, "the city has no open case"
    lead_department_id = top_department["department_id"]
    lead = _user_with(Role.DEPT_LEAD, role_assignments__department_id=lead_department_id)
    queue = (
        CaseTask.objects.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED])
        .values("department_id", "role")
        .annotate(n=Count("id"))
        .order_by("-n", "department_id", "role")
    )
    worker = None
    for row in queue:
        worker = _user_with(row["role"], role_assignments__department_id=row["department_id"])
        if worker is not None:
            break
    assert worker is not None, "no department worker with open tasks"
    case = (
        Case.objects.filter(state__in=open_states, department_id=lead_department_id)
        .order_by("-accepted_at", "-pk")
        .first()
    )
    assert case is not None, "no open case"
    for role, user in (("intake clerk", clerk), ("centre manager", manager), ("lead", lead)):
        assert user is not None, f"the city has no {role} for the benchmarks"
    return Actors(
        vendor=connection.vendor,
        hall=hall,
        window=window,
        clerk=clerk,
        item=item,
        person=person,
        person_id_type=person.id_type,
        person_id_number=crypto.decrypt(
            person.id_number_encrypted, context=PERSON_ID_NUMBER_CONTEXT
        ),
        manager=manager,
        lead=lead,
        lead_department_id=lead_department_id,
        worker=worker,
        worker_role=row["role"],
        worker_department_id=row["department_id"],
        case_number=case.number,
        case_query_code=case.query_code,
    )


def signed_in(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _ok(response: Any, *expected: int) -> Any:
    if response.status_code not in (expected or (200,)):
        body = response.content[:300]
        raise RuntimeError(f"{response.request['PATH_INFO']}: {response.status_code} {body!r}")
    return response


# --- raw SQL on Django's own DB-API connection ---------------------------------------------


def raw_cursor() -> Any:
    """A DB-API cursor on the connection under Django's (sqlite3 or psycopg), bypassing the
    ORM and its query log."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.cursor()


def raw_select(sql: str, params: list[Any]) -> Callable[[], Any]:
    from django.db import connection

    if connection.vendor == "sqlite":
        sql = sql.replace("%s", "?")

    def run() -> Any:
        cursor = raw_cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()

    return run


def raw_selects(*statements: tuple[str, list[Any]]) -> Callable[[], Any]:
    runs = [raw_select(sql, params) for sql, params in statements]

    def run() -> Any:
        return [r() for r in runs]

    return run


# --- the intake ---------------------------------------------------------------------------


def receipts_for(actors: Actors) -> list[Any]:
    """Every paper of the item's checklist, marked received."""
    from onewindow.cases.models import MaterialStatus
    from onewindow.cases.services import MaterialReceipt

    return [
        MaterialReceipt(name=m.name, status=MaterialStatus.RECEIVED)
        for m in actors.item.materials.order_by("pk")
    ]


def intake_for(actors: Actors, receipts: list[Any]) -> Any:
    from onewindow.cases.services import Intake

    return Intake(
        item=actors.item,
        centre=actors.hall,
        window=actors.window,
        clerk=actors.clerk,
        person=actors.person,
        materials=receipts,
    )


def service_accept(actors: Actors) -> Callable[[], Any]:
    from onewindow.cases.services import case_accept

    # The papers are marked once, as the API's body is built once: reading the checklist is
    # the bench's preparation, which the raw baseline does not do either (issue 8).
    receipts = receipts_for(actors)

    def run() -> Any:
        return case_accept(intake=intake_for(actors, receipts))

    return run


def learn_raw_accept(actors: Actors) -> RawAccept:
    raw, _case = RawAccept.learn(service_accept(actors))
    return raw


def raw_accept(raw: RawAccept) -> Callable[[], Any]:
    from django.db import transaction

    def run() -> Any:
        with transaction.atomic():
            cursor = raw_cursor()
            try:
                return raw.write(cursor)
            finally:
                cursor.close()

    return run


def api_accept_body(actors: Actors) -> dict[str, Any]:
    return {
        "item_id": actors.item.pk,
        "centre_id": actors.hall.pk,
        "window_id": actors.window.pk if actors.window else None,
        "applicant": {"id_type": actors.person_id_type, "id_number": actors.person_id_number},
        "materials": [
            {"name": m.name, "status": "received"} for m in actors.item.materials.order_by("pk")
        ],
    }


def api_accept(actors: Actors) -> Callable[[], Any]:
    client = signed_in(actors.clerk)
    body = api_accept_body(actors)

    def run() -> Any:
        return _ok(
            client.post(
                "/api/cases/intake/accept",
                body,
                content_type="application/json",
                headers={"Idempotency-Key": uuid.uuid4().hex},
            ),
            201,
        )

    return run


def window_client(actors: Actors) -> Any:
    client = signed_in(actors.clerk)
    desk = f"{actors.hall.pk}:{actors.window.pk}" if actors.window else f"{actors.hall.pk}"
    _ok(client.post("/staff/cases/intake/desk/choose/", {"desk": desk}), 302)
    return client


def window_path(actors: Actors) -> Callable[[], Any]:
    """ID look-up → the applicant's profile and history → accept → result page → receipt."""
    client = window_client(actors)
    papers = list(actors.item.versions.order_by("-number").first().snapshot.get("materials", []))
    form: dict[str, Any] = {"decision": "accept", "output_method": "window"}
    for index, _paper in enumerate(papers):
        form.update(
            {
                f"m{index}-status": "received",
                f"m{index}-receive_form": "paper",
                f"m{index}-copies": 1,
            }
        )
    item_page = f"/staff/cases/intake/items/{actors.item.pk}/"

    def run() -> Any:
        _ok(
            client.post(
                "/staff/cases/intake/identify/",
                {"id_type": actors.person_id_type, "id_number": actors.person_id_number},
            ),
            302,
        )
        _ok(client.get("/staff/cases/intake/"))
        done = _ok(client.post(item_page, {**form, "idempotency_key": uuid.uuid4().hex}), 302)
        _ok(client.get(done["Location"]))
        number = done["Location"].rstrip("/").rsplit("/", 1)[-1]
        pdf = _ok(client.get(f"/staff/cases/{number}/receipt.pdf"))
        _ok(client.post("/staff/cases/intake/next/"), 302)
        return pdf

    return run


# --- the suite ----------------------------------------------------------------------------


def _figure(
    name: str,
    subject_label: str,
    baseline_label: str,
    *,
    subject: Callable[[], Any],
    baseline: Callable[[], Any],
    rounds: int,
    warmup: int,
    baseline_queries: int | None = None,
    say: Callable[[str], None],
) -> Figure:
    say(f"  {name} …")
    figure = Figure(name=name, subject=subject_label, baseline=baseline_label)
    interleaved(figure, subject=subject, baseline=baseline, rounds=rounds, warmup=warmup)
    figure.queries = count_queries(subject)
    figure.baseline_queries = (
        baseline_queries if baseline_queries is not None else count_queries(baseline)
    )
    return figure


# The in-process benchmarks by group, in the order they run (``--only`` picks groups).
GROUPS: dict[str, tuple[str, ...]] = {
    "board": ("queue page", "board page (manager)", "board page (lead)", "board API (manager)"),
    "case": ("case page", "progress API"),
    "search": ("catalogue search",),
    "receipt": ("receipt PDF",),
    "accept": ("accept (service)", "accept (API)", "window path"),
    "hall": ("calling screen", "window desk", "pre-review queue"),
    "assess": ("monthly tables",),
    "hotline": (
        "order take",
        "wallboard counts (1×)",
        "unit queue (1×)",
        "wallboard counts (10×)",
        "unit queue (10×)",
    ),
    "grid": (
        "grid street list (1×)",
        "grid map points (1×)",
        "grid indicators month (1×)",
        "grid street list (10×)",
        "grid map points (10×)",
        "grid indicators month (10×)",
    ),
}


def run_suite(
    actors: Actors,
    *,
    rounds: int,
    warmup: int = 1,
    say: Callable[[str], None] = print,
    groups: Collection[str] | None = None,
) -> list[Figure]:
    """Every in-process benchmark (``warmup`` untimed runs of each side first), or those of
    ``groups`` (names of ``GROUPS``). Reads run first, so that the accepts the write
    benchmarks add do not grow the queues and boards they measure; only ``receipt`` and
    ``accept`` add cases."""
    from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CaseTask
    from onewindow.cases.transitions import CaseState, TaskState
    from onewindow.catalog.search import item_search
    from onewindow.catalog.selectors import item_list_public

    figures: list[Figure] = []
    case_t = Case._meta.db_table
    task_t = CaseTask._meta.db_table
    item_t = actors.item._meta.db_table
    dept_t = actors.item.department._meta.db_table
    centre_t = actors.hall._meta.db_table
    open_states = [CaseState.ACCEPTED.value, CaseState.SUSPENDED.value]
    open_tasks = [TaskState.OPEN.value, TaskState.CLAIMED.value]
    unknown = set(groups or ()) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown benchmark groups: {sorted(unknown)}")
    chosen = set(GROUPS) if groups is None else set(groups)

    if "board" in chosen:
        # Department queue.
        worker = signed_in(actors.worker)
        queue_select = raw_select(
            f"SELECT t.id, t.name, t.state, t.due_at, c.number, c.state, i.name "
            f"FROM {task_t} t JOIN {case_t} c ON c.id = t.case_id "
            f"JOIN {item_t} i ON i.id = c.item_id "
            f"WHERE t.department_id = %s AND t.role = %s AND t.state IN (%s, %s) "
            f"ORDER BY t.due_at, c.number LIMIT {PAGE_ROWS}",
            [actors.worker_department_id, actors.worker_role, *open_tasks],
        )
        figures.append(
            _figure(
                "queue page",
                f"GET /staff/cases/queue/ ({actors.worker.username})",
                f"raw SELECT of the first {PAGE_ROWS} open tasks of the same department and role",
                subject=lambda: _ok(worker.get("/staff/cases/queue/")),
                baseline=queue_select,
                baseline_queries=1,
                rounds=rounds,
                warmup=warmup,
                say=say,
            )
        )

        # Supervision board: the centre manager and a department lead.
        board_sql = (
            f"SELECT c.number, i.name, d.name, s.name, c.state, c.due_at, c.paused_since "
            f"FROM {case_t} c JOIN {item_t} i ON i.id = c.item_id "
            f"JOIN {dept_t} d ON d.id = c.department_id JOIN {centre_t} s ON s.id = c.centre_id "
            f"WHERE c.state IN (%s, %s) {{where}} ORDER BY c.due_at, c.number LIMIT {PAGE_ROWS}"
        )
        for label, user, where, params in (
            ("manager", actors.manager, "", []),
            ("lead", actors.lead, "AND c.department_id = %s", [actors.lead_department_id]),
        ):
            client = signed_in(user)
            figures.append(
                _figure(
                    f"board page ({label})",
                    f"GET /staff/cases/supervision/ ({user.username})",
                    f"raw SELECT of the first {PAGE_ROWS} open cases "
                    + ("of the district" if not where else "of the department")
                    + ", by due date",
                    subject=_page(client, "/staff/cases/supervision/"),
                    baseline=raw_select(board_sql.format(where=where), [*open_states, *params]),
                    baseline_queries=1,
                    rounds=rounds,
                    warmup=warmup,
                    say=say,
                )
            )
        manager = signed_in(actors.manager)
        figures.append(
            _figure(
                "board API (manager)",
                f"GET /api/cases/supervision ({actors.manager.username}, first page of 50)",
                f"raw SELECT of the first {PAGE_ROWS} open cases of the district, by due date",
                subject=lambda: _ok(manager.get("/api/cases/supervision")),
                baseline=raw_select(board_sql.format(where=""), open_states),
                baseline_queries=1,
                rounds=rounds,
                warmup=warmup,
                say=say,
            )
        )

    if "case" in chosen:
        # One case: the staff case page and the public progress API.
        lead = signed_in(actors.lead)
        case_selects = raw_selects(
            (f"SELECT * FROM {case_t} WHERE number = %s", [actors.case_number]),
            (
                f"SELECT e.* FROM {CaseEvent._meta.db_table} e JOIN {case_t} c ON c.id = e.case_id "
                "WHERE c.number = %s ORDER BY e.at, e.id",
                [actors.case_number],
            ),
            (
                f"SELECT t.* FROM {task_t} t JOIN {case_t} c ON c.id = t.case_id "
                "WHERE c.number = %s ORDER BY t.step_order, t.id",
                [actors.case_number],
            ),
            (
                f"SELECT m.* FROM {CaseMaterial._meta.db_table} m JOIN {case_t} c "
                'ON c.id = m.case_id WHERE c.number = %s ORDER BY m."order"',
                [actors.case_number],
            ),
        )
        figures.append(
            _figure(
                "case page",
                f"GET /staff/cases/<number>/ ({actors.lead.username})",
                "raw SELECTs of the case, its events, tasks and papers by number (4)",
                subject=lambda: _ok(lead.get(f"/staff/cases/{actors.case_number}/")),
                baseline=case_selects,
                baseline_queries=4,
                rounds=rounds,
                warmup=warmup,
                say=say,
            )
        )
        progress_label, progress = _progress_call(actors)
        figures.append(
            _figure(
                "progress API",
                progress_label,
                "raw SELECTs of the case and its events by number (2)",
                subject=progress,
                baseline=raw_selects(
                    (f"SELECT * FROM {case_t} WHERE number = %s", [actors.case_number]),
                    (
                        f"SELECT e.* FROM {CaseEvent._meta.db_table} e JOIN {case_t} c "
                        "ON c.id = e.case_id WHERE c.number = %s ORDER BY e.at, e.id",
                        [actors.case_number],
                    ),
                ),
                baseline_queries=2,
                rounds=rounds,
                warmup=warmup,
                say=say,
            )
        )

    if "search" in chosen:
        # Catalogue search (bench_search.py's approach: the same queries, a naive name query).
        turn = {"subject": 0, "baseline": 0}

        def next_query(kind: str) -> str:
            query = SEARCH_QUERIES[turn[kind] % len(SEARCH_QUERIES)]
            turn[kind] += 1
            return query

        figures.append(
            _figure(
                "catalogue search",
                f"item_search(q, limit=20), cycling {len(SEARCH_QUERIES)} everyday queries",
                "item_list_public().filter(name__icontains=q)[:20], same queries",
                subject=lambda: item_search(next_query("subject"), limit=20),
                baseline=lambda: list(
                    item_list_public().filter(name__icontains=next_query("baseline"))[:20]
                ),
                rounds=rounds,
                warmup=warmup,
                say=say,
            )
        )

    if "receipt" in chosen:
        # Receipt PDF.
        clerk = signed_in(actors.clerk)
        # A case of the clerk's own, accepted now (one more open case, after the pages above).
        receipt_case = service_accept(actors)()
        sizes: list[int] = []

        def receipt() -> Any:
            response = _ok(clerk.get(f"/staff/cases/{receipt_case.number}/receipt.pdf"))
            sizes.append(len(response.content))
            return response

        figure = _figure(
            "receipt PDF",
            f"GET /staff/cases/<number>/receipt.pdf ({actors.clerk.username})",
            "GET /staff/cases/<number>/ (the same case's HTML page, same user)",
            subject=receipt,
            baseline=lambda: _ok(clerk.get(f"/staff/cases/{receipt_case.number}/")),
            rounds=rounds,
            warmup=warmup,
            say=say,
        )
        figure.extra["size_kb"] = round(max(sizes) / 1024, 1)
        figures.append(figure)

    if "accept" in chosen:
        # Writes: accept through the service and through the API, against raw inserts.
        raw = learn_raw_accept(actors)
        raw_run = raw_accept(raw)
        raw_label = (
            f"raw {'sqlite3' if actors.vendor == 'sqlite' else 'psycopg'} transaction inserting "
            f"the same rows ({raw.statements} statements: "
            + ", ".join(f"{t} {n}" for t, n in raw.row_counts.items())
            + ")"
        )
        for name, subject_label, subject in (
            ("accept (service)", "cases.services.case_accept", service_accept(actors)),
            (
                "accept (API)",
                "POST /api/cases/intake/accept (signed-in clerk, applicant by ID number)",
                api_accept(actors),
            ),
        ):
            figure = _figure(
                name,
                subject_label,
                raw_label,
                subject=subject,
                baseline=raw_run,
                baseline_queries=raw.statements,
                rounds=rounds,
                warmup=warmup,
                say=say,
            )
            figure.extra["raw_rows"] = raw.row_counts
            figures.append(figure)

        figures.append(
            _figure(
                "window path",
                "identify → profile and history → accept → result page → receipt PDF (pages)",
                raw_label,
                subject=window_path(actors),
                baseline=raw_run,
                baseline_queries=raw.statements,
                rounds=rounds,
                warmup=warmup,
                say=say,
            )
        )
    if "hall" in chosen:
        figures.extend(_hall_figures(actors, rounds=rounds, warmup=warmup, say=say))
    if "assess" in chosen:
        figures.append(_assess_figure(actors, rounds=rounds, warmup=warmup, say=say))
    if "hotline" in chosen:
        from bench.hotline import hotline_figures

        figures.extend(
            hotline_figures(
                actors,
                rounds=rounds,
                warmup=warmup,
                say=say,
                figure=_figure,
                raw_select=raw_select,
                raw_cursor=raw_cursor,
            )
        )
    if "grid" in chosen:
        from bench.grid import grid_figures

        figures.extend(
            grid_figures(
                actors,
                rounds=rounds,
                warmup=warmup,
                say=say,
                figure=_figure,
                raw_select=raw_select,
                signed_in=signed_in,
            )
        )
    return figures


def _assess_figure(
    actors: Actors, *, rounds: int, warmup: int, say: Callable[[str], None]
) -> Figure:
    """The three monthly tables (``assess.tables``) of the whole district for the month of the
    latest accepted case, against one raw read of the rows they aggregate: the cases accepted
    or decided in the month, the steps finished in it, its ratings (with their rectification)
    and the staff they rate. Reads only."""
    import datetime as dt

    from django.db import connection
    from django.db.models import Max

    from onewindow.assess.tables import Period, Unit, all_tables
    from onewindow.cases.models import Case, CaseTask
    from onewindow.org.models import Region, RegionLevel, ServiceCentre
    from onewindow.ratings.models import RatedStaff, Rating, Rectification

    region = actors.hall.region
    while region.level != RegionLevel.DISTRICT and region.parent_id is not None:
        region = region.parent
    unit = Unit.of_region(region)
    latest = Case.objects.aggregate(at=Max("accepted_at"))["at"]
    period = Period.of(latest) if latest else Period.of(dt.datetime.now(tz=dt.UTC))

    def moment(value: dt.datetime) -> Any:
        # SQLite keeps UTC text without an offset (Django's format); PostgreSQL takes the instant.
        if connection.vendor == "sqlite":
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
        return value

    start, end = moment(period.start), moment(period.end)
    case_t, task_t = Case._meta.db_table, CaseTask._meta.db_table
    centre_t, region_t = ServiceCentre._meta.db_table, Region._meta.db_table
    rating_t, staff_t = Rating._meta.db_table, RatedStaff._meta.db_table
    fix_t = Rectification._meta.db_table
    like = f"{unit.region_prefix}%"
    in_unit = (
        f"JOIN {centre_t} s ON s.id = c.centre_id JOIN {region_t} r ON r.id = s.region_id "
        "WHERE r.code LIKE %s"
    )
    baseline = raw_selects(
        (
            f"SELECT c.id, c.department_id, c.clerk_id, c.window_id, c.accepted_at, "
            f"c.decided_at, c.due_at, c.time_limit FROM {case_t} c {in_unit} AND "
            "((c.accepted_at >= %s AND c.accepted_at < %s) OR "
            "(c.decided_at >= %s AND c.decided_at < %s))",
            [like, start, end, start, end],
        ),
        (
            f"SELECT t.id, t.assignee_id, t.finished_at, t.due_at FROM {task_t} t "
            f"JOIN {case_t} c ON c.id = t.case_id {in_unit} AND t.state = %s "
            "AND t.finished_at >= %s AND t.finished_at < %s",
            [like, "done", start, end],
        ),
        (
            f"SELECT g.id, g.department_id, g.level, g.is_default, g.counts_in_scores, x.state "
            f"FROM {rating_t} g LEFT JOIN {fix_t} x ON x.rating_id = g.id "
            "WHERE g.region_code LIKE %s AND g.rated_at >= %s AND g.rated_at < %s",
            [like, start, end],
        ),
        (
            f"SELECT p.user_id, g.level, g.is_default, g.counts_in_scores FROM {staff_t} p "
            f"JOIN {rating_t} g ON g.id = p.rating_id "
            "WHERE g.region_code LIKE %s AND g.rated_at >= %s AND g.rated_at < %s",
            [like, start, end],
        ),
    )
    return _figure(
        "monthly tables",
        f"assess.tables: the three tables of {unit.name} for {period.key}",
        "raw SELECTs of the month's cases, steps, ratings and rated staff of the district (4)",
        subject=lambda: all_tables(unit=unit, period=period),
        baseline=baseline,
        baseline_queries=4,
        rounds=rounds,
        warmup=warmup,
        say=say,
    )


def _hall_tickets(actors: Actors, *, count: int) -> tuple[Any, Any, Any]:
    """Today's queue at the district hall: ``count`` tickets of its first group that a window
    serves, the clerk of that window calling the first (the screen's row), and the clerk."""
    from onewindow.hall.models import ServiceGroup
    from onewindow.hall.services import ticket_call_next, ticket_take

    group = (
        ServiceGroup.objects.filter(centre=actors.hall, is_active=True, windows__isnull=False)
        .order_by("order", "letter")
        .first()
    )
    assert group is not None, "the hall has no service group served at a window"
    window = group.windows.order_by("number").first()
    assert window is not None
    for _ in range(count):
        ticket_take(centre=actors.hall, group_id=group.pk)
    ticket_call_next(clerk=actors.clerk, window=window)
    return group, window, actors.clerk


def _hall_figures(
    actors: Actors, *, rounds: int, warmup: int, say: Callable[[str], None]
) -> list[Figure]:
    """The hall's live pages (the TV's calling screen, polled every 2 s by every screen; the
    clerk's desk, reloaded after each call) and the centre's pre-review queue, each against a
    raw SELECT of the rows it shows."""
    from django.test import Client
    from django.utils import timezone

    from onewindow.hall.codes import ON_SCREEN, TicketState
    from onewindow.hall.models import Ticket
    from onewindow.online.models import OnlineApplication
    from onewindow.online.transitions import OnlineState

    group, window, clerk = _hall_tickets(actors, count=60)
    ticket_t = Ticket._meta.db_table
    day = timezone.localdate()
    screen = Client()
    desk = signed_in(clerk)
    on_screen = [state.value for state in ON_SCREEN]
    figures = [
        _figure(
            "calling screen",
            f"GET /hall/{actors.hall.code}/screen/calls/ (anonymous: the TV's poll)",
            "raw SELECT of the centre's called tickets of the day, newest first",
            subject=_page(screen, f"/hall/{actors.hall.code}/screen/calls/"),
            baseline=raw_select(
                f"SELECT id, number, window_id, called_at FROM {ticket_t} "
                "WHERE centre_id = %s AND day = %s AND state IN (%s, %s) "
                "ORDER BY called_at DESC, id DESC LIMIT 6",
                [actors.hall.pk, day, *on_screen],
            ),
            baseline_queries=1,
            rounds=rounds,
            warmup=warmup,
            say=say,
        ),
        _figure(
            "window desk",
            f"GET /staff/hall/windows/<id>/ ({clerk.username}, {group.letter} queue of 60)",
            "raw SELECT of the window's waiting tickets, oldest first",
            subject=_page(desk, f"/staff/hall/windows/{window.pk}/"),
            baseline=raw_select(
                f"SELECT id, number, queued_at FROM {ticket_t} WHERE group_id = %s AND day = %s "
                "AND state = %s ORDER BY queued_at, id LIMIT 20",
                [group.pk, day, TicketState.WAITING.value],
            ),
            baseline_queries=1,
            rounds=rounds,
            warmup=warmup,
            say=say,
        ),
    ]
    application_t = OnlineApplication._meta.db_table
    figures.append(
        _figure(
            "pre-review queue",
            f"GET /staff/online/ ({actors.clerk.username})",
            "raw SELECT of the centre's sent applications, oldest first",
            subject=_page(signed_in(actors.clerk), "/staff/online/"),
            baseline=raw_select(
                f"SELECT id, reference, submitted_at FROM {application_t} "
                "WHERE centre_id = %s AND state = %s ORDER BY submitted_at, id LIMIT 50",
                [actors.hall.pk, OnlineState.SUBMITTED.value],
            ),
            baseline_queries=1,
            rounds=rounds,
            warmup=warmup,
            say=say,
        )
    )
    return figures


def _page(client: Any, path: str) -> Callable[[], Any]:
    def run() -> Any:
        return _ok(client.get(path))

    return run


def _progress_call(actors: Actors) -> tuple[str, Callable[[], Any]]:
    """The public progress look-up: a POST with number and code in a JSON body, or, where the
    API still takes them so, a GET with them in the query string."""
    from django.test import Client

    public = Client(REMOTE_ADDR="198.51.100.7")
    query = {"number": actors.case_number, "code": actors.case_query_code}

    def post() -> Any:
        return _ok(public.post("/api/progress", query, content_type="application/json"))

    def get() -> Any:
        return _ok(public.get("/api/progress", query))

    try:
        post()
    except RuntimeError:
        get()
        return "GET /api/progress?number=…&code=… (anonymous)", get
    return "POST /api/progress {number, code} (anonymous)", post
