"""The catalogue workbook: template, export → import round trip, checks and one-transaction
import, import jobs and the management commands."""

from __future__ import annotations

import io
import itertools
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from onewindow.catalog.codes import ItemStatus, MaterialType, StepKind
from onewindow.catalog.excel import (
    FEES,
    FORM_FIELDS,
    ITEMS,
    MATERIALS,
    README_SHEET_NAME,
    SHEETS,
    STEPS,
    TOPICS_SHEET,
    catalog_export,
    catalog_import_apply,
    catalog_import_check,
    catalog_template,
)
from onewindow.catalog.imports import catalog_import_start
from onewindow.catalog.models import (
    CatalogImportJob,
    FeeItem,
    ImportStatus,
    ItemFAQ,
    LifeEventTopic,
    Material,
    ProcessStep,
    ServiceItem,
    ServiceItemVersion,
)
from onewindow.catalog.rules import default_steps
from onewindow.catalog.services import (
    ItemContent,
    item_cancel,
    item_publish,
    item_save,
    item_snapshot,
)
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.org.models import Role
from onewindow.testing.factories import (
    DepartmentFactory,
    StreetFactory,
    TopicFactory,
    create_item,
    fee,
    item_instance,
    material,
    staff_with_role,
)

COUNTED = (
    ServiceItem,
    Material,
    FeeItem,
    ProcessStep,
    LifeEventTopic,
    ServiceItemVersion,
    AuditLog,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def build_workbook(
    *,
    items: list[dict[str, Any]] = (),  # type: ignore[assignment]
    materials: list[dict[str, Any]] = (),  # type: ignore[assignment]
    fees: list[dict[str, Any]] = (),  # type: ignore[assignment]
    steps: list[dict[str, Any]] = (),  # type: ignore[assignment]
    topics: list[dict[str, Any]] = (),  # type: ignore[assignment]
    form_fields: list[dict[str, Any]] = (),  # type: ignore[assignment]
    drop_sheets: tuple[str, ...] = (),
) -> bytes:
    """The template with rows given as {column key: cell value}."""
    wb = load_workbook(io.BytesIO(catalog_template()))
    for layout, rows in (
        (ITEMS, items),
        (MATERIALS, materials),
        (FEES, fees),
        (STEPS, steps),
        (TOPICS_SHEET, topics),
        (FORM_FIELDS, form_fields),
    ):
        ws = wb[layout.name]
        for row in rows:
            ws.append([row.get(column.key) for column in layout.columns])
    for name in drop_sheets:
        del wb[name]
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def item_row(lead: Any, n: int, **overrides: Any) -> dict[str, Any]:
    basic = f"{n:012d}"
    row = {
        "implementation_code": f"{basic}{lead.uscc}",
        "basic_code": basic,
        "name": f"导入事项{n}",
        "item_type": "01",
        "exercise_level": "4",
        "status": "published",
        "department": lead.name,
        "service_objects": "1",
        "legal_basis": "《行政许可法》",
        "conditions": "符合条件",
        "case_type": "2",
        "statutory_limit": 20,
        "statutory_limit_unit": "1",
        "promised_limit": 10,
        "promised_limit_unit": "1",
        "visits": 1,
        "visit_reason": "核验原件",
        "charges_fee": "否",
        "is_online": "否",
        "accepts_post": "否",
        "handled_at_levels": "district_hall",
        "result_type": "1",
        "result_name": "许可证",
    }
    row.update(overrides)
    return row


def material_row(code: str, **overrides: Any) -> dict[str, Any]:
    row = {
        "implementation_code": code,
        "name": "申请表",
        "material_type": "2",
        "form": "1",
        "necessity": "1",
        "paper_copies": 1,
    }
    row.update(overrides)
    return row


def located(plan: Any) -> set[tuple[Any, ...]]:
    return {(e.sheet, e.row, e.column, e.field, e.code) for e in plan.errors}


# --- template -------------------------------------------------------------------------------


def test_template_has_every_sheet_header_and_readme():
    wb = load_workbook(io.BytesIO(catalog_template()))
    assert wb.sheetnames == [
        README_SHEET_NAME,
        "事项 Items",
        "材料 Materials",
        "收费 Fees",
        "环节 Steps",
        "表单字段 Form fields",
        "主题 Topics",
    ]
    for layout in SHEETS:
        ws = wb[layout.name]
        headers = [cell.value for cell in ws[1]]
        assert headers == [column.header for column in layout.columns]
        assert ws.max_row == 1
    items_headers = [cell.value for cell in wb["事项 Items"][1]]
    assert items_headers[0] == "实施编码 / implementation_code"
    assert "纸质份数 / paper_copies" in [cell.value for cell in wb["材料 Materials"][1]]
    readme = [row for row in wb[README_SHEET_NAME].iter_rows(values_only=True)]
    described = {(row[0], row[1]) for row in readme}
    for layout in SHEETS:
        for column in layout.columns:
            assert (layout.name, column.header) in described
    code_rows = {(row[0], row[1], row[3]) for row in readme}
    assert ("ItemType", "01", "行政许可") in code_rows
    assert ("MaterialNecessity", "3", "容缺后补") in code_rows


def test_template_offers_dropdowns_for_code_columns():
    wb = load_workbook(io.BytesIO(catalog_template()))
    validations = {
        str(dv.sqref).split(":")[0]: dv.formula1
        for dv in wb["事项 Items"].data_validations.dataValidation
    }
    item_type_letter = "F"  # 6th column
    assert ITEMS.columns[5].key == "item_type"
    assert "01 行政许可" in validations[f"{item_type_letter}2"]
    charges_fee_index = [c.key for c in ITEMS.columns].index("charges_fee")
    from openpyxl.utils import get_column_letter

    assert validations[f"{get_column_letter(charges_fee_index + 1)}2"] == '"是,否"'


# --- round trip -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_then_import_round_trips_to_identical_snapshots():
    lead = DepartmentFactory()
    joint = DepartmentFactory()
    street = StreetFactory()
    topic = TopicFactory(code="SHOP", name="开店")
    published = item_save(
        content=ItemContent(
            item=item_instance(
                department=lead,
                charges_fee=True,
                fee_basis="收费文件",
                guide_summary="一句话",
                keywords="开店 营业",
                name_en="Shop licence",
            ),
            fee_items=[
                fee(),
                fee(name="检测费", standard="按次", basis="物价文件", reducible=True),
            ],
            materials=[
                material(blank_form="catalog/forms/apply.pdf", notes="=用黑色签字笔填写\n第二行"),
                material(
                    name="身份证",
                    material_type=MaterialType.CERTIFICATE,
                    form="3",
                    paper_copies=2,
                    paper_spec="A4",
                ),
            ],
            faqs=[ItemFAQ(question="要多久？", answer="十个工作日")],
            topic_ids=[topic.pk],
            joint_department_ids=[joint.pk],
            region_ids=[street.pk],
        )
    )
    item_publish(item=published)
    draft = item_save(
        content=ItemContent(
            item=item_instance(
                department=joint,
                case_type="1",
                promised_limit=0,
                item_type="20",
                online_depth=["1", "2"],
                is_online=True,
            ),
            materials=[material()],
        )
    )
    cancelled = create_item(department=lead)
    item_cancel(item=cancelled, reason="撤销")
    items = [published, draft, cancelled]
    before = {item.pk: item_snapshot(ServiceItem.objects.get(pk=item.pk)) for item in items}
    versions_before = ServiceItemVersion.objects.count()

    data = catalog_export()
    plan = catalog_import_check(workbook=data)
    assert plan.errors == []
    assert len(plan.items) == 3
    summary = catalog_import_apply(plan=plan, actor=None)

    assert summary["updated"] == 3
    assert summary["created"] == 0
    assert summary["new_versions"] == 0
    assert ServiceItem.objects.count() == 3
    assert ServiceItemVersion.objects.count() == versions_before
    after = {item.pk: item_snapshot(ServiceItem.objects.get(pk=item.pk)) for item in items}
    assert after == before
    # And the export of the imported catalogue is the same workbook content.
    assert _sheet_values(catalog_export()) == _sheet_values(data)


def _sheet_values(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    wb = load_workbook(io.BytesIO(data))
    return {name: list(wb[name].iter_rows(values_only=True)) for name in wb.sheetnames}


@pytest.mark.django_db
def test_export_writes_codes_and_credit_codes():
    department = DepartmentFactory()
    item = create_item(department=department)
    wb = load_workbook(io.BytesIO(catalog_export()))
    row = dict(
        zip(
            [c.key for c in ITEMS.columns],
            next(wb["事项 Items"].iter_rows(min_row=2, values_only=True)),
            strict=True,
        )
    )
    assert row["implementation_code"] == item.implementation_code
    assert row["item_type"] == "01"
    assert row["case_type"] == "2"
    assert row["department"] == department.uscc
    assert row["status"] == "published"
    assert row["charges_fee"] == "否"
    steps = list(wb["环节 Steps"].iter_rows(min_row=2, values_only=True))
    assert [s[2] for s in steps] == ["accept", "review", "decide", "complete", "deliver"]


# --- a good workbook -------------------------------------------------------------------------


@pytest.mark.django_db
def test_good_workbook_creates_items_materials_fees_steps_topics_as_given():
    lead = DepartmentFactory(name="区市场监督管理局")
    joint = DepartmentFactory(name="区消防救援大队")
    street = StreetFactory()
    TopicFactory(code="OLD", name="已有主题")
    first = item_row(
        lead,
        1,
        charges_fee="是",
        fee_basis="收费文件",
        topics="NEW、已有主题",
        joint_departments=f"{joint.uscc}",
        handled_in_regions=street.code,
        service_objects="1,2",
        guide_summary="开店办证",
    )
    second = item_row(
        lead,
        2,
        status="draft",
        item_type="20",
        case_type="1",
        promised_limit=0,
        joint_departments="区消防救援大队",
    )
    code1, code2 = first["implementation_code"], second["implementation_code"]
    data = build_workbook(
        items=[first, second],
        materials=[
            material_row(code1),
            material_row(code1, name="身份证", material_type="1", form="3", paper_copies=2),
            material_row(code2, form="2", paper_copies=0),
        ],
        fees=[
            {
                "implementation_code": code1,
                "name": "工本费",
                "standard": "10元",
                "basis": "物价文件",
                "reducible": "Y",
            }
        ],
        steps=[
            {
                "implementation_code": code1,
                "kind": "accept",
                "name": "窗口受理",
                "role": "intake_clerk",
            },
            {
                "implementation_code": code1,
                "kind": "review",
                "name": "审查",
                "role": "dept_approver",
                "time_limit": 3,
            },
            {
                "implementation_code": code1,
                "kind": "decide",
                "name": "决定",
                "role": "dept_lead",
                "time_limit": 2,
            },
            {
                "implementation_code": code1,
                "kind": "complete",
                "name": "办结",
                "role": "dept_approver",
            },
            {
                "implementation_code": code1,
                "kind": "deliver",
                "name": "出件",
                "role": "output_clerk",
            },
        ],
        topics=[{"code": "NEW", "name": "新主题", "audience": "legal", "order": 3}],
    )
    progress_calls: list[tuple[int, int]] = []
    plan = catalog_import_check(workbook=data, progress=lambda p, t: progress_calls.append((p, t)))
    assert plan.errors == []
    assert plan.total_rows == 2 + 3 + 1 + 5 + 1
    assert progress_calls[0] == (0, 12)
    assert progress_calls[-1] == (12, 12)
    admin = staff_with_role(Role.ADMIN)
    summary = catalog_import_apply(plan=plan, actor=admin)

    assert summary == {
        "items": 2,
        "created": 2,
        "updated": 0,
        "published": 1,
        "new_versions": 1,
        "topics_created": 1,
        "topics_updated": 0,
    }
    item = ServiceItem.objects.get(implementation_code=code1)
    assert item.status == ItemStatus.PUBLISHED
    assert item.version == 1
    assert item.department == lead
    assert item.service_objects == ["1", "2"]
    assert item.charges_fee is True
    assert item.guide_summary == "开店办证"
    assert list(item.joint_departments.all()) == [joint]
    assert list(item.handled_in_regions.all()) == [street]
    assert sorted(item.topics.values_list("code", flat=True)) == ["NEW", "OLD"]
    assert [
        (m.order, m.name, m.material_type, m.form, m.paper_copies)
        for m in item.materials.order_by("order")
    ] == [(1, "申请表", "2", "1", 1), (2, "身份证", "1", "3", 2)]
    assert [(f.name, f.standard, f.basis, f.reducible) for f in item.fee_items.all()] == [
        ("工本费", "10元", "物价文件", True)
    ]
    assert [(s.order, s.kind, s.name, s.role, s.time_limit) for s in item.steps.all()] == [
        (1, "accept", "窗口受理", "intake_clerk", None),
        (2, "review", "审查", "dept_approver", 3),
        (3, "decide", "决定", "dept_lead", 2),
        (4, "complete", "办结", "dept_approver", None),
        (5, "deliver", "出件", "output_clerk", None),
    ]
    new_topic = LifeEventTopic.objects.get(code="NEW")
    assert (new_topic.name, new_topic.audience, new_topic.order) == ("新主题", "legal", 3)

    draft = ServiceItem.objects.get(implementation_code=code2)
    assert draft.status == ItemStatus.DRAFT
    assert draft.version == 0
    assert list(draft.joint_departments.all()) == [joint]
    # No step rows: the standard process of an instant item.
    assert [(s.kind, s.role) for s in draft.steps.all()] == [
        (spec["kind"], spec["role"]) for spec in default_steps(draft)
    ]
    assert AuditLog.objects.filter(action="catalog.import", actor=admin).count() == 1


@pytest.mark.django_db
def test_codes_given_as_chinese_names_are_accepted():
    department = DepartmentFactory()
    row = item_row(
        department,
        7,
        item_type="行政许可",
        exercise_level="县（区）",
        status="已发布",
        service_objects="自然人、企业法人",
        case_type="承诺件",
        statutory_limit_unit="工作日",
        promised_limit_unit="1 工作日",
        result_type="证照",
        handled_at_levels="区级，街道",
        charges_fee="否",
        is_online="0",
        accepts_post="FALSE",
        department=department.uscc,
    )
    code = row["implementation_code"]
    data = build_workbook(
        items=[row],
        materials=[material_row(code, material_type="申请表格文书", form="纸质", necessity="必要")],
        steps=[
            {"implementation_code": code, "kind": kind, "name": name, "role": role}
            for kind, name, role in (
                ("受理", "受理", "综合窗口"),
                ("审查", "审查", "审批人"),
                ("审批", "审批", "部门负责人"),
                ("办结", "办结", "审批人"),
                ("送达", "送达", "出件窗口"),
            )
        ],
    )
    plan = catalog_import_check(workbook=data)
    assert plan.errors == []
    catalog_import_apply(plan=plan, actor=None)
    item = ServiceItem.objects.get(implementation_code=code)
    assert (item.item_type, item.exercise_level, item.case_type, item.result_type) == (
        "01",
        "4",
        "2",
        "1",
    )
    assert item.status == ItemStatus.PUBLISHED
    assert item.service_objects == ["1", "2"]
    assert item.handled_at_levels == ["district_hall", "street_centre"]
    assert item.promised_limit_unit == "1"
    assert [(m.material_type, m.form, m.necessity) for m in item.materials.all()] == [
        ("2", "1", "1")
    ]
    assert [s.kind for s in item.steps.all()] == list(StepKind.values)


@pytest.mark.django_db
def test_numbers_typed_as_numbers_in_code_columns_are_accepted():
    department = DepartmentFactory()
    row = item_row(department, 8, item_type=1, exercise_level=4, case_type=2.0)
    data = build_workbook(
        items=[row], materials=[material_row(row["implementation_code"], material_type=2, form=1)]
    )
    plan = catalog_import_check(workbook=data)
    assert plan.errors == []
    assert plan.items[0].fields["item_type"] == "01"
    assert plan.items[0].fields["case_type"] == "2"


# --- re-import ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reimport_of_a_published_item_with_changes_records_a_new_version():
    item = create_item()
    assert item.version == 1
    wb = load_workbook(io.BytesIO(catalog_export()))
    name_column = [c.key for c in ITEMS.columns].index("name") + 1
    wb["事项 Items"].cell(row=2, column=name_column).value = "改过名的事项"
    buffer = io.BytesIO()
    wb.save(buffer)

    plan = catalog_import_check(workbook=buffer.getvalue())
    assert plan.errors == []
    summary = catalog_import_apply(plan=plan, actor=None)

    assert summary["updated"] == 1
    assert summary["new_versions"] == 1
    item.refresh_from_db()
    assert item.name == "改过名的事项"
    assert item.version == 2
    assert list(item.versions.values_list("number", flat=True)) == [2, 1]
    assert item.versions.get(number=2).snapshot["name"] == "改过名的事项"


@pytest.mark.django_db
def test_published_item_cannot_be_turned_back_into_a_draft_by_import():
    item = create_item()
    row = item_row(
        item.department,
        1,
        implementation_code=item.implementation_code,
        basic_code=item.basic_code,
        status="draft",
    )
    data = build_workbook(items=[row], materials=[material_row(item.implementation_code)])
    plan = catalog_import_check(workbook=data)
    assert located(plan) == {
        ("事项 Items", 2, "H 事项状态 / status", "status", "status_not_allowed")
    }
    # An empty status keeps the stored one.
    row["status"] = None
    data = build_workbook(items=[row], materials=[material_row(item.implementation_code)])
    plan = catalog_import_check(workbook=data)
    assert plan.errors == []
    assert plan.items[0].status == ItemStatus.PUBLISHED


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_broken_workbook_lists_every_error_where_it_is_and_writes_nothing():
    department = DepartmentFactory()
    good = item_row(department, 1)
    bad_cells = item_row(
        department,
        2,
        name="",
        item_type="99",
        statutory_limit="二十",
        department="不存在的部门",
        topics="NOPE",
        handled_in_regions="440103999000",
        charges_fee="也许",
    )
    duplicate = item_row(department, 1, name="重复")
    rule_breaker = item_row(department, 3, visit_reason="", charges_fee="是")
    code1, code3 = good["implementation_code"], rule_breaker["implementation_code"]
    data = build_workbook(
        items=[good, bad_cells, duplicate, rule_breaker],
        materials=[
            material_row(code1),
            material_row(code1, name="身份证", material_type="1", paper_copies=0),
            material_row("000000000999XXXXXXXXXXXXXXXXXX"),
            material_row(code3, necessity="3"),
            material_row(
                code3, name="照片", necessity="3", material_type="1", form="2", paper_copies=2
            ),
        ],
        steps=[
            {"implementation_code": code3, "kind": "accept", "name": "受理", "role": "dept_lead"}
        ],
    )
    before = counts()
    plan = catalog_import_check(workbook=data)

    assert located(plan) == {
        ("事项 Items", 3, "D 事项名称 / name", "name", "required"),
        ("事项 Items", 3, "F 事项类型 / item_type", "item_type", "invalid_code"),
        ("事项 Items", 3, "K 实施主体 / department", "department", "unknown_department"),
        ("事项 Items", 3, "T 法定办结时限 / statutory_limit", "statutory_limit", "invalid_number"),
        ("事项 Items", 3, "AD 是否收费 / charges_fee", "charges_fee", "invalid_boolean"),
        (
            "事项 Items",
            3,
            "AN 通办区域 / handled_in_regions",
            "handled_in_regions",
            "unknown_region",
        ),
        ("事项 Items", 3, "AW 主题分类 / topics", "topics", "unknown_topic"),
        ("事项 Items", 4, "A 实施编码 / implementation_code", "implementation_code", "duplicate"),
        ("事项 Items", 5, "AA 到现场原因 / visit_reason", "visit_reason", "required"),
        ("事项 Items", 5, "AE 收费依据 / fee_basis", "fee_basis", "required"),
        ("事项 Items", 5, "AD 是否收费 / charges_fee", "fee_items", "required"),
        ("材料 Materials", 3, "G 纸质份数 / paper_copies", "materials[1].paper_copies", "required"),
        (
            "材料 Materials",
            4,
            "A 实施编码 / implementation_code",
            "implementation_code",
            "unknown_item",
        ),
        (
            "材料 Materials",
            5,
            "F 材料必要性 / necessity",
            "materials[0].necessity",
            "form_not_deferrable",
        ),
        (
            "材料 Materials",
            6,
            "G 纸质份数 / paper_copies",
            "materials[1].paper_copies",
            "electronic_with_copies",
        ),
        ("环节 Steps", 2, None, "steps", "licensing_minimum_steps"),
        ("环节 Steps", 2, "E 办理角色 / role", "steps[0].role", "role_not_allowed"),
    }
    # Every error renders in both languages and names its place.
    first = plan.errors[0].as_dict()
    assert first["sheet"] == "事项 Items"
    assert first["message"] and first["message_en"]
    with pytest.raises(ValidationFailed):
        catalog_import_apply(plan=plan, actor=None)
    assert counts() == before


@pytest.mark.django_db
def test_not_an_xlsx_file_is_rejected():
    plan = catalog_import_check(workbook=b"name,code\n")
    assert located(plan) == {(None, None, None, "file", "unreadable")}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("hello.txt", "not a workbook")
    plan = catalog_import_check(workbook=archive.getvalue())
    assert located(plan) == {(None, None, None, "file", "unreadable")}


@pytest.mark.django_db
def test_missing_sheet_and_bad_headers_are_listed():
    department = DepartmentFactory()
    data = build_workbook(items=[item_row(department, 1)], drop_sheets=("收费 Fees",))
    wb = load_workbook(io.BytesIO(data))
    ws = wb["材料 Materials"]
    ws["C1"] = "材料名字"  # unknown; 材料名称 / name is then missing
    buffer = io.BytesIO()
    wb.save(buffer)
    plan = catalog_import_check(workbook=buffer.getvalue())
    assert located(plan) == {
        ("收费 Fees", None, None, "sheet", "missing_sheet"),
        ("材料 Materials", 1, "C 材料名字", "header", "unknown_header"),
        ("材料 Materials", 1, "材料名称 / name", "name", "missing_header"),
    }


@pytest.mark.django_db
def test_workbook_whose_500th_row_is_bad_writes_nothing_and_reports_progress():
    department = DepartmentFactory()
    items = [item_row(department, n) for n in range(1, 500)]
    items[-1]["item_type"] = "行政审批"  # Excel row 500
    materials = [material_row(row["implementation_code"]) for row in items]
    data = build_workbook(items=items, materials=materials)
    before = counts()
    calls: list[tuple[int, int]] = []
    plan = catalog_import_check(workbook=data, progress=lambda p, t: calls.append((p, t)))

    assert located(plan) == {
        ("事项 Items", 500, "F 事项类型 / item_type", "item_type", "invalid_code")
    }
    with pytest.raises(ValidationFailed):
        catalog_import_apply(plan=plan, actor=None)
    assert counts() == before
    assert calls[0] == (0, 998)
    assert calls[-1] == (998, 998)
    processed = [p for p, _t in calls]
    assert all(0 < b - a <= 20 for a, b in itertools.pairwise(processed))


@pytest.mark.django_db
def test_an_error_while_applying_rolls_back_everything():
    department = DepartmentFactory()
    rows = [item_row(department, n) for n in (1, 2, 3)]
    data = build_workbook(
        items=rows, materials=[material_row(r["implementation_code"]) for r in rows]
    )
    plan = catalog_import_check(workbook=data)
    assert plan.errors == []
    # Between the check and the apply, someone stores an item with the third code.
    create_item(department=department, basic_code="000000000003")
    before = counts()

    with pytest.raises(ValidationFailed) as caught:
        catalog_import_apply(plan=plan, actor=None)

    assert counts() == before
    assert [(e.sheet, e.row, e.field) for e in caught.value.errors] == [
        ("事项 Items", 4, "implementation_code")
    ]


# --- jobs and commands ----------------------------------------------------------------------


def _upload(data: bytes, name: str = "catalogue.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.django_db
def test_import_job_runs_and_records_progress_and_summary(django_capture_on_commit_callbacks):
    admin = staff_with_role(Role.ADMIN)
    department = DepartmentFactory()
    rows = [item_row(department, n) for n in range(1, 31)]
    data = build_workbook(
        items=rows, materials=[material_row(r["implementation_code"]) for r in rows]
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = catalog_import_start(uploaded_file=_upload(data), actor=admin)
    job.refresh_from_db()

    assert job.status == ImportStatus.DONE
    assert (job.processed_rows, job.total_rows) == (60, 60)
    assert job.percent == 100
    assert job.errors == []
    assert job.summary["created"] == 30
    assert job.summary["published"] == 30
    assert job.finished_at is not None
    assert ServiceItem.objects.count() == 30
    assert AuditLog.objects.filter(action="catalog.import_start", actor=admin).count() == 1


@pytest.mark.django_db
def test_import_job_with_errors_stores_them_and_writes_nothing(
    django_capture_on_commit_callbacks,
):
    admin = staff_with_role(Role.ADMIN)
    department = DepartmentFactory()
    row = item_row(department, 1, case_type="即办")
    data = build_workbook(items=[row], materials=[material_row(row["implementation_code"])])
    with django_capture_on_commit_callbacks(execute=True):
        job = catalog_import_start(uploaded_file=_upload(data), actor=admin)
    job.refresh_from_db()

    assert job.status == ImportStatus.FAILED
    assert (job.processed_rows, job.total_rows) == (2, 2)
    assert len(job.errors) == 1
    error = job.errors[0]
    assert (error["sheet"], error["row"], error["column"], error["field"], error["code"]) == (
        "事项 Items",
        2,
        "Q 办件类型 / case_type",
        "case_type",
        "invalid_code",
    )
    assert "即办" in error["message_en"]
    assert ServiceItem.objects.count() == 0


@pytest.mark.django_db
def test_import_start_refuses_other_files_and_roles():
    admin = staff_with_role(Role.ADMIN)
    with pytest.raises(ValidationFailed) as caught:
        catalog_import_start(uploaded_file=_upload(b"a,b", "catalogue.csv"), actor=admin)
    assert [e.code for e in caught.value.errors] == ["not_xlsx"]
    with pytest.raises(ValidationFailed) as caught:
        catalog_import_start(uploaded_file=_upload(b"a,b"), actor=admin)
    assert [e.code for e in caught.value.errors] == ["not_xlsx"]
    lead = staff_with_role(Role.DEPT_LEAD, department=DepartmentFactory())
    from onewindow.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        catalog_import_start(uploaded_file=_upload(catalog_template()), actor=lead)
    assert CatalogImportJob.objects.count() == 0


@pytest.mark.django_db
def test_import_start_refuses_a_file_over_20_mb():
    admin = staff_with_role(Role.ADMIN)
    big = _upload(b"PK\x03\x04" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as caught:
        catalog_import_start(uploaded_file=big, actor=admin)
    assert [e.code for e in caught.value.errors] == ["too_large"]
    assert CatalogImportJob.objects.count() == 0


@pytest.mark.django_db
def test_import_and_export_commands(tmp_path, capsys):
    item = create_item()
    exported = tmp_path / "out.xlsx"
    call_command("export_catalog", str(exported))
    plan = catalog_import_check(workbook=exported.read_bytes())
    assert [p.implementation_code for p in plan.items] == [item.implementation_code]

    call_command("import_catalog", str(exported))
    assert "updated=1" in capsys.readouterr().out

    department = DepartmentFactory()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        build_workbook(items=[item_row(department, 5, item_type="99"), item_row(department, 6)])
    )
    before = counts()
    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", str(bad))
    assert caught.value.returncode == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("[事项 Items 行/row 2 列/column F 事项类型 / item_type] item_type:")
    assert lines[1].startswith("[事项 Items 行/row 3] materials:")
    assert counts() == before


@pytest.mark.django_db
def test_export_reads_a_fixed_number_of_queries(django_assert_max_num_queries):
    for _n in range(6):
        create_item()
    with django_assert_max_num_queries(10):
        data = catalog_export()
    assert len(catalog_import_check(workbook=data).items) == 6


@pytest.mark.django_db
def test_readme_sheet_is_optional_and_empty_rows_are_skipped():
    department = DepartmentFactory()
    row = item_row(department, 1)
    data = build_workbook(
        items=[{}, row, {}],
        materials=[material_row(row["implementation_code"])],
        drop_sheets=(README_SHEET_NAME,),
    )
    plan = catalog_import_check(workbook=data)
    assert plan.errors == []
    assert [(p.row, p.implementation_code) for p in plan.items] == [(3, row["implementation_code"])]


@pytest.mark.django_db
def test_a_second_run_of_a_job_another_run_finished_leaves_it_alone(
    monkeypatch, django_capture_on_commit_callbacks
):
    """A redelivered task finds the job finished under it: no crash, the first result stays."""
    from onewindow.catalog import excel
    from onewindow.catalog.tasks import catalog_import_run

    admin = staff_with_role(Role.ADMIN)
    department = DepartmentFactory()
    row = item_row(department, 1, case_type="即办")
    data = build_workbook(items=[row], materials=[material_row(row["implementation_code"])])
    job = catalog_import_start(uploaded_file=_upload(data), actor=admin)  # not run: no commit
    real_check = excel.catalog_import_check

    def check_while_another_run_finishes(**kwargs):
        plan = real_check(**kwargs)
        CatalogImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE, summary={"created": 7}
        )
        return plan

    monkeypatch.setattr(excel, "catalog_import_check", check_while_another_run_finishes)
    catalog_import_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.summary, job.errors) == (ImportStatus.DONE, {"created": 7}, [])
    assert list(job.events.values_list("action", flat=True)) == ["start"]
