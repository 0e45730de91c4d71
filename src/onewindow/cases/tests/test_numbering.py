import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CaseNumberSequence, CaseTask
from onewindow.cases.services import case_accept, case_number_next
from onewindow.core.errors import ApplicationError
from onewindow.core.models import AuditLog
from onewindow.testing.factories import CentreFactory

pytestmark = pytest.mark.django_db


def test_numbers_count_up_per_day_and_district():
    centre = CentreFactory()
    day = dt.date(2026, 11, 23)
    assert [case_number_next(centre=centre, today=day) for _ in range(3)] == [
        "4401032026112300001",
        "4401032026112300002",
        "4401032026112300003",
    ]
    assert case_number_next(centre=centre, today=day + dt.timedelta(days=1)) == (
        "4401032026112400001"
    )


def test_the_format_is_configurable(settings):
    settings.CASE_NUMBER_FORMAT = "LW-{date:%y%m%d}-{seq:04d}"
    centre = CentreFactory()
    assert case_number_next(centre=centre, today=dt.date(2026, 1, 5)) == "LW-260105-0001"


# --- one statement, inside the intake's transaction (ADR 0013) --------------------------------


def test_a_number_is_one_statement(django_assert_num_queries):
    centre = CentreFactory()
    centre = type(centre).objects.select_related("region").get(pk=centre.pk)
    day = dt.date(2026, 11, 23)
    case_number_next(centre=centre, today=day)
    with django_assert_num_queries(1) as captured:
        number = case_number_next(centre=centre, today=day)
    assert number == "4401032026112300002"
    assert "ON CONFLICT" in captured.captured_queries[0]["sql"]


def _accept(city, **overrides):
    return case_accept(intake=city.intake(materials=city.receipts(), **overrides))


def _numbers() -> list[str]:
    return sorted(Case.objects.values_list("number", flat=True))


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_get_unique_consecutive_numbers(city):
    """8 clerks' processes × 10 accepts at once (PostgreSQL: a thread each, with its own
    connection); SQLite, which writes one transaction at a time, takes them in turn."""
    clients, per_client = 8, 10
    if connection.vendor == "postgresql":
        failures: list[BaseException] = []
        start = threading.Barrier(clients)

        def client() -> None:
            try:
                start.wait()
                for _ in range(per_client):
                    _accept(city)
            except BaseException as exc:  # reported below, with the test's own assertion
                failures.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
    else:
        for _ in range(clients * per_client):
            _accept(city)
    numbers = _numbers()
    prefix = numbers[0][:-5]
    assert numbers == [f"{prefix}{seq:05d}" for seq in range(1, clients * per_client + 1)]
    assert CaseNumberSequence.objects.get(prefix=prefix).last == clients * per_client


@pytest.mark.django_db(transaction=True)
def test_a_failed_accept_after_its_number_was_taken_leaves_nothing_and_no_gap(city):
    first = _accept(city, idempotency_key="window-7")
    rows = {
        "events": CaseEvent.objects.count(),
        "tasks": CaseTask.objects.count(),
        "materials": CaseMaterial.objects.count(),
        "audit": AuditLog.objects.filter(object_type="cases.case").count(),
    }
    # Another submission under a used key: it is numbered, then its case row is refused by
    # the key's unique constraint — the whole transaction goes, the number with it.
    with pytest.raises(ApplicationError) as refused:
        _accept(city, idempotency_key="window-7", promise_signed=True)
    assert refused.value.code == "idempotency_key_reused"
    # A caller whose own step fails after the accept returned (inside its transaction).
    with pytest.raises(RuntimeError), transaction.atomic():
        taken = _accept(city)
        assert taken.number[-5:] == "00002"
        raise RuntimeError("the caller's next step failed")
    assert _numbers() == [first.number]
    assert {
        "events": CaseEvent.objects.count(),
        "tasks": CaseTask.objects.count(),
        "materials": CaseMaterial.objects.count(),
        "audit": AuditLog.objects.filter(object_type="cases.case").count(),
    } == rows
    # No gap: the next accept gets the number the failed ones gave back.
    assert _accept(city).number == first.number[:-5] + "00002"
