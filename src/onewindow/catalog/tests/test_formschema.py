"""The online form of an item: its definition checked, the answers to it checked and normalised."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from onewindow.catalog.codes import FormFieldKind, FormPrefill, is_personal
from onewindow.catalog.formschema import (
    ChoicesUnreadable,
    answers_clean,
    choices_as_text,
    choices_from_text,
    field_as_dict,
    form_field_errors,
    form_fields_check,
)
from onewindow.core.errors import ValidationFailed
from onewindow.testing.factories import form_field, make_uscc

PROPERTY = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

CHOICES = [
    {"value": "individual", "label": "个人经营", "label_en": "Run by one person"},
    {"value": "family", "label": "家庭经营", "label_en": "Run by a family"},
]
SCOPES = [
    {"value": "retail", "label": "零售", "label_en": "Retail"},
    {"value": "food", "label": "餐饮", "label_en": "Catering"},
    {"value": "repair", "label": "维修", "label_en": "Repairs"},
]


def shop_form() -> list[dict[str, Any]]:
    """个体工商户设立登记's form as a version snapshot carries it."""
    rows = [
        form_field(key="operator_name", label="经营者姓名", prefill=FormPrefill.PERSON_NAME),
        form_field(key="id_number", label="身份证号", kind="id_number", prefill="person.id_number"),
        form_field(key="phone", label="联系电话", kind="phone", prefill="person.phone"),
        form_field(key="shop_name", label="个体工商户名称", required=False, max_length=30),
        form_field(key="premises", label="经营场所", kind="address"),
        form_field(key="business_scope", label="经营范围", kind="textarea"),
        form_field(key="staff", label="从业人数", kind="integer", min_value=1, max_value=500),
        form_field(key="capital", label="资金数额(万元)", kind="integer", required=False),
        form_field(key="form", label="组成形式", kind="choice", choices=CHOICES),
        form_field(
            key="scopes", label="经营类别", kind="multichoice", choices=SCOPES, required=False
        ),
        form_field(key="opening", label="开业日期", kind="date", required=False),
        form_field(key="promise", label="承诺所填属实", kind="boolean"),
        form_field(key="uscc", label="统一社会信用代码", kind="uscc", required=False),
    ]
    for order, row in enumerate(rows, start=1):
        row.order = order
    return [field_as_dict(row) for row in rows]


RESIDENT_ID = "44010319900307023X"
assert ric.is_valid(RESIDENT_ID)
USCC = make_uscc(5)


def complete_answers() -> dict[str, Any]:
    return {
        "operator_name": "  陈大文 ",
        "id_number": "44010319900307023x",
        "phone": "138 0013 8000",
        "shop_name": "大文士多",
        "premises": "广州市荔湾区龙津西路1号",
        "business_scope": "日用百货零售\n烟酒零售",
        "staff": "３",
        "capital": 5,
        "form": "family",
        "scopes": ["food", "retail", "food"],
        "opening": "2026-12-01",
        "promise": "on",
        "uscc": USCC.lower(),
    }


