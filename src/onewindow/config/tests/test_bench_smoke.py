"""The benchmark suite (``bench/``, ``make bench``) runs end to end at a tiny scale, so that it
cannot rot: every benchmark produces a figure, a baseline and a query count. Nothing here is
timed or compared with a time; the figures themselves belong to ``make bench``."""

from __future__ import annotations

import json

import pytest
from bench import environment
from bench.compare import compare
from bench.concurrency import SQLITE_NOTE, run_concurrent
from bench.run import chosen_groups, parse, table
from bench.suite import GROUPS, find_actors, run_suite
from django.db import connection

from onewindow.applicants.services import person_register
from onewindow.cases.models import MaterialStatus
from onewindow.cases.services import Intake, MaterialReceipt, case_accept
from onewindow.catalog.codes import MaterialType
from onewindow.hall.models import ServiceGroup
from onewindow.org.models import CentreLevel, Role, Window, WindowKind
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    StreetFactory,
    create_item,
    make_resident_id,
    material,
    staff_with_role,
)

EXPECTED = [
    "queue page",
    "board page (manager)",
    "board page (lead)",
    "board API (manager)",
    "case page",
    "progress API",
    "catalogue search",
    "receipt PDF",
    "accept (service)",
    "accept (API)",
    "window path",
    "calling screen",
    "window desk",
    "pre-review queue",
    "monthly tables",
    "order take",
    "wallboard counts (1×)",
    "unit queue (1×)",
    "wallboard counts (10×)",
    "unit queue (10×)",
    "grid street list (1×)",
    "grid map points (1×)",
    "grid indicators month (1×)",
    "grid street list (10×)",
    "grid map points (10×)",
    "grid indicators month (10×)",
]


def tiny_city() -> None:
    """A district hall with a clerk, a manager, a department with its approver and lead, one
    published item and an applicant with three accepted cases — what ``find_actors`` looks
    for, built in seconds (the demo city takes a minute)."""
    hall = CentreFactory(level=CentreLevel.DISTRICT_HALL, region=StreetFactory().parent)
    window = Window.objects.create(centre=hall, number="01", kind=WindowKind.INTAKE)
    department = DepartmentFactory(name="区住房和建设局")
    item = create_item(
        name="既有住宅增设电梯",
        department=department,
        materials=[
            material(name="既有住宅增设电梯申请表"),
            material(name="业主表决意见书", material_type=MaterialType.CERTIFICATE),
        ],
    )
    clerk = staff_with_role(Role.INTAKE_CLERK, centre=hall)
    queue = ServiceGroup.objects.create(centre=hall, letter="A", name="综合受理")
    queue.windows.set([window])
    staff_with_role(Role.CENTRE_MANAGER, centre=hall)
    staff_with_role(Role.DEPT_APPROVER, department=department)
    staff_with_role(Role.DEPT_LEAD, department=department)
    person = person_register(
        id_type="111",
        id_number=make_resident_id(),
        name="陈大文",
        phone="13800138000",
        identity_check="card_read",
        actor=clerk,
    )
    for _ in range(3):
        case_accept(
            intake=Intake(
                item=item,
                centre=hall,
                window=window,
                clerk=clerk,
                person=person,
                materials=[
                    MaterialReceipt(name=m.name, status=MaterialStatus.RECEIVED)
                    for m in item.materials.all()
                ],
            )
        )


# Committed rows: on PostgreSQL the concurrent intake's app processes read the same database.
@pytest.mark.django_db(transaction=True)
def test_every_benchmark_yields_a_figure_a_baseline_and_a_query_count(settings, monkeypatch):
    settings.STAFF_SECOND_FACTOR_ROLES = []
    monkeypatch.setattr("bench.grid.CASES", 40)  # 40 grid cases, then 400: the smoke size
    tiny_city()
    facts_before = environment.scale_facts()
    actors = find_actors()

    figures = run_suite(actors, rounds=1, warmup=0, say=lambda _line: None)
    figures += run_concurrent(actors, workers=[1], clients=2, seconds=0.3, say=lambda _l: None)

    names = [f.name for f in figures]
    assert names[: len(EXPECTED)] == EXPECTED
    assert [name for group in GROUPS.values() for name in group] == EXPECTED
    for figure in figures[: len(EXPECTED)]:
        assert figure.skipped == ""
        assert len(figure.subject_ms) == 1 and len(figure.baseline_ms) == 1, figure.name
        assert figure.subject_ms[0] > 0 and figure.baseline_ms[0] > 0, figure.name
        assert figure.ratio is not None, figure.name
        assert figure.queries is not None and figure.queries > 0, figure.name
        assert figure.baseline_queries is not None and figure.baseline_queries > 0, figure.name
        assert figure.subject and figure.baseline, figure.name
    receipt = figures[EXPECTED.index("receipt PDF")]
    assert receipt.extra["size_kb"] > 0
    raw = figures[EXPECTED.index("accept (service)")].extra["raw_rows"]
    assert raw["cases_case"] == 1 and raw["cases_casematerial"] == actors.item.materials.count()
    assert raw["cases_caseevent"] >= 1 and raw["core_auditlog"] >= 1

    concurrent = figures[len(EXPECTED) :]
    if connection.vendor == "sqlite":
        assert [(f.name, f.skipped) for f in concurrent] == [("concurrent intake", SQLITE_NOTE)]
    else:
        [intake] = concurrent
        assert intake.name == "concurrent intake (1 proc)"
        assert intake.subject_ms and intake.baseline_ms
        assert intake.extra["errors"] == 0 and intake.extra["baseline_errors"] == 0
        assert intake.queries and intake.baseline_queries

    # The accepts (each benchmark's warm-up, rounds and counted run) all made cases.
    assert environment.scale_facts()["cases"] > facts_before["cases"]

    # The report: the table names every benchmark; the JSON pairs with itself in compare.
    printed = table(figures)
    for name in EXPECTED:
        assert name in printed
    report = {
        **environment.describe(None, vendor=connection.vendor, scale="smoke", city=facts_before),
        "figures": [f.as_dict() for f in figures],
    }
    again = json.loads(json.dumps(report, default=str))
    assert again["city"] == facts_before and again["machine"]["cores"] >= 1
    compared = compare(again, again)
    for name in EXPECTED:
        assert f"{name:<26}" in compared


@pytest.mark.django_db
def test_a_group_runs_alone_and_the_board_group_adds_no_case(settings):
    """``--only board`` (``run_suite(groups=...)``): the queue and board figures only, and
    nothing written — the group a city database can take read-only."""
    settings.STAFF_SECOND_FACTOR_ROLES = []
    tiny_city()
    facts_before = environment.scale_facts()

    figures = run_suite(find_actors(), rounds=1, warmup=0, say=lambda _l: None, groups=["board"])

    assert [f.name for f in figures] == list(GROUPS["board"])
    assert all(f.subject_ms and f.baseline_ms and f.queries for f in figures)
    assert environment.scale_facts() == facts_before
    with pytest.raises(ValueError, match="unknown benchmark groups"):
        run_suite(find_actors(), rounds=1, groups=["boards"])


def test_only_names_groups_and_the_concurrent_intake():
    assert parse(["--only", "board"]).only == ["board"]
    assert chosen_groups(parse(["--only", "accept,board"]).only) == ["board", "accept"]
    assert chosen_groups(parse(["--only", "concurrency"]).only) == []
    assert chosen_groups(parse([]).only) is None
    with pytest.raises(SystemExit):
        parse(["--only", "boards"])
