"""The city-scale generator (``demo.bulk``) at a small scale, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from stdnum.cn import ric

from onewindow.applicants.identifiers import check_document_number
from onewindow.applicants.models import PERSON_ID_NUMBER_CONTEXT, Person
from onewindow.applicants.services import person_find_by_id_number
from onewindow.cases.models import Case, CaseEvent, CaseNumberSequence, CaseTask
from onewindow.cases.services import Intake, MaterialReceipt, case_accept
from onewindow.cases.transitions import CaseState
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.selectors import item_accepted_at
from onewindow.core import crypto
from onewindow.core.audit_chain import audit_seal, audit_verify
from onewindow.core.errors import ApplicationError, ErrorList, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.demo import bulk
from onewindow.demo.generator import build_demo_city
from onewindow.org.models import Role, RoleAssignment, ServiceCentre

CASES = 300
PERSONS = 60
SEED = 7
NOW = timezone.make_aware(dt.datetime(2026, 6, 10, 11, 0))


def _bulk_schema() -> list[tuple[str, ...]]:
    """Every index and constraint of the tables the bulk load fills, as the database says."""
    tables = [m._meta.db_table for m in bulk.BULK_MODELS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
                [tables],
            )
            found = cursor.fetchall()
            cursor.execute(
                "SELECT 'constraint', conname, pg_get_constraintdef(oid) || "
                "CASE WHEN convalidated THEN '' ELSE ' (not valid)' END "
                "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
                [tables],
            )
            found += cursor.fetchall()
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({marks})",
                tables,
            )
            found = cursor.fetchall()
    # A rebuilt partial index deparses its casts differently: compare without casts.
    return sorted((kind, name, _without_casts(str(sql))) for kind, name, sql in found)


def _without_casts(sql: str) -> str:
    return re.sub(r"::[a-z ]+(\[\])?|[() ]", "", sql)


@pytest.fixture(scope="module")
def city(django_db_setup: Any, django_db_blocker: Any) -> dict[str, Any]:
    """A small demo city with a bulk load on top; what the tests check is collected inside the
    transaction, which is then rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo_city(seed=SEED, scale=0.05)
        plan_city = bulk.load_city()
        facts: dict[str, Any] = {
            "digests": [
                bulk.plan_digest(
                    seed=SEED,
                    persons=PERSONS,
                    cases=CASES,
                    city=plan_city,
                    today=NOW.date(),
                    now=NOW,
                )
                for _ in range(2)
            ],
            "other_seed": bulk.plan_digest(
                seed=SEED + 1,
                persons=PERSONS,
                cases=CASES,
                city=plan_city,
                today=NOW.date(),
                now=NOW,
            ),
        }
        out = StringIO()
        facts["schema_before"] = _bulk_schema()
        report = bulk.build_city_bulk(
            seed=SEED, persons=PERSONS, cases=CASES, stdout=out, now=NOW, free_bytes=10**13
        )
        facts["report"] = report
        facts["schema_after"] = _bulk_schema()
        facts["verify"] = audit_verify()
        counts = (Person.objects.count(), Case.objects.count())
        try:
            bulk.build_city_bulk(seed=SEED, persons=5, cases=5, now=NOW, free_bytes=10**13)
        except ApplicationError as exc:
            facts["again"] = (exc.code, (Person.objects.count(), Case.objects.count()) == counts)
        facts["progress"] = out.getvalue()
        facts["states"] = collections.Counter(Case.objects.values_list("state", flat=True))
        people = list(
            Person.objects.order_by("pk").values_list(
                "pk", "id_number_encrypted", "id_number_index", "id_number_masked"
            )
        )
        facts["people"] = people
        facts["clear_ids"] = [
            crypto.decrypt(encrypted, context=PERSON_ID_NUMBER_CONTEXT)
            for _, encrypted, _, _ in people
        ]
        facts["raw_hits"] = sum(
            1
            for (_, encrypted, index, _), clear in zip(people, facts["clear_ids"], strict=True)
            if clear in encrypted or clear in index
        )
        # The normal look-up finds a generated person by their number.
        assignment = RoleAssignment.objects.filter(role=Role.INTAKE_CLERK).first()
        assert assignment is not None
        clerk = assignment.user
        target = bulk.resident_id(17, SEED)
        found = person_find_by_id_number(
            id_type="111", id_number=target, actor=clerk, purpose="bulk test"
        )
        facts["lookup"] = (
            target,
            found.pk if found else None,
            found.id_number_masked if found else "",
        )
        facts["joint_cases"] = CaseTask.objects.filter(is_joint=True, is_lead=True).count()
        facts["assisting"] = CaseTask.objects.filter(is_joint=True, is_lead=False).count()
        facts["events_per_case"] = CaseEvent.objects.count() / Case.objects.count()
        facts["open_due"] = list(
            Case.objects.filter(state=CaseState.ACCEPTED).values_list("due_at", flat=True)
        )
        facts["audit_rows"] = AuditLog.objects.filter(object_type="cases.case").count()
        facts["ratings"] = _rating_facts()
        # A normal accept after the bulk load gets a fresh number.
        centre = ServiceCentre.objects.get(code="LW-HALL")
        item = next(
            i
            for i in ServiceItem.objects.filter(status="published", case_type="2").order_by("pk")
            if item_accepted_at(item=i, centre=centre)
        )
        assignment = RoleAssignment.objects.filter(role=Role.INTAKE_CLERK, centre=centre).first()
        assert assignment is not None
        clerk = assignment.user
        day_numbers = set(Case.objects.values_list("number", flat=True))
        busiest = (
            CaseNumberSequence.objects.order_by("-last", "prefix")
            .values_list("prefix", "last")
            .first()
        )
        assert busiest is not None
        busiest_day = dt.datetime.strptime(busiest[0][6:], "%Y%m%d").replace(hour=11)
        accepted = case_accept(
            intake=Intake(
                item=item,
                centre=centre,
                clerk=clerk,
                person=Person.objects.order_by("-pk").first(),
                materials=[
                    MaterialReceipt(name=m.name, status="received") for m in item.materials.all()
                ],
            ),
            now=timezone.make_aware(busiest_day),
        )
        facts["fresh"] = (accepted.number, accepted.number in day_numbers, busiest)
        # The seal chains the rows written after the bulk load onto its chain.
        facts["sealed_after"] = audit_seal().sealed
        facts["verify_after"] = audit_verify()
        transaction.set_rollback(True)
    return facts