def refusal(fields: list[dict[str, Any]], data: Any, **keyword: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        answers_clean(fields, data, **keyword)
    assert caught.value.code == "answers_invalid"
    assert caught.value.status == 422
    return [(error.field, error.code) for error in caught.value.errors]


# --- the answers: examples -------------------------------------------------------------------


def test_a_complete_answer_set_is_normalised():
    assert answers_clean(shop_form(), complete_answers()) == {
        "operator_name": "陈大文",
        "id_number": "44010319900307023X",
        "phone": "13800138000",
        "shop_name": "大文士多",
        "premises": "广州市荔湾区龙津西路1号",
        "business_scope": "日用百货零售\n烟酒零售",
        "staff": 3,
        "capital": 5,
        "form": "family",
        "scopes": ["retail", "food"],
        "opening": "2026-12-01",
        "promise": True,
        "uscc": USCC,
    }


def test_missing_required_answers_are_each_reported_once_and_optional_ones_left_out():
    data = {"operator_name": "陈大文", "shop_name": "   ", "scopes": []}
    assert refusal(shop_form(), data) == [
        ("id_number", "required"),
        ("phone", "required"),
        ("premises", "required"),
        ("business_scope", "required"),
        ("staff", "required"),
        ("form", "required"),
        ("promise", "required"),
    ]


def test_a_draft_skips_the_required_check_but_checks_what_was_given():
    assert answers_clean(shop_form(), {"operator_name": "陈大文", "staff": ""}, partial=True) == {
        "operator_name": "陈大文"
    }
    assert refusal(shop_form(), {"staff": "0"}, partial=True) == [("staff", "out_of_range")]


def test_keys_the_form_does_not_have_are_refused():
    data = {**complete_answers(), "salary": "1", "x" * 500: "y"}
    assert refusal(shop_form(), data) == [("answers", "unknown_field")] * 2
    with pytest.raises(ValidationFailed) as caught:
        answers_clean(shop_form(), {**complete_answers(), "salary": "1"})
    problem = caught.value.as_dict()["errors"][0]
    assert (problem["message"], problem["message_en"]) == (
        "表单中没有 salary 这一项。",
        "The form has no field salary.",
    )


def test_control_characters_are_refused_and_a_long_text_keeps_its_line_breaks():
    data = {
        **complete_answers(),
        "operator_name": "陈\x00大文",
        "business_scope": "零售\t批发\r\n维修",
        "premises": "荔湾区\n龙津西路",
    }
    assert refusal(shop_form(), data) == [
        ("operator_name", "control_characters"),
        ("premises", "control_characters"),
    ]
    data = {**complete_answers(), "business_scope": "零售\x00"}
    assert refusal(shop_form(), data) == [("business_scope", "control_characters")]


def test_lengths_default_to_200_for_text_and_2000_for_a_long_text_unless_the_field_says():
    fields = shop_form()
    ok = {**complete_answers(), "operator_name": "陈" * 200, "business_scope": "字" * 2000}
    assert answers_clean(fields, ok)["operator_name"] == "陈" * 200
    data = {
        **complete_answers(),
        "operator_name": "陈" * 201,
        "business_scope": "字" * 2001,
        "shop_name": "店" * 31,
        "premises": "路" * 256,
    }
    assert refusal(fields, data) == [
        ("operator_name", "too_long"),
        ("shop_name", "too_long"),
        ("premises", "too_long"),
        ("business_scope", "too_long"),
    ]


def test_whole_numbers_within_the_bounds_only():
    fields = shop_form()
    for given_value, stored in [("1", 1), (500, 500), (" +42 ", 42), ("４２", 42)]:
        assert answers_clean(fields, {"staff": given_value}, partial=True) == {"staff": stored}
    for bad, code in [
        ("0", "out_of_range"),
        (501, "out_of_range"),
        ("3.5", "invalid_integer"),
        (3.0, "invalid_integer"),
        (True, "invalid_integer"),
        ("三", "invalid_integer"),
        ("1" * 14, "invalid_integer"),
    ]:
        assert refusal(fields, {"staff": bad}, partial=True) == [("staff", code)]
    with pytest.raises(ValidationFailed) as caught:
        answers_clean(fields, {"staff": "0"}, partial=True)
    problem = caught.value.as_dict()["errors"][0]
    assert (problem["message"], problem["message_en"]) == (
        "请填写 1 至 500 之间的数字。",
        "Enter a number from 1 to 500.",
    )


def test_dates_are_iso_and_real():
    fields = shop_form()
    assert answers_clean(fields, {"opening": dt.date(2027, 1, 4)}, partial=True) == {
        "opening": "2027-01-04"
    }
    for bad, code in [
        ("2026-02-30", "invalid_date"),
        ("2026/01/01", "invalid_date"),
        ("1899-12-31", "out_of_range"),
        (dt.datetime(2026, 1, 1, 9, 0), "invalid_date"),
        (20260101, "invalid_date"),
    ]:
        assert refusal(fields, {"opening": bad}, partial=True) == [("opening", code)]


def test_choices_must_be_offered_ones():
    fields = shop_form()
    assert refusal(fields, {"form": "company", "scopes": ["retail", "mining"]}, partial=True) == [
        ("form", "invalid_choice"),
        ("scopes", "invalid_choice"),
    ]
    assert refusal(fields, {"form": ["family"], "scopes": "retail"}, partial=True) == [
        ("form", "invalid_choice"),
        ("scopes", "invalid_choice"),
    ]


def test_a_required_declaration_must_be_ticked_and_yes_no_texts_are_understood():
    fields = shop_form()
    assert refusal(fields, {**complete_answers(), "promise": "off"}) == [
        ("promise", "must_be_ticked")
    ]
    assert refusal(fields, {**complete_answers(), "promise": 1}) == [("promise", "invalid_boolean")]
    assert answers_clean(fields, {"promise": False}, partial=True) == {"promise": False}
    assert answers_clean(fields, {"promise": "TRUE"}, partial=True) == {"promise": True}


def test_identifiers_are_checked_by_the_shared_checks():
    fields = shop_form()
    bad_id = RESIDENT_ID[:-1] + "1"
    bad_uscc = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    data = {"id_number": bad_id, "phone": "020-81234567", "uscc": bad_uscc}
    assert refusal(fields, data, partial=True) == [
        ("id_number", "invalid_checksum"),
        ("phone", "invalid_mobile"),
        ("uscc", "invalid_checksum"),
    ]
    with pytest.raises(ValidationFailed) as caught:
        answers_clean(fields, {"phone": 13800138000}, partial=True)
    assert [(e.field, e.code) for e in caught.value.errors] == [("phone", "invalid_type")]


def test_answers_that_are_not_a_mapping_are_refused():
    assert refusal(shop_form(), ["operator_name"]) == [("answers", "invalid_type")]


def test_personal_kinds_are_phone_id_number_and_address():
    assert sorted(k for k in FormFieldKind.values if is_personal(k)) == [
        "address",
        "id_number",
        "phone",
    ]


# --- the answers: properties -----------------------------------------------------------------

# Printable text: no control characters (C0, DEL, C1), no surrogates, no line separators.
printable = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\u2028\u2029"
    ),
    max_size=200,
)
controls = st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"])


