"""Normalising and checking what a clerk types or an ID reader sends: no database."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from onewindow.applicants.identifiers import (
    age_on,
    check_document_number,
    check_phone,
    check_uscc,
    mask_address,
    mask_document_number,
    normalise_phone,
    resident_id_facts,
)
from onewindow.applicants.models import ID_NUMBER_INDEX_CONTEXT, Gender, IdType
from onewindow.core import crypto
from onewindow.core.errors import ErrorList
from onewindow.testing.factories import make_resident_id, make_uscc

# Order code 007 gives the check character X (and an odd code: a man).
ID_WITH_X = "44010319900307007X"
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def check(id_number, id_type=IdType.RESIDENT_ID):
    errors = ErrorList()
    value = check_document_number(errors, id_type=id_type, id_number=id_number)
    return value, [(e.field, e.code) for e in errors], errors


def test_the_fixture_number_really_ends_in_x():
    assert ric.is_valid(ID_WITH_X)
    assert make_resident_id(serial=7) == ID_WITH_X


def test_valid_resident_id_in_every_typed_form_gives_one_canonical_number():
    for typed in (
        ID_WITH_X,
        ID_WITH_X.lower(),
        "440103 19900307 007x",
        "440103-19900307-007X",
        ID_WITH_X.translate(FULL_WIDTH),
        " ４４０１０３１９９００３０７００７ｘ ",
    ):
        assert check(typed)[:2] == (ID_WITH_X, []), typed


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("44010319900307007", "invalid_length"),
        ("4401031990030700712", "invalid_length"),
        ("4401031990030A007X", "invalid_format"),
        ("44010319900307007Y", "invalid_format"),
        ("440103199003070071", "invalid_checksum"),
        ("", "required"),
        ("  - ", "required"),
    ],
)
def test_invalid_resident_ids_name_the_field_and_the_problem(typed, code):
    value, problems, _ = check(typed)
    assert value == ""
    assert problems == [("id_number", code)]


def test_impossible_birth_date_and_unknown_region_are_told_apart():
    body = "44010319901332001"  # 32 December
    assert check(body + ric.calc_check_digit(body + "0"))[1] == [
        ("id_number", "invalid_birth_date")
    ]
    body = "00000019900307001"
    assert check(body + ric.calc_check_digit(body + "0"))[1] == [("id_number", "invalid_region")]


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = datetime.date.today() + datetime.timedelta(days=400)
    number = make_resident_id(birth=tomorrow.strftime("%Y%m%d"), serial=11)
    assert ric.is_valid(number)  # stdnum alone accepts it
    assert check(number)[1] == [("id_number", "invalid_birth_date")]


def test_check_digit_message_is_the_english_msgid_and_field_is_named():
    _, _, errors = check("440103199003070071")
    data = errors[0].as_dict()
    assert data["field"] == "id_number"
    assert data["code"] == "invalid_checksum"
    assert data["message_en"] == "The resident ID number is not valid (check digit)."


def test_other_documents():
    assert check("e12345678", IdType.PASSPORT)[:2] == ("E12345678", [])
    assert check("H 1234 5678", IdType.HK_MACAU_PERMIT)[:2] == ("H12345678", [])
    assert check("m1234567890", IdType.HK_MACAU_PERMIT)[:2] == ("M1234567890", [])
    assert check("12345678", IdType.TAIWAN_PERMIT)[:2] == ("12345678", [])
    assert check("A1234567", IdType.HK_MACAU_PERMIT)[1] == [("id_number", "invalid_format")]
    assert check("1234567", IdType.TAIWAN_PERMIT)[1] == [("id_number", "invalid_format")]
    assert check("E12", IdType.PASSPORT)[1] == [("id_number", "invalid_format")]
    assert check("护照12345", IdType.PASSPORT)[1] == [("id_number", "invalid_format")]
    assert check(ID_WITH_X, "999")[1] == [("id_type", "invalid_choice")]


def test_masks_of_documents_and_addresses():
    assert mask_document_number(id_type=IdType.RESIDENT_ID, number=ID_WITH_X) == (
        "440103********007X"
    )
    assert mask_document_number(id_type=IdType.PASSPORT, number="E12345678") == "E*****678"
    assert mask_document_number(id_type=IdType.PASSPORT, number="E1234") == "*****"
    assert mask_address("广东省广州市荔湾区中山八路1号") == "广东省广州市…"
    # A short address is never shown whole.
    assert mask_address("荔湾路1号") == "荔湾…"
    assert mask_address("") == ""


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("13800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086-13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("020-81234567", "020-81234567"),
        ("(020) 8123 4567", "020-81234567"),
        ("02081234567", "020-81234567"),
        ("010-6123456", "010-6123456"),
        ("0755-86013388", "0755-86013388"),
        ("075586013388", "0755-86013388"),
    ],
)
def test_phone_normalisation(typed, canonical):
    assert normalise_phone(typed) == canonical


@pytest.mark.parametrize(
    "typed",
    ["12800138000", "1380013800", "138001380001", "020-1234567", "020-0123456", "81234567", "x"],
)
def test_invalid_phones(typed):
    errors = ErrorList()
    assert check_phone(errors, phone=typed) == ""
    assert [(e.field, e.code) for e in errors] == [("phone", "invalid_phone")]


def test_blank_phone_is_no_phone():
    errors = ErrorList()
    assert check_phone(errors, phone="  ") == ""
    assert errors == []


def test_uscc_checks():
    good = make_uscc(42, prefix="91440103")
    errors = ErrorList()
    assert check_uscc(errors, uscc=f" {good[:9].lower()} {good[9:]} ") == good
    assert errors == []
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    for typed, code in (
        (wrong_check, "invalid_checksum"),
        (good[:-1], "invalid_length"),
        ("A" + good[1:], "invalid_format"),
        ("", "required"),
    ):
        errors = ErrorList()
        assert check_uscc(errors, uscc=typed) == ""
        assert [(e.field, e.code) for e in errors] == [("uscc", code)], typed


def test_resident_id_facts_and_age():
    facts = resident_id_facts(ID_WITH_X)
    assert facts.birth_date == datetime.date(1990, 3, 7)
    assert facts.gender == Gender.MALE
    assert facts.region_code == "440103"
    assert resident_id_facts(make_resident_id(serial=8)).gender == Gender.FEMALE
    born = datetime.date(1990, 3, 7)
    assert age_on(born, datetime.date(2024, 3, 6)) == 33
    assert age_on(born, datetime.date(2024, 3, 7)) == 34


separators = st.sampled_from(["", "", "", " ", "-", "\u3000"])


@st.composite
def typed_forms(draw):
    """The same valid ID as a person or a reader might type it: separators anywhere,
    any character full-width or not, the X in either case."""
    serial = draw(st.integers(min_value=0, max_value=999))
    birth = draw(
        st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(2015, 12, 31))
    )
    number = make_resident_id(birth=birth.strftime("%Y%m%d"), serial=serial)
    out = []
    for char in number:
        if char == "X" and draw(st.booleans()):
            char = "x"
        if draw(st.booleans()):
            char = char.translate(FULL_WIDTH)
        out.append(draw(separators) + char)
    return number, "".join(out) + draw(separators)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed_forms())
def test_any_typed_form_normalises_to_the_number_and_its_blind_index(pair):
    number, typed = pair
    assert check(typed)[:2] == (number, [])
    assert crypto.blind_index(typed, context=ID_NUMBER_INDEX_CONTEXT) == crypto.blind_index(
        number, context=ID_NUMBER_INDEX_CONTEXT
    )


def test_a_region_code_younger_than_its_holder_is_accepted():
    # Liwan's code 440103 dates from 1983; a resident born there in 1950 carries it.
    number = make_resident_id(region="440103", birth="19500101", serial=21)
    assert not ric.is_valid(number)  # stdnum alone would turn this pensioner away
    assert check(number)[:2] == (number, [])
    # A code of an abolished district (南头区办事处, 1983–1989) stays valid on old numbers.
    old = make_resident_id(region="440305", birth="19600101", serial=21)
    assert check(old)[:2] == (old, [])


def test_mask_name():
    from onewindow.applicants.identifiers import mask_name

    assert [mask_name(n) for n in ["", "陈", "陈文", "陈大文", "欧阳小明"]] == [
        "",
        "陈",
        "陈*",
        "陈*文",
        "欧**明",
    ]