def _rating_facts() -> dict[str, Any]:
    """What the ratings of the bulk city look like, read inside the fixture's transaction."""
    from onewindow.ratings import published
    from onewindow.ratings.models import RatedStaff, Rating, Rectification, RectificationEvent

    ratings = list(
        Rating.objects.values(
            "id", "level", "is_default", "case__state", "case_id", "rated_at", "department_id"
        )
    )
    rectifications = list(Rectification.objects.values("id", "rating_id", "state", "revision"))
    events: dict[int, list[tuple[str, str, str]]] = {}
    for rid, action, from_state, to_state in RectificationEvent.objects.order_by(
        "at", "id"
    ).values_list("rectification_id", "action", "from_state", "to_state"):
        events.setdefault(rid, []).append((action, from_state, to_state))
    first = min(r["rated_at"] for r in ratings)
    figures = published.figures(
        first=published.month_start(timezone.localdate(first)),
        last=published.this_month(NOW),
        group="department",
    )
    return {
        "ratings": ratings,
        "rectifications": rectifications,
        "events": events,
        "audit": collections.Counter(
            AuditLog.objects.filter(object_type="ratings.rectification").values_list(
                "object_id", flat=True
            )
        ),
        "window_staff": RatedStaff.objects.filter(role="window").count(),
        "delivered": Case.objects.filter(state=CaseState.DELIVERED).count(),
        "figures_total": sum(f.ratings for f in figures.values()),
        "figures_bad": sum(f.bad for f in figures.values()),
    }


pytestmark = pytest.mark.django_db


def test_delivered_cases_carry_ratings_and_the_bad_ones_their_rectification(
    city: dict[str, Any],
) -> None:
    facts = city["ratings"]
    ratings = facts["ratings"]
    assert {r["case__state"] for r in ratings} == {CaseState.DELIVERED}
    assert len({r["case_id"] for r in ratings}) == len(ratings) <= facts["delivered"]
    assert len(ratings) > facts["delivered"] // 2
    assert facts["window_staff"] == len(ratings)
    levels = collections.Counter(r["level"] for r in ratings if not r["is_default"])
    assert levels[5] > levels[4] > levels[3] > 0
    assert levels[1] + levels[2] > 0
    assert any(r["is_default"] for r in ratings)
    assert all(r["rated_at"] <= NOW for r in ratings)
    bad = {r["id"] for r in ratings if r["level"] <= 2 and not r["is_default"]}
    assert {r["rating_id"] for r in facts["rectifications"]} == bad
    for rectification in facts["rectifications"]:
        moves = facts["events"][rectification["id"]]
        assert moves[0] == ("open", "new", "callback")
        assert all(a[2] == b[1] for a, b in itertools.pairwise(moves))
        assert moves[-1][2] == rectification["state"]
        assert rectification["revision"] == len(moves)
        assert facts["audit"][str(rectification["id"])] == len(moves)
    # The published figures count the same rows.
    assert facts["figures_total"] == len(ratings)
    assert facts["figures_bad"] == sum(1 for r in ratings if r["level"] <= 2)


