"""The demo's data files: what they load into, and the errors a wrong edit gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from onewindow.catalog.codes import ItemType, MaterialForm, MaterialType, TimeUnit
from onewindow.demo import city, subjects
from onewindow.demo.datafiles import DATA_DIR, DemoDataError
from onewindow.demo.forms import load_default_forms
from onewindow.demo.handwritten import HANDWRITTEN_ITEMS, load_handwritten_items
from onewindow.org.models import CentreLevel

DATA_FILES = [
    "actions.toml",
    "city.toml",
    "dispatch.toml",
    "forms.toml",
    "grid_categories.toml",
    "hall.toml",
    "handwritten.toml",
    "names.toml",
    "street_subjects.toml",
    "subjects.toml",
    "topics.toml",
]


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the shipped data files to break."""
    for name in DATA_FILES:
        text = (DATA_DIR / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def edit(directory: Path, name: str, old: str, new: str) -> None:
    text = (directory / name).read_text(encoding="utf-8")
    assert old in text
    (directory / name).write_text(text.replace(old, new, 1), encoding="utf-8")


def error_of(loader: object, directory: Path) -> str:
    with pytest.raises(DemoDataError) as caught:
        loader(directory)  # type: ignore[operator]
    return str(caught.value)


def test_the_data_folder_holds_exactly_the_data_files_each_with_a_header() -> None:
    assert sorted(f.name for f in DATA_DIR.iterdir() if f.is_file()) == DATA_FILES
    for name in DATA_FILES:
        first_line = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()[0]
        assert first_line.startswith("# "), name


def test_the_shipped_files_load_into_what_the_planner_reads() -> None:
    assert city.DISTRICT_CODE == "440103000000"
    assert city.STREETS[0] == city.StreetSpec("沙面", "Shamian", ("沙面", "沙基", "六二三路"))
    assert city.DEPARTMENTS[0].key == "fgj"
    assert [t.audience for t in city.TOPICS][:1] == ["natural"]
    assert list(subjects.ACTIONS)[:3] == ["single", "new", "change"]
    assert subjects.ACTIONS["reg_filing"].item_type == ItemType.OTHER_POWER
    assert subjects.ACTIONS["commit"].instant
    first = subjects.SUBJECTS[0]
    assert (first.department, first.name, first.item_type, first.actions) == (
        "fgj",
        "企业投资项目备案",
        ItemType.OTHER_POWER,
        ("new", "change", "cancel"),
    )
    assert all(s.department == subjects.STREET for s in subjects.STREET_SUBJECTS)
    fees = {s.fee.name: s.fee for s in subjects.SUBJECTS if s.fee}
    assert fees["居民身份证工本费"].standard == "20元/证"


def test_handwritten_items_get_the_documented_defaults() -> None:
    lift = HANDWRITTEN_ITEMS[0]
    assert lift.key == "lift"
    assert lift.statutory_limit_unit == TimeUnit.WORKING_DAY
    assert lift.accepts_post is False  # visits = 1 and nothing said
    assert lift.handled_at_levels == (CentreLevel.DISTRICT_HALL, CentreLevel.STREET_CENTRE)
    form = lift.materials[0]
    assert (form.material_type, form.form, form.paper_copies, form.paper_spec) == (
        MaterialType.FORM,
        MaterialForm.BOTH,
        1,
        "A4",
    )
    assert form.source_channel == "申请人自备"
    electronic = [m for item in HANDWRITTEN_ITEMS for m in item.materials if m.name == "营业执照"]
    assert electronic
    assert all((m.paper_copies, m.paper_spec) == (0, "") for m in electronic)
    id_card = next(i for i in HANDWRITTEN_ITEMS if i.key == "id_card_renewal")
    assert id_card.statutory_limit_unit == TimeUnit.NATURAL_DAY


def test_an_unknown_code_names_file_entry_and_key_and_lists_the_valid_ones(
    data_copy: Path,
) -> None:
    edit(data_copy, "subjects.toml", 'item_type = "other_power"', 'item_type = "licence"')
    assert error_of(subjects.load_templates, data_copy) == (
        'subjects.toml, subject no. 1 (企业投资项目备案), key "item_type": "licence" is not one '
        "of: licensing, penalty, coercion, levy, payment, inspection, confirmation, reward, "
        "adjudication, other_power, public_service, review_forward"
    )


def test_a_misspelt_optional_key_is_refused_instead_of_ignored(data_copy: Path) -> None:
    edit(data_copy, "subjects.toml", "instant = true", "instnat = true")
    message = error_of(subjects.load_templates, data_copy)
    assert message.startswith(
        'subjects.toml, subject no. 1 (企业投资项目备案), key "instnat": unknown key; the known '
        "keys here are: actions, basis, community, department, fee, instant, item_type, "
    )


def test_a_missing_key_of_a_handwritten_item_names_the_item(data_copy: Path) -> None:
    edit(data_copy, "handwritten.toml", 'result_name = "既有住宅增设电梯联合审查意见书"\n', "")
    assert error_of(load_handwritten_items, data_copy) == (
        'handwritten.toml, item no. 1 (lift), key "result_name": this key is missing'
    )


@pytest.mark.parametrize(
    ("value", "found"), [('"1"', 'the text "1"'), ("true", "true/false"), ("1.5", "the number 1.5")]
)
def test_a_value_of_the_wrong_type_is_refused(data_copy: Path, value: str, found: str) -> None:
    edit(data_copy, "handwritten.toml", "visits = 1", f"visits = {value}")
    assert error_of(load_handwritten_items, data_copy) == (
        f'handwritten.toml, item no. 1 (lift), key "visits": expected a whole number, found {found}'
    )


def test_a_wrong_material_kind_names_the_material(data_copy: Path) -> None:
    edit(data_copy, "handwritten.toml", '  kind = "form"', '  kind = "forms"')
    assert error_of(load_handwritten_items, data_copy) == (
        "handwritten.toml, item no. 1 (lift), materials no. 1 (既有住宅增设电梯申请表), "
        'key "kind": "forms" is not one of: form, cert, other'
    )


def test_an_unknown_department_is_refused(data_copy: Path) -> None:
    edit(data_copy, "handwritten.toml", '"ghj", "scj"', '"ghj", "sjc"')
    message = error_of(load_handwritten_items, data_copy)
    assert message.startswith(
        'handwritten.toml, item no. 1 (lift), key "joint_departments": "sjc" is not one of: fgj, '
    )


def test_a_department_removed_from_the_city_is_refused_where_it_is_still_used(
    data_copy: Path,
) -> None:
    edit(data_copy, "city.toml", 'key = "fgj"', 'key = "fzggj"')
    message = error_of(subjects.load_templates, data_copy)
    assert message.startswith(
        'subjects.toml, subject no. 1 (企业投资项目备案), key "department": "fgj" is not one of: '
        "fzggj, jyj, "
    )


def test_a_repeated_key_is_refused(data_copy: Path) -> None:
    edit(data_copy, "handwritten.toml", 'key = "sole_trader"', 'key = "lift"')
    assert error_of(load_handwritten_items, data_copy) == (
        'handwritten.toml, item no. 2 (lift), key "key": "lift" is used by an earlier entry already'
    )
    edit(data_copy, "actions.toml", 'key = "change"', 'key = "new"')
    assert error_of(subjects.load_actions, data_copy) == (
        'actions.toml, action no. 3 (new), key "key": "new" is used by an earlier entry already'
    )


def test_broken_toml_names_the_file_and_the_line(data_copy: Path) -> None:
    edit(data_copy, "city.toml", 'name = "沙面"\n', 'name = "沙面\n')
    lines = (data_copy / "city.toml").read_text(encoding="utf-8").splitlines()
    line = lines.index('name = "沙面') + 1
    message = error_of(city.load_city, data_copy)
    assert message.startswith("city.toml: this is not valid TOML: ")
    assert f"(at line {line}, " in message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert error_of(city.load_city, tmp_path) == (
        f"city.toml: the file is missing (looked in {tmp_path})"
    )


def test_a_form_field_of_an_unknown_kind_is_refused_with_the_kinds(data_copy: Path) -> None:
    edit(data_copy, "forms.toml", 'kind = "id_number"', 'kind = "identity"')
    message = error_of(load_default_forms, data_copy)
    assert message.startswith(
        'forms.toml, natural no. 2 (id_number), key "kind": "identity" is not one of: text, '
    )


def test_a_form_field_key_used_twice_is_refused(data_copy: Path) -> None:
    edit(data_copy, "forms.toml", 'key = "phone"', 'key = "id_number"')
    assert error_of(load_default_forms, data_copy) == (
        'forms.toml, natural no. 3 (id_number), key "key": "id_number" is used by an earlier '
        "entry already"
    )