@PROPERTY
@given(text=printable)
def test_any_printable_text_is_kept_stripped(text):
    assume(text.strip())
    assert answers_clean(shop_form(), {"operator_name": text}, partial=True) == {
        "operator_name": text.strip()
    }


@PROPERTY
@given(text=printable, control=controls, where=st.integers(min_value=0, max_value=200))
def test_any_control_character_in_a_text_is_refused(text, control, where):
    value = text[:where] + control + text[where:]
    assert refusal(shop_form(), {"operator_name": value}, partial=True) == [
        ("operator_name", "control_characters")
    ]


@PROPERTY
@given(number=st.integers(min_value=-(10**13), max_value=10**13), as_text=st.booleans())
def test_a_whole_number_is_kept_exactly_when_within_the_bounds(number, as_text):
    value = str(number) if as_text else number
    if 1 <= number <= 500:
        assert answers_clean(shop_form(), {"staff": value}, partial=True) == {"staff": number}
    else:
        # As text, a number of more than 13 digits is not read as one at all.
        code = "invalid_integer" if as_text and len(str(abs(number))) > 13 else "out_of_range"
        assert refusal(shop_form(), {"staff": value}, partial=True) == [("staff", code)]


@st.composite
def valid_answers(draw: Any) -> dict[str, Any]:
    birth = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31)))
    body = f"440103{birth:%Y%m%d}{draw(st.integers(min_value=0, max_value=999)):03d}"
    return {
        "operator_name": draw(printable.filter(str.strip)),
        "id_number": body + ric.calc_check_digit(body + "0"),
        "phone": f"1{draw(st.sampled_from('3456789'))}{draw(st.integers(0, 10**9 - 1)):09d}",
        "premises": draw(printable.filter(str.strip)),
        "business_scope": draw(printable.filter(str.strip)),
        "staff": draw(st.integers(min_value=1, max_value=500)),
        "capital": draw(st.integers(min_value=0, max_value=10**6)),
        "form": draw(st.sampled_from(["individual", "family"])),
        "scopes": draw(st.lists(st.sampled_from(["retail", "food", "repair"]), max_size=5)),
        "opening": draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))),
        "promise": True,
        "uscc": make_uscc(draw(st.integers(min_value=0, max_value=10**9 - 1))),
    }


@PROPERTY
@given(data=valid_answers())
def test_cleaned_answers_are_a_fixed_point(data):
    cleaned = answers_clean(shop_form(), data)
    assert answers_clean(shop_form(), cleaned) == cleaned
    assert isinstance(cleaned["staff"], int)
    assert cleaned["opening"] == data["opening"].isoformat()


@PROPERTY
@given(data=valid_answers(), drop=st.sets(st.sampled_from([f["key"] for f in shop_form()])))
def test_a_draft_keeps_exactly_what_was_given_and_a_submission_names_each_missing_field(data, drop):
    given_answers = {key: value for key, value in data.items() if key not in drop}
    cleaned = answers_clean(shop_form(), given_answers, partial=True)
    expected_keys = {k for k, v in given_answers.items() if v != []}
    assert set(cleaned) == expected_keys
    missing = [f["key"] for f in shop_form() if f["required"] and f["key"] not in given_answers]
    if missing:
        assert refusal(shop_form(), given_answers) == [(key, "required") for key in missing]
    else:
        assert answers_clean(shop_form(), given_answers) == cleaned


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@PROPERTY
@given(data=st.dictionaries(st.sampled_from([f["key"] for f in shop_form()]), json_values))
def test_any_json_answer_is_accepted_or_refused_with_at_most_one_error_per_field(data):
    try:
        cleaned = answers_clean(shop_form(), data, partial=True)
    except ValidationFailed as exc:
        fields = [error.field for error in exc.errors]
        assert len(fields) == len(set(fields))
        assert set(fields) <= set(data)
        for error in exc.errors:
            assert str(error)  # renders in both languages
    else:
        assert set(cleaned) <= set(data)


