"""The online form in the catalogue workbook: the 表单字段 sheet, exported and imported."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from onewindow.catalog.excel import FORM_FIELDS, catalog_export, catalog_import_apply
from onewindow.catalog.excel import catalog_import_check as check
from onewindow.catalog.models import FormField, ServiceItem, ServiceItemVersion
from onewindow.catalog.services import item_snapshot
from onewindow.catalog.tests.test_excel import (
    _sheet_values,
    build_workbook,
    counts,
    item_row,
    located,
    material_row,
)
from onewindow.testing.factories import DepartmentFactory, create_item, form_field

pytestmark = pytest.mark.django_db

SHEET = "表单字段 Form fields"


def shop_form():
    return [
        form_field(order=1, key="operator_name", label="经营者姓名", prefill="person.name"),
        form_field(
            order=2,
            key="id_number",
            label="身份证号",
            label_en="ID number",
            kind="id_number",
            prefill="person.id_number",
            help_text="18位",
            help_text_en="18 characters",
        ),
        form_field(
            order=3, key="staff", label="从业人数", kind="integer", min_value=1, max_value=500
        ),
        form_field(order=4, key="change", label="变动", kind="integer", min_value=-5),
        form_field(
            order=5,
            key="form",
            label="组成形式",
            kind="choice",
            choices=[
                {"value": "individual", "label": "个人经营", "label_en": "One person"},
                {"value": "家庭经营", "label": "家庭经营", "label_en": ""},
            ],
        ),
        form_field(
            order=6,
            key="scopes",
            label="类别",
            kind="multichoice",
            required=False,
            choices=[{"value": "a;b", "label": "甲|乙", "label_en": ""}],
        ),
        form_field(order=7, key="shop_name", label="名称", max_length=30, required=False),
    ]


def test_export_then_import_keeps_every_form_and_records_no_version():
    shop = create_item(form_fields=shop_form())
    plain = create_item()
    before = {i.pk: item_snapshot(ServiceItem.objects.get(pk=i.pk)) for i in (shop, plain)}
    versions = ServiceItemVersion.objects.count()
    data = catalog_export()
    rows = list(load_workbook(io.BytesIO(data))[SHEET].iter_rows(min_row=2, values_only=True))
    choices_column = [c.key for c in FORM_FIELDS.columns].index("choices")
    assert [row[choices_column] for row in rows][4:6] == [
        "individual|个人经营|One person\n家庭经营",
        '[{"value": "a;b", "label": "甲|乙", "label_en": ""}]',
    ]
    plan = check(workbook=data)
    assert plan.errors == []
    summary = catalog_import_apply(plan=plan, actor=None)
    assert (summary["updated"], summary["new_versions"]) == (2, 0)
    assert ServiceItemVersion.objects.count() == versions
    after = {i.pk: item_snapshot(ServiceItem.objects.get(pk=i.pk)) for i in (shop, plain)}
    assert after == before
    assert [f["key"] for f in after[shop.pk]["form_fields"]] == [
        "operator_name",
        "id_number",
        "staff",
        "change",
        "form",
        "scopes",
        "shop_name",
    ]
    assert _sheet_values(catalog_export()) == _sheet_values(data)


def test_form_rows_as_people_type_them_are_imported():
    lead = DepartmentFactory()
    row = item_row(lead, 1)
    code = row["implementation_code"]
    data = build_workbook(
        items=[row],
        materials=[material_row(code)],
        form_fields=[
            {"implementation_code": code, "key": "operator_name", "label": "经营者姓名",
             "kind": "文本", "prefill": "申请人姓名"},
            {"implementation_code": code, "key": "form", "label": "组成形式", "kind": "choice",
             "required": "否", "choices": "个人经营；家庭经营"},
            {"implementation_code": code, "key": "staff", "label": "从业人数", "kind": "整数",
             "min_value": "1", "max_value": 500},
        ],
    )  # fmt: skip
    plan = check(workbook=data)
    assert plan.errors == []
    catalog_import_apply(plan=plan, actor=None)
    fields = list(FormField.objects.filter(item__implementation_code=code).order_by("order"))
    assert [
        (f.order, f.key, f.kind, f.required, f.prefill, f.choices, f.min_value, f.max_value)
        for f in fields
    ] == [
        (1, "operator_name", "text", True, "person.name", [], None, None),
        (
            2,
            "form",
            "choice",
            False,
            "",
            [
                {"value": "个人经营", "label": "个人经营", "label_en": ""},
                {"value": "家庭经营", "label": "家庭经营", "label_en": ""},
            ],
            None,
            None,
        ),
        (3, "staff", "integer", True, "", [], 1, 500),
    ]
    version = ServiceItem.objects.get(implementation_code=code).versions.get()
    assert [f["key"] for f in version.snapshot["form_fields"]] == ["operator_name", "form", "staff"]


def test_bad_form_rows_are_each_located_and_nothing_is_written():
    lead = DepartmentFactory()
    row = item_row(lead, 1)
    code = row["implementation_code"]
    data = build_workbook(
        items=[row],
        materials=[material_row(code)],
        form_fields=[
            {"implementation_code": code, "key": "Shop-Name", "label": "名称", "kind": "text"},
            {"implementation_code": code, "key": "form", "label": "组成形式", "kind": "choice"},
            {"implementation_code": code, "key": "size", "label": "规模", "kind": "integer",
             "choices": "大；小"},
            {"implementation_code": code, "key": "x", "label": "重复", "kind": "text"},
            {"implementation_code": code, "key": "x", "label": "重复", "kind": "text"},
        ],
    )  # fmt: skip
    assert located(check(workbook=data)) == {
        (SHEET, 2, "C 字段键 / key", "form_fields[0].key", "invalid_key"),
        (SHEET, 3, "H 选项 / choices", "form_fields[1].choices", "choices_required"),
        (SHEET, 4, "H 选项 / choices", "form_fields[2].choices", "choices_not_allowed"),
        (SHEET, 6, "C 字段键 / key", "form_fields[4].key", "duplicate"),
    }
    # Cells that cannot be read at all are reported before any rule.
    data = build_workbook(
        items=[row],
        materials=[material_row(code)],
        form_fields=[
            {"implementation_code": code, "key": "a", "label": "甲", "kind": "dropdown"},
            {"implementation_code": code, "key": "b", "label": "乙", "kind": "integer",
             "min_value": "负五"},
            {"implementation_code": code, "key": "c", "label": "丙", "kind": "choice",
             "choices": "[{'value': 1}"},
            {"implementation_code": "000000000999XXXX", "key": "d", "label": "丁", "kind": "text"},
            {"implementation_code": code, "key": "e", "label": "", "kind": "text",
             "prefill": "工资"},
        ],
    )  # fmt: skip
    before = counts()
    plan = check(workbook=data)
    assert located(plan) == {
        (SHEET, 2, "F 字段类型 / kind", "kind", "invalid_code"),
        (SHEET, 3, "J 最小值 / min_value", "min_value", "invalid_number"),
        (SHEET, 4, "H 选项 / choices", "choices", "invalid_choices"),
        (SHEET, 5, "A 实施编码 / implementation_code", "implementation_code", "unknown_item"),
        (SHEET, 6, "D 字段名称 / label", "label", "required"),
        (SHEET, 6, "L 预填来源 / prefill", "prefill", "invalid_code"),
    }
    message = next(e for e in plan.errors if e.field == "kind").as_dict()
    assert message["message"].startswith("“dropdown”不是允许的取值，可选值为：text 文本, textarea")
    assert message["message_en"].startswith("dropdown is not one of the allowed values: text")
    assert counts() == before


def test_a_workbook_without_the_form_sheet_keeps_the_stored_forms():
    lead = DepartmentFactory()
    shop = create_item(department=lead, form_fields=shop_form()[:2])
    version = shop.version
    data = catalog_export()
    wb = load_workbook(io.BytesIO(data))
    del wb[SHEET]
    buffer = io.BytesIO()
    wb.save(buffer)
    plan = check(workbook=buffer.getvalue())
    assert (plan.errors, plan.has_form_fields) == ([], False)
    catalog_import_apply(plan=plan, actor=None)
    shop.refresh_from_db()
    assert shop.version == version
    assert list(shop.form_fields.values_list("key", flat=True)) == ["operator_name", "id_number"]
