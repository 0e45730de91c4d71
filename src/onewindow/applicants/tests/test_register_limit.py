"""Refused registers are limited per account (#7): each 409 ``already_registered`` tells the
caller that a document or a USCC is registered, so an account collecting them is probing. Past
``APPLICANT_REGISTER_REFUSALS_PER_HOUR`` such answers in an hour, every register by that
account is refused (429, audited) before anything is looked up."""

from __future__ import annotations

import pytest

from onewindow.applicants.models import Organisation, Person
from onewindow.applicants.services import organisation_register, person_register
from onewindow.core.errors import ApplicationError
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.audit import audit_mark, audit_since
from onewindow.testing.factories import (
    CentreFactory,
    create_organisation,
    create_person,
    make_resident_id,
    make_uscc,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.APPLICANT_REGISTER_REFUSALS_PER_HOUR = LIMIT


def clerk():
    return staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())


def known_numbers(n: int) -> list[str]:
    """The ID numbers of ``n`` registered persons."""
    numbers = [make_resident_id(serial=41 + i) for i in range(n)]
    for number in numbers:
        create_person(id_number=number)
    return numbers


def register_known(number: str, actor) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        person_register(id_type="111", id_number=number, name="张三", actor=actor)
    return caught.value


def test_past_the_limit_of_refused_registers_the_account_registers_nothing_more():
    prober, colleague = clerk(), clerk()
    known = known_numbers(LIMIT)
    company = create_organisation()
    for number in known:
        refused = register_known(number, prober)
        assert (refused.status, refused.code) == (409, "already_registered")
    mark = audit_mark()
    new_number = make_resident_id(serial=99)
    with pytest.raises(ApplicationError) as caught:  # even a new person: nothing looked up
        person_register(
            id_type="111",
            id_number=new_number,
            name="新来的",
            identity_check="card_read",
            actor=prober,
        )
    answer = caught.value.as_dict()
    assert (caught.value.status, answer["code"]) == (429, "too_many_register_refusals")
    assert answer["message"] == (
        "您的账号在一小时内重复登记已登记的申请人次数过多：请先查询申请人，或稍后再试。"
    )
    assert answer["message_en"].startswith("Too many registrations of applicants who are")
    with pytest.raises(ApplicationError) as organisation:
        organisation_register(
            uscc=make_uscc(901, prefix="91440103"),
            name="新公司",
            legal_representative_name="李四",
            actor=prober,
        )
    assert organisation.value.code == "too_many_register_refusals"
    assert not Person.objects.filter(name="新来的").exists()
    assert Organisation.objects.count() == 1
    rows = audit_since(mark)
    assert [(r.action, r.allowed, r.actor) for r in rows] == [
        ("denied:applicants.person_register", False, prober),
        ("denied:applicants.organisation_register", False, prober),
    ]
    assert rows[0].detail == {
        "outcome": "too_many_register_refusals",
        "refusals": LIMIT,
        "limit": LIMIT,
        "window_minutes": 60,
    }
    # Per account: a colleague is still answered as usual.
    assert register_known(known[0], colleague).code == "already_registered"
    with pytest.raises(ApplicationError) as for_colleague:
        organisation_register(
            uscc=company.uscc, name=company.name, legal_representative_name="李四", actor=colleague
        )
    assert for_colleague.value.code == "already_registered"


def test_refusals_below_the_limit_do_not_stop_the_account():
    worker = clerk()
    known = known_numbers(LIMIT - 1)
    for number in known:
        assert register_known(number, worker).code == "already_registered"
    company = create_organisation()
    with pytest.raises(ApplicationError) as caught:  # an organisation's 409 counts too
        organisation_register(
            uscc=company.uscc, name=company.name, legal_representative_name="李四", actor=worker
        )
    assert caught.value.code == "already_registered"
    refusals = AuditLog.objects.filter(
        actor=worker, allowed=False, detail__outcome="already_registered"
    )
    assert refusals.count() == LIMIT
    # The limit is reached now; the next register is refused.
    assert register_known(known[0], worker).code == "too_many_register_refusals"


def test_the_refusal_count_is_read_through_the_audit_index():
    from django.db import connection

    from onewindow.applicants.services import PERSON_REGISTER, register_refusals

    prober, other = clerk(), clerk()
    known = known_numbers(2)
    for number in known:
        register_known(number, prober)
    register_known(known[0], other)
    assert (register_refusals(prober).count(), register_refusals(other).count()) == (2, 1)
    # A busy account in a busy city: thousands of its own rows of other actions (which an index
    # on the actor alone reads through) and thousands of registers by others (which an index
    # on the action alone reads through).
    AuditLog.objects.bulk_create(
        [
            *(
                AuditLog(actor=prober, action="cases.case_view", object_type="cases.case")
                for _ in range(3000)
            ),
            *(
                AuditLog(actor=other, action=PERSON_REGISTER, object_type="applicants.person")
                for _ in range(3000)
            ),
        ]
    )
    assert register_refusals(prober).count() == 2
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "core_auditlog")
    assert indexes["core_audit_actor_action_at"]["columns"] == ["actor_id", "action", "at"]
    if connection.vendor == "sqlite":
        # PostgreSQL's planner weighs this test's few thousand rows unlike a city's millions;
        # SQLite's choice with its statistics is the check that the index serves the query.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        plan = register_refusals(prober).order_by().explain()
        assert "core_audit_actor_action_at" in plan, plan
