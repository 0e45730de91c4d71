"""Natural persons: registration, encryption at rest, audited look-ups, reveals and profiles."""

import datetime
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.applicants.identifiers import age_band
from onewindow.applicants.models import Gender, IdType, Person
from onewindow.applicants.selectors import person_profile
from onewindow.applicants.services import (
    person_find_by_id_number,
    person_prefill,
    person_prefill_update,
    person_register,
    person_reveal,
)
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.audit import audit_mark, audit_since
from onewindow.testing.factories import (
    CentreFactory,
    DepartmentFactory,
    StreetFactory,
    create_person,
    make_resident_id,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

ID_NUMBER = "44010319900307007X"
PHONE = "13800138000"
ADDRESS = "广东省广州市荔湾区中山八路1号"
ID_MASKED = "440103********007X"


@pytest.fixture
def clerk():
    return staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory())


@pytest.fixture
def person(clerk):
    return person_register(
        id_type=IdType.RESIDENT_ID,
        id_number=ID_NUMBER,
        name="张三",
        phone=PHONE,
        address=ADDRESS,
        identity_check="card_read",
        actor=clerk,
    )


def raw_rows(table):
    """Every column of every row, straight from the database, as one string."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return json.dumps([list(map(str, row)) for row in cursor.fetchall()], ensure_ascii=False)


def assert_no_plaintext(log, *secrets):
    text = json.dumps(log.detail, ensure_ascii=False) + log.object_repr
    for secret in secrets:
        assert secret not in text
        assert secret.lower() not in text


def only_audit(action):
    logs = list(AuditLog.objects.filter(action=action))
    assert len(logs) == 1, [log.action for log in AuditLog.objects.all()]
    return logs[0]


def test_register_derives_gender_region_and_stores_masks(person, clerk):
    assert person.name == "张三"
    assert person.id_type == "111"
    assert person.gender == Gender.MALE
    assert person.region_code == "440103"
    assert person.id_number_masked == ID_MASKED
    assert person.phone_masked == "138****8000"
    assert person.address_masked == "广东省广州市…"
    log = only_audit("applicants.person_register")
    assert log.actor == clerk
    assert log.object_id == str(person.pk)
    assert log.detail == {
        "created": True,
        "found": False,
        "identity_check": "card_read",
        "asked": [],
        "changed": [],
        "pending": [],
        "outcome": "created",
        "id_type": "111",
        "id_number_masked": ID_MASKED,
    }
    assert_no_plaintext(log, ID_NUMBER, PHONE, ADDRESS)


def test_nothing_stored_in_clear_tells_the_digits_the_id_mask_hides(person):
    """The mask hides the eight birth-date digits; no clear column (and no derived one) keeps
    them in any form, and the record holds no birth date at all."""
    hidden = ID_NUMBER[6:14]  # 19900307
    stored = raw_rows(Person._meta.db_table)
    for form in (hidden, "1990-03-07", "1990/03/07", "1990年3月7日", "1990年03月07日"):
        assert form not in stored
    assert "birth_date" not in {field.name for field in Person._meta.get_fields()}
    assert ID_MASKED.replace("*", "") == ID_NUMBER[:6] + ID_NUMBER[-4:]


@pytest.mark.parametrize(
    ("day", "band"),
    [
        (datetime.date(2008, 3, 6), "0-17"),
        (datetime.date(2008, 3, 7), "18-59"),
        (datetime.date(2050, 3, 6), "18-59"),
        (datetime.date(2050, 3, 7), "60-79"),
        (datetime.date(2070, 3, 6), "60-79"),
        (datetime.date(2070, 3, 7), "80+"),
    ],
)
def test_the_age_band_changes_on_the_birthdays_that_open_a_band(day, band):
    assert age_band(datetime.date(1990, 3, 7), day) == band


def test_a_woman_is_derived_from_an_even_order_code(clerk):
    woman = person_register(
        id_type="111",
        id_number=make_resident_id(serial=8),
        name="李梅",
        identity_check="card_read",
        actor=clerk,
    )
    assert woman.gender == Gender.FEMALE
    assert woman.phone_masked == woman.address_masked == ""


def test_nothing_is_stored_in_clear(person):
    raw = raw_rows(Person._meta.db_table)
    assert "张三" in raw  # the row is really there
    for secret in (ID_NUMBER, ID_NUMBER.lower(), PHONE, ADDRESS, "中山八路"):
        assert secret not in raw
    # The same value encrypts differently each time; nothing links two columns.
    assert person.id_number_encrypted.startswith("v1.")
    assert ID_NUMBER not in person.id_number_index


def test_registering_again_with_other_details_changes_nothing_without_their_checks(person, clerk):
    """A known ID posted with a new name and phone is not an upsert: each change needs what
    it needs (applicants/tests/test_changes.py), and without it nothing is written."""
    with pytest.raises(ValidationFailed) as caught:
        person_register(
            id_type="111",
            id_number=ID_NUMBER.lower(),
            name="张叁",
            phone="139-0000-1111",
            address="",
            actor=clerk,
            looked_up=person,
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("name", "name_change_needs_identity_check"),
        ("phone", "phone_change_needs_confirmation"),
        ("reason", "change_reason_required"),
    ]
    assert Person.objects.count() == 1
    stored = Person.objects.get()
    assert (stored.name, stored.phone_masked) == ("张三", "138****8000")
    logs = AuditLog.objects.filter(action="applicants.person_register").order_by("id")
    assert [(log.detail["created"], log.detail["outcome"]) for log in logs] == [
        (True, "created"),
        (False, "name_change_needs_identity_check"),
    ]
    assert logs[1].detail["asked"] == ["name", "phone"]


def test_registering_again_with_the_same_values_changes_nothing(person, clerk):
    before = Person.objects.get().updated_at
    person_register(
        id_type="111",
        id_number=ID_NUMBER,
        name="张三",
        phone="+86 138 0013 8000",
        actor=clerk,
        looked_up=person,
    )
    stored = Person.objects.get()
    assert stored.updated_at == before
    last = AuditLog.objects.filter(action="applicants.person_register").latest("id")
    assert last.detail["changed"] == []


def test_bad_input_is_refused_with_every_problem_and_writes_nothing(clerk):
    with pytest.raises(ValidationFailed) as caught:
        person_register(
            id_type="111",
            id_number="440103199003070071",
            name="  ",
            phone="12345",
            address="地" * 256,
            actor=clerk,
        )
    error = caught.value
    assert error.status == 422
    assert [(e.field, e.code) for e in error.errors] == [
        ("id_number", "invalid_checksum"),
        ("name", "required"),
        ("phone", "invalid_phone"),
        ("address", "too_long"),
    ]
    assert error.as_dict()["errors"][0]["message_en"] == (
        "The resident ID number is not valid (check digit)."
    )
    assert Person.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_a_passport_holder_has_no_derived_facts(clerk):
    visitor = person_register(
        id_type=IdType.PASSPORT,
        id_number="e 1234 5678",
        name="John Smith",
        identity_check="card_read",
        actor=clerk,
    )
    assert (visitor.id_number_masked, visitor.gender) == ("E*****678", "")
    assert visitor.region_code == ""
    # The same number as another document type is another person.
    assert (
        person_find_by_id_number(
            id_type=IdType.HK_MACAU_PERMIT, id_number="H12345678", actor=clerk, purpose="查询"
        )
        is None
    )
    found = person_find_by_id_number(
        id_type=IdType.PASSPORT, id_number="E12345678", actor=clerk, purpose="查询"
    )
    assert found == visitor


def test_lookup_finds_the_person_whatever_the_input_format_and_audits_once(person, clerk):
    mark = audit_mark()
    found = person_find_by_id_number(
        id_type="111",
        id_number="４４０１０３ １９９００３０７ ００７ｘ",
        actor=clerk,
        purpose="窗口受理刷证",
        case_number="LW20250001",
    )
    assert found == person
    log = only_audit("applicants.person_lookup")
    assert audit_since(mark).count() == 1
    assert log.actor == clerk
    assert log.allowed is True
    assert log.object_type == "applicants.person"
    assert log.object_id == str(person.pk)
    assert log.detail == {
        "purpose": "窗口受理刷证",
        "case_number": "LW20250001",
        "id_type": "111",
        "id_number_masked": ID_MASKED,
        "found": True,
    }
    assert_no_plaintext(log, ID_NUMBER, PHONE, ADDRESS)


def test_a_lookup_that_finds_nobody_is_audited_too(clerk):
    number = make_resident_id(serial=101)
    assert (
        person_find_by_id_number(id_type="111", id_number=number, actor=clerk, purpose="刷证")
        is None
    )
    log = only_audit("applicants.person_lookup")
    assert log.object_id == ""
    assert log.object_repr == number[:6] + "*" * 8 + number[-4:]
    assert log.detail["found"] is False
    assert_no_plaintext(log, number)


def test_a_lookup_without_purpose_or_with_a_bad_number_writes_nothing(person, clerk):
    mark = audit_mark()
    with pytest.raises(ValidationFailed) as caught:
        person_find_by_id_number(id_type="111", id_number=ID_NUMBER, actor=clerk, purpose=" ")
    assert [(e.field, e.code) for e in caught.value.errors] == [("purpose", "required")]
    with pytest.raises(ValidationFailed) as caught:
        person_find_by_id_number(
            id_type="111", id_number="44010319900307007", actor=clerk, purpose="刷证"
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [("id_number", "invalid_length")]
    assert audit_since(mark).count() == 0


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: staff_with_role(Role.GRID_WORKER, region=StreetFactory()),
        lambda: staff_with_role(Role.AUDITOR),
        lambda: AnonymousUser(),
    ],
    ids=["grid_worker", "auditor", "anonymous"],
)
def test_lookup_is_refused_and_audited_for_staff_without_a_reader_role(person, make_user):
    user = make_user()
    mark = audit_mark()
    with pytest.raises(PermissionDenied):
        person_find_by_id_number(id_type="111", id_number=ID_NUMBER, actor=user, purpose="看看")
    log = only_audit("denied:applicants.person_lookup")
    assert audit_since(mark).count() == 1
    assert log.allowed is False
    assert log.actor == (user if user.is_authenticated else None)
    assert log.detail["id_number_masked"] == ID_MASKED
    assert_no_plaintext(log, ID_NUMBER)


@pytest.mark.parametrize(
    ("field", "expected"),
    [("id_number", ID_NUMBER), ("phone", PHONE), ("address", ADDRESS)],
)
def test_reveal_gives_the_clear_value_and_audits_it(person, field, expected):
    approver = staff_with_role(Role.DEPT_APPROVER, department=DepartmentFactory())
    mark = audit_mark()
    value = person_reveal(
        person=person, field=field, actor=approver, purpose="核对原件", case_number="LW1"
    )
    assert value == expected
    log = only_audit("applicants.person_reveal")
    assert audit_since(mark).count() == 1
    assert log.actor == approver
    assert log.object_id == str(person.pk)
    assert log.detail == {
        "purpose": "核对原件",
        "case_number": "LW1",
        "field": field,
        "id_number_masked": ID_MASKED,
    }
    assert_no_plaintext(log, ID_NUMBER, PHONE, ADDRESS)


def test_reveal_of_a_field_never_given_is_empty_and_still_audited(clerk):
    quiet = create_person(actor=clerk, phone="", address="")
    assert person_reveal(person=quiet, field="phone", actor=clerk, purpose="回访") == ""
    assert only_audit("applicants.person_reveal").detail["field"] == "phone"


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: staff_with_role(Role.GRID_WORKER, region=StreetFactory()),
        lambda: AnonymousUser(),
        lambda: staff_with_role(Role.ADMIN),
    ],
    ids=["grid_worker", "anonymous", "admin"],
)
def test_reveal_is_refused_audited_and_reveals_nothing(person, make_user):
    user = make_user()
    mark = audit_mark()
    with pytest.raises(PermissionDenied) as caught:
        person_reveal(
            person=person, field="id_number", actor=user, purpose="好奇", case_number="X1"
        )
    assert ID_NUMBER not in str(caught.value)
    assert ID_NUMBER not in json.dumps(caught.value.as_dict(), ensure_ascii=False)
    log = only_audit("denied:applicants.person_reveal")
    assert audit_since(mark).count() == 1
    assert log.allowed is False
    assert log.object_id == str(person.pk)
    assert log.detail == {
        "purpose": "好奇",
        "case_number": "X1",
        "field": "id_number",
        "id_number_masked": ID_MASKED,
    }


def test_an_inactive_clerk_may_not_reveal(person, clerk):
    clerk.is_active = False
    clerk.save()
    with pytest.raises(PermissionDenied):
        person_reveal(person=person, field="phone", actor=clerk, purpose="回访")


def test_reveal_refuses_an_unknown_field_and_writes_nothing(person, clerk):
    mark = audit_mark()
    with pytest.raises(ValidationFailed) as caught:
        person_reveal(person=person, field="prefill_encrypted", actor=clerk, purpose="x")
    assert [(e.field, e.code) for e in caught.value.errors] == [("field", "invalid_choice")]
    assert audit_since(mark).count() == 0


def test_every_reader_role_may_reveal(person):
    readers = [
        staff_with_role(Role.INTAKE_CLERK, centre=CentreFactory()),
        staff_with_role(Role.OUTPUT_CLERK, centre=CentreFactory()),
        staff_with_role(Role.DEPT_APPROVER, department=DepartmentFactory()),
        staff_with_role(Role.DEPT_LEAD, department=DepartmentFactory()),
        staff_with_role(Role.CENTRE_MANAGER, centre=CentreFactory()),
        staff_with_role(Role.HOTLINE_AGENT),
    ]
    for reader in readers:
        assert person_reveal(person=person, field="phone", actor=reader, purpose="联系") == PHONE


def test_prefill_merges_and_ignores_blanks(person, clerk):
    person_prefill_update(
        person=person, values={"workplace": "荔湾区某公司", "marital_status": "已婚"}, actor=clerk
    )
    person_prefill_update(
        person=person,
        values={"workplace": "  ", "contact_person": "李四", "marital_status": "离婚"},
        actor=clerk,
    )
    values = person_prefill(person=person, actor=clerk, purpose="预填表单", case_number="LW2")
    assert values == {
        "workplace": "荔湾区某公司",
        "marital_status": "离婚",
        "contact_person": "李四",
    }
    updates = AuditLog.objects.filter(action="applicants.person_prefill_update").order_by("id")
    assert [log.detail["keys"] for log in updates] == [
        ["marital_status", "workplace"],
        ["contact_person", "marital_status"],
    ]
    read = only_audit("applicants.person_prefill_read")
    assert read.detail == {
        "purpose": "预填表单",
        "case_number": "LW2",
        "id_number_masked": ID_MASKED,
        "keys": ["contact_person", "marital_status", "workplace"],
    }
    for log in [*updates, read]:
        assert_no_plaintext(log, "荔湾区某公司", "李四", "离婚")
    assert "荔湾区某公司" not in raw_rows(Person._meta.db_table)


def test_prefill_refuses_bad_keys_and_values_and_writes_nothing(person, clerk):
    mark = audit_mark()
    with pytest.raises(ValidationFailed) as caught:
        person_prefill_update(
            person=person,
            values={"Work Place": "x", "note": "长" * 1001, "ok": "fine"},
            actor=clerk,
        )
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("values", "invalid_key"),
        ("note", "too_long"),
    ]
    assert audit_since(mark).count() == 0
    assert Person.objects.get().prefill_encrypted == ""


def test_prefill_read_is_refused_for_a_grid_worker(person, clerk):
    person_prefill_update(person=person, values={"workplace": "某单位"}, actor=clerk)
    worker = staff_with_role(Role.GRID_WORKER, region=StreetFactory())
    with pytest.raises(PermissionDenied):
        person_prefill(person=person, actor=worker, purpose="看看")
    assert only_audit("denied:applicants.person_prefill_read").allowed is False


def test_profile_shows_masks_derived_facts_and_prefill_and_is_audited(person, clerk):
    person_prefill_update(person=person, values={"workplace": "荔湾区某公司"}, actor=clerk)
    output = staff_with_role(Role.OUTPUT_CLERK, centre=CentreFactory())
    with translation.override("en"):
        profile = person_profile(person=person, actor=output, purpose="出件核验", case_number="LW3")
    assert profile.person_id == person.pk
    assert profile.name == "张三"
    assert profile.id_type == "111"
    assert profile.id_number_masked == ID_MASKED
    assert profile.phone_masked == "138****8000"
    assert profile.address_masked == "广东省广州市…"
    assert profile.gender == "1"
    assert (profile.age_band, profile.age_band_label) == ("18-59", "18 to 59")
    assert not hasattr(profile, "birth_date") and not hasattr(profile, "age")
    assert profile.region_code == "440103"
    assert profile.prefill == {"workplace": "荔湾区某公司"}
    assert profile.cases == []
    log = only_audit("applicants.person_profile")
    assert log.actor == output
    assert log.detail == {
        "purpose": "出件核验",
        "case_number": "LW3",
        "id_number_masked": ID_MASKED,
    }
    assert_no_plaintext(log, ID_NUMBER, PHONE, ADDRESS)


def test_profile_is_refused_for_anonymous_and_audited(person):
    with pytest.raises(PermissionDenied):
        person_profile(person=person, actor=AnonymousUser(), purpose="看看")
    log = only_audit("denied:applicants.person_profile")
    assert (log.actor, log.allowed, log.object_id) == (None, False, str(person.pk))


separators = st.sampled_from(["", " ", "-", "\u3000"])
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_lookup_matches_any_typing_of_the_stored_number(person, clerk, data):
    typed = "".join(
        data.draw(separators) + (char.translate(FULL_WIDTH) if data.draw(st.booleans()) else char)
        for char in (ID_NUMBER if data.draw(st.booleans()) else ID_NUMBER.lower())
    )
    found = person_find_by_id_number(id_type="111", id_number=typed, actor=clerk, purpose="刷证")
    assert found is not None and found.pk == person.pk