def test_same_seed_same_plain_records(city: dict[str, Any]) -> None:
    first, second = city["digests"]
    assert first == second
    assert city["other_seed"] != first


def test_counts_by_state_as_planned(city: dict[str, Any]) -> None:
    planned = bulk.state_counts(CASES)
    assert dict(city["states"]) == {state: n for state, n in planned.items() if n}
    assert sum(planned.values()) == CASES
    report = city["report"]
    assert report.cases == CASES and report.persons == PERSONS
    assert report.by_state == {state: n for state, n in planned.items() if n}
    opened = [
        CaseState.ACCEPTED,
        CaseState.SUSPENDED,
        CaseState.SUPPLEMENT_REQUESTED,
        CaseState.DECIDED,
    ]
    assert report.open_cases == sum(planned[s] for s in opened) > 0
    assert report.rows["cases_case"] == CASES
    assert "cases 300/300 (100 %)" in city["progress"]


def test_every_id_valid_and_encrypted(city: dict[str, Any]) -> None:
    assert len(city["people"]) == PERSONS
    assert len(set(city["clear_ids"])) == PERSONS
    for clear in city["clear_ids"]:
        errors = ErrorList()
        # The project's own check: check digit, birth date, a known region.
        assert check_document_number(errors, id_type="111", id_number=clear) == clear
        assert errors == []
        assert ric.calc_check_digit(clear[:17] + "0") == clear[17]
    assert city["raw_hits"] == 0
    for (_, encrypted, index, masked), clear in zip(city["people"], city["clear_ids"], strict=True):
        assert encrypted.startswith("v1.")
        assert index == crypto.blind_index(clear, context="person.id_number")
        assert masked == crypto.mask_id_number(clear)


def test_blind_index_finds_a_generated_person(city: dict[str, Any]) -> None:
    target, found_pk, masked = city["lookup"]
    assert found_pk is not None
    assert masked == crypto.mask_id_number(target)


def test_joint_items_have_lead_and_assisting_tasks(city: dict[str, Any]) -> None:
    # The small city has hand-written joint items (the lift with 8 departments); the mix
    # picks some of them in 300 cases only by chance, so the shape is what is checked.
    assert city["assisting"] >= city["joint_cases"] or city["joint_cases"] == 0
    assert city["events_per_case"] > 2


def test_open_cases_are_partly_overdue(city: dict[str, Any]) -> None:
    due = city["open_due"]
    assert due and all(d is not None for d in due)
    assert any(d < NOW for d in due)


def test_audit_chain_verifies_after_the_bulk_load(city: dict[str, Any]) -> None:
    outcome = city["verify"]
    assert outcome.broken is None
    assert outcome.unsealed == 0
    assert outcome.checked >= city["audit_rows"] > CASES
    assert city["sealed_after"] >= 2  # the look-up and the accept
    after = city["verify_after"]
    assert after.broken is None and after.unsealed == 0
    assert after.checked == outcome.checked + city["sealed_after"]


def test_normal_accept_after_bulk_gets_a_fresh_number(city: dict[str, Any]) -> None:
    number, taken, (prefix, last) = city["fresh"]
    assert not taken
    assert number == f"{prefix}{last + 1:05d}"


def test_a_second_bulk_load_is_refused_and_writes_nothing(city: dict[str, Any]) -> None:
    assert city["again"] == ("bulk_exists", True)


def test_oversize_scale_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        bulk.build_city_bulk(seed=1, persons=10, cases=1_000_000, free_bytes=12 * 1024**3)
    assert [e.code for e in caught.value.errors] == ["disk_too_small"]
    assert Case.objects.count() == 0
    with pytest.raises(CommandError) as command:
        call_command("demo_city", "--bulk", "--cases", str(bulk.MAX_CASES), stdout=StringIO())
    text = str(command.value)
    assert "disk_too_small" not in text and "GB" in text
    assert Case.objects.count() == 0


def test_sizes_out_of_range_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        bulk.build_city_bulk(seed=1, persons=0, cases=0, free_bytes=10**13)
    assert sorted(e.field for e in caught.value.errors) == ["cases", "persons"]
    with pytest.raises(CommandError):
        call_command("demo_city", "--cases", "10", stdout=StringIO())


def test_vendor_is_reported(city: dict[str, Any]) -> None:
    assert city["report"].vendor == connection.vendor
    assert city["report"].bytes_on_disk > 0


def test_every_index_and_key_is_back_after_the_load(city: dict[str, Any]) -> None:
    # PostgreSQL drops the secondary indexes and the foreign keys for the load and builds
    # them again; the schema afterwards is the schema before, validated.
    before = city["schema_before"]
    assert len([r for r in before if r[0] == "index"]) > len(bulk.BULK_MODELS)
    assert city["schema_after"] == before