# --- the definition ---------------------------------------------------------------------------


def problems(**overrides: Any) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in form_field_errors(form_field(**overrides))]


def test_a_sound_definition_has_no_problem():
    assert problems() == []
    assert problems(kind="choice", choices=CHOICES) == []
    assert problems(kind="integer", min_value=1, max_value=500) == []
    assert problems(kind="id_number", prefill="person.id_number") == []


@pytest.mark.parametrize("key", ["", "Shop", "1shop", "shop-name", "a" * 33, "店名", "shop\x00"])
def test_a_bad_key_is_refused(key):
    assert problems(key=key) == [("key", "invalid_key")]


def test_definition_problems_are_named():
    assert problems(kind="dropdown") == [("kind", "invalid_kind")]
    assert problems(kind="choice") == [("choices", "choices_required")]
    assert problems(kind="text", choices=CHOICES) == [("choices", "choices_not_allowed")]
    assert problems(kind="integer", max_length=10) == [("max_length", "max_length_not_allowed")]
    assert problems(kind="text", max_length=0) == [("max_length", "out_of_range")]
    assert problems(kind="text", min_value=1) == [("min_value", "bounds_not_allowed")]
    assert problems(kind="integer", min_value=5, max_value=1) == [("max_value", "min_over_max")]
    assert problems(kind="integer", min_value=-(10**13)) == [("min_value", "out_of_range")]
    assert problems(prefill="person.id_number") == [("prefill", "prefill_kind_mismatch")]
    assert problems(prefill="person.salary") == [("prefill", "invalid_prefill")]
    assert problems(label=" ") == [("label", "required")]
    assert problems(label="姓\x00名", help_text_en="a\x07") == [
        ("label", "control_characters"),
        ("help_text_en", "control_characters"),
    ]


def test_choice_lists_are_checked_entry_by_entry():
    choices = [
        {"value": "a", "label": "甲"},
        {"value": "a", "label": "乙"},
        {"value": "", "label": "丙"},
        {"value": "d"},
        {"value": "e", "label": "戊", "colour": "red"},
        "f",
    ]
    assert problems(kind="multichoice", choices=choices) == [
        ("choices[1].value", "duplicate"),
        ("choices[2].value", "required"),
        ("choices[3].label", "required"),
        ("choices[4]", "invalid_choice"),
        ("choices[5]", "invalid_choice"),
    ]


def test_a_form_has_unique_keys_and_orders():
    fields = [form_field(order=1), form_field(order=1, label="又一个姓名")]
    assert [(e.field, e.code) for e in form_fields_check(fields)] == [
        ("form_fields[1].key", "duplicate"),
        ("form_fields[1].order", "duplicate"),
    ]


def test_the_models_clean_gives_bilingual_messages():
    with pytest.raises(ValidationError) as caught:
        form_field(key="Shop").clean()
    assert caught.value.message_dict == {
        "key": [
            "字段键为 1 至 32 个小写字母、数字或下划线，以字母开头（如 shop_name）。 / "
            "The field key has 1 to 32 lower-case letters, digits or _, "
            "and starts with a letter (e.g. shop_name)."
        ]
    }


# --- choices typed as text ------------------------------------------------------------------


def test_choices_are_read_as_people_type_them():
    assert choices_from_text("个人经营；家庭经营\nfamily_plus|家庭加|Family plus ;") == [
        {"value": "个人经营", "label": "个人经营", "label_en": ""},
        {"value": "家庭经营", "label": "家庭经营", "label_en": ""},
        {"value": "family_plus", "label": "家庭加", "label_en": "Family plus"},
    ]
    assert choices_from_text("") == []
    with pytest.raises(ChoicesUnreadable):
        choices_from_text("a|b|c|d")
    with pytest.raises(ChoicesUnreadable):
        choices_from_text('[{"value": 1')


choice_text = printable.map(str.strip).filter(bool)


@PROPERTY
@given(
    choices=st.lists(
        st.fixed_dictionaries(
            {"value": choice_text, "label": choice_text, "label_en": choice_text | st.just("")}
        ),
        max_size=5,
    )
)
def test_choices_written_as_text_read_back_the_same(choices):
    assert choices_from_text(choices_as_text(choices)) == choices
