"""Legal persons: USCC checked, the representative's data protected, look-ups audited."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from onewindow.applicants.models import ID_NUMBER_INDEX_CONTEXT, IdType, Organisation
from onewindow.applicants.services import (
    organisation_find,
    organisation_register,
    organisation_reveal,
)
from onewindow.core import crypto
from onewindow.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.audit import audit_mark, audit_since
from onewindow.testing.factories import (
    CentreFactory,
    StreetFactory,
    create_organisation,
    create_person,
    make_resident_id,
    make_uscc,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

USCC = make_uscc(777, prefix="91440103")
REPRESENTATIVE_ID = make_resident_id(birth="19750615", serial=31)
PHONE = "020-81234567"


@pytest.fixture
def clerk():
    return staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())


@pytest.fixture
def company(clerk):
    return organisation_register(
        uscc=f"{USCC[:9].lower()} {USCC[9:]}",
        name="广州荔湾测试贸易有限公司",
        legal_representative_name="王五",
        legal_representative_id=REPRESENTATIVE_ID,
        contact_phone="(020) 8123-4567",
        address="广州市荔湾区康王路2号",
        actor=clerk,
    )


def test_register_stores_the_code_plain_and_the_representative_protected(company, clerk):
    assert company.uscc == USCC
    assert company.legal_representative_id_type == IdType.RESIDENT_ID
    assert (
        company.legal_representative_id_masked
        == REPRESENTATIVE_ID[:6] + "*" * 8 + (REPRESENTATIVE_ID[-4:])
    )
    assert company.contact_phone_masked == "020****4567"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Organisation._meta.db_table}")
        raw = json.dumps([list(map(str, row)) for row in cursor.fetchall()], ensure_ascii=False)
    assert USCC in raw and "广州市荔湾区康王路2号" in raw  # public registry data
    assert REPRESENTATIVE_ID not in raw
    assert "81234567" not in raw
    log = AuditLog.objects.get(action="applicants.organisation_register")
    assert log.actor == clerk
    assert log.detail == {
        "created": True,
        "changed": [],
        "legal_representative_id_masked": company.legal_representative_id_masked,
    }
    assert REPRESENTATIVE_ID not in json.dumps(log.detail)


def test_register_again_fills_the_blank_fields_of_a_known_organisation(clerk):
    organisation_register(
        uscc=USCC, name="广州荔湾测试贸易有限公司", legal_representative_name="王五", actor=clerk
    )
    again = organisation_register(
        uscc=USCC,
        name="广州荔湾测试贸易有限公司",
        legal_representative_name="王五",
        legal_representative_id=REPRESENTATIVE_ID,
        contact_phone="020-81234567",
        address="广州市荔湾区康王路2号",
        actor=clerk,
        looked_up=organisation_find(uscc=USCC, actor=clerk, purpose="窗口受理"),
    )
    assert Organisation.objects.count() == 1
    stored = Organisation.objects.get()
    assert again.pk == stored.pk
    assert stored.contact_phone_masked == "020****4567"
    assert stored.address == "广州市荔湾区康王路2号"
    last = AuditLog.objects.filter(action="applicants.organisation_register").latest("id")
    assert (last.detail["created"], last.detail["changed"]) == (
        False,
        ["address", "legal_representative_id", "contact_phone"],
    )


def test_a_window_cannot_change_a_registered_legal_representative_or_contact_phone(company, clerk):
    """The registration authority's data: a clerk who posts the USCC with their own phone
    would receive every message of the company. Refused (409, audited), nothing changed."""
    before = Organisation.objects.get()
    with pytest.raises(ApplicationError) as caught:
        organisation_register(
            uscc=USCC,
            name="广州荔湾测试贸易有限公司",
            legal_representative_name="赵六",
            legal_representative_id=make_resident_id(serial=77),
            contact_phone="13912345678",
            actor=clerk,
            looked_up=company,
        )
    error = caught.value
    assert (error.status, error.code) == (409, "organisation_change_refused")
    assert [(e.field, e.code) for e in error.errors] == [
        ("legal_representative_name", "registry_field_differs"),
        ("legal_representative_id", "registry_field_differs"),
        ("contact_phone", "registry_field_differs"),
    ]
    assert error.as_dict()["message"].startswith(
        "名称、经营场所、法定代表人、联系电话以登记机关信息为准"
    )
    stored = Organisation.objects.get()
    assert (
        stored.legal_representative_name,
        stored.legal_representative_id_index,
        stored.contact_phone_index,
    ) == (
        before.legal_representative_name,
        before.legal_representative_id_index,
        before.contact_phone_index,
    )
    refused = AuditLog.objects.filter(action="applicants.organisation_register").latest("id")
    assert (refused.allowed, refused.detail["outcome"], refused.detail["refused"]) == (
        False,
        "organisation_change_refused",
        ["legal_representative_name", "legal_representative_id", "contact_phone"],
    )
    assert "13912345678" not in json.dumps(refused.detail)


def test_a_known_code_registered_without_a_look_up_answers_409_and_changes_nothing(company, clerk):
    """Registering an existing USCC with another name or address used to overwrite both. Now
    it is told only that the code is registered — audited as the look-up it is — and nothing
    changes, whatever it sent."""
    mark = audit_mark()
    for name, address in (("广州荔湾测试贸易有限公司", ""), ("另一家公司", "别处1号")):
        with pytest.raises(ApplicationError) as caught:
            organisation_register(
                uscc=USCC, name=name, legal_representative_name="王五", address=address, actor=clerk
            )
        answer = caught.value.as_dict()
        assert (caught.value.status, answer["code"], answer["errors"]) == (
            409,
            "already_registered",
            [],
        )
        assert answer["message"] == "已登记：请先按统一社会信用代码查询。"
        assert answer["message_en"] == (
            "Already registered: look the organisation up by its unified social credit code first."
        )
    stored = Organisation.objects.get()
    assert (stored.name, stored.address) == ("广州荔湾测试贸易有限公司", "广州市荔湾区康王路2号")
    rows = audit_since(mark)
    assert [(r.action, r.allowed, r.actor, r.object_id) for r in rows] == [
        ("applicants.organisation_lookup", True, clerk, str(company.pk)),
        ("applicants.organisation_register", False, clerk, str(company.pk)),
    ] * 2
    assert [r.detail["purpose"] for r in rows[::2]] == ["register"] * 2
    assert [r.detail["outcome"] for r in rows[1::2]] == ["already_registered"] * 2


def test_a_looked_up_organisation_keeps_its_registered_name_and_address(company, clerk):
    looked_up = organisation_find(uscc=USCC, actor=clerk, purpose="窗口受理")
    with pytest.raises(ApplicationError) as caught:
        organisation_register(
            uscc=USCC,
            name="另一家公司",
            legal_representative_name="王五",
            address="别处1号",
            actor=clerk,
            looked_up=looked_up,
        )
    assert (caught.value.status, caught.value.code) == (409, "organisation_change_refused")
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("name", "registry_field_differs"),
        ("address", "registry_field_differs"),
    ]
    stored = Organisation.objects.get()
    assert (stored.name, stored.address) == ("广州荔湾测试贸易有限公司", "广州市荔湾区康王路2号")
    refused = AuditLog.objects.filter(action="applicants.organisation_register").latest("id")
    assert (refused.allowed, refused.detail["refused"]) == (False, ["name", "address"])
    # The same values, looked up: nothing to change, registered as it is.
    same = organisation_register(
        uscc=USCC,
        name="广州荔湾测试贸易有限公司",
        legal_representative_name="王五",
        address="广州市荔湾区康王路2号",
        actor=clerk,
        looked_up=looked_up,
    )
    assert same.pk == company.pk


def test_organisation_register_checks_the_permission_before_anything_else():
    grid = staff_with_role(Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        organisation_register(uscc="not a code", name="", legal_representative_name="", actor=grid)
    denied = AuditLog.objects.get()
    assert (denied.action, denied.allowed) == ("denied:applicants.organisation_register", False)
    assert Organisation.objects.count() == 0


def test_invalid_codes_and_values_are_refused_and_nothing_written(clerk):
    wrong = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as caught:
        organisation_register(
            uscc=wrong,
            name="",
            legal_representative_name="王五",
            legal_representative_id="440103199003070071",
            contact_phone="999",
            actor=clerk,
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("uscc", "invalid_checksum"),
        ("name", "required"),
        ("legal_representative_id", "invalid_checksum"),
        ("contact_phone", "invalid_phone"),
    ]
    assert caught.value.as_dict()["errors"][0]["message_en"] == (
        "The unified social credit code is not valid (check character)."
    )
    assert Organisation.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_a_foreign_representative_with_a_passport(clerk):
    company = create_organisation(
        actor=clerk,
        legal_representative_id="P1234567",
        legal_representative_id_type=IdType.PASSPORT,
    )
    assert company.legal_representative_id_type == "414"
    assert company.legal_representative_id_masked == "P****567"


def test_find_is_audited_found_or_not(company, clerk):
    mark = audit_mark()
    assert organisation_find(uscc=USCC.lower(), actor=clerk, purpose="法人办事") == company
    missing = make_uscc(778, prefix="91440103")
    assert (
        organisation_find(uscc=missing, actor=clerk, purpose="法人办事", case_number="C9") is None
    )
    logs = list(audit_since(mark).filter(action="applicants.organisation_lookup").order_by("id"))
    assert [(log.object_id, log.detail["found"]) for log in logs] == [
        (str(company.pk), True),
        ("", False),
    ]
    assert logs[1].detail == {
        "purpose": "法人办事",
        "case_number": "C9",
        "uscc": missing,
        "found": False,
    }
    assert audit_since(mark).count() == 2


def test_find_refuses_a_bad_code_and_a_grid_worker(company):
    worker = staff_with_role(Role.GRID_WORKER, region=StreetFactory())
    with pytest.raises(ValidationFailed):
        organisation_find(uscc="123", actor=worker, purpose="x")
    mark = audit_mark()
    with pytest.raises(PermissionDenied):
        organisation_find(uscc=USCC, actor=worker, purpose="x")
    assert list(audit_since(mark).values_list("action", "allowed")) == [
        ("denied:applicants.organisation_lookup", False)
    ]


def test_reveal_representative_and_phone(company, clerk):
    mark = audit_mark()
    assert (
        organisation_reveal(
            organisation=company, field="legal_representative_id", actor=clerk, purpose="核验"
        )
        == REPRESENTATIVE_ID
    )
    assert (
        organisation_reveal(
            organisation=company, field="contact_phone", actor=clerk, purpose="联系"
        )
        == PHONE
    )
    logs = audit_since(mark).filter(action="applicants.organisation_reveal").order_by("id")
    assert [log.detail["field"] for log in logs] == ["legal_representative_id", "contact_phone"]
    for log in logs:
        assert REPRESENTATIVE_ID not in json.dumps(log.detail) + log.object_repr
        assert "81234567" not in json.dumps(log.detail) + log.object_repr
    with pytest.raises(PermissionDenied):
        organisation_reveal(
            organisation=company, field="contact_phone", actor=AnonymousUser(), purpose="x"
        )
    assert audit_since(mark).filter(action="denied:applicants.organisation_reveal").count() == 1


def test_the_companies_a_person_represents_are_one_indexed_query(company, clerk):
    person = create_person(actor=clerk, id_number=REPRESENTATIVE_ID, name="王五")
    assert person.id_number_index == crypto.blind_index(
        REPRESENTATIVE_ID, context=ID_NUMBER_INDEX_CONTEXT
    )
    assert list(
        Organisation.objects.filter(legal_representative_id_index=person.id_number_index)
    ) == [company]
