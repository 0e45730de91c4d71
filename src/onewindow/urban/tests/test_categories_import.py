"""The grid categories workbook: a good one stored exactly and read back unchanged; a bad one
rejected whole, every problem located by sheet, row and column, nothing written."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest

from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.models import AuditLog
from onewindow.hotline.codes import UnitKind
from onewindow.org.models import Role
from onewindow.testing.factories import DepartmentFactory, StreetFactory, staff_with_role
from onewindow.testing.grid_factories import unit_make
from onewindow.urban.models import Category, CategoryStage, CategoryUnit
from onewindow.urban.services import categories as service
from onewindow.urban.services.categories import (
    CategoryImportResult,
    categories_export,
    categories_import,
    categories_write_from_data,
)

pytestmark = pytest.mark.django_db

MAJOR_HEAD = ["类型 / kind", "代码 / code", "名称 / name"]
SUB_HEAD = [
    "类型 / kind",
    "代码 / code",
    "名称 / name",
    "立案条件 / filing_condition",
    "结案条件 / closing_condition",
    "关键词 / keywords",
    "综合执法 / enforcement",
]
UNIT_HEAD = ["小类代码 / category", "街道代码 / street", "单位名称 / department", "顺序 / order"]
STAGE_HEAD = ["小类代码 / category", "顺序 / order", "阶段 / name", "时限 / limit", "单位 / unit"]
SHAMIAN = "440103001000"


@dataclass
class Scene:
    admin: Any
    chief: Any
    sanitation: Any
    cgj: Any
    team: Any


def scene_make() -> Scene:
    street = StreetFactory(code=SHAMIAN, name="沙面街道")
    return Scene(
        admin=staff_with_role(Role.ADMIN),
        chief=staff_with_role(Role.GRID_CHIEF),
        sanitation=unit_make(kind=UnitKind.STREET, region=street, name="沙面街道环卫站"),
        cgj=unit_make(kind=UnitKind.FUNCTIONAL, name="荔湾区城市管理和综合执法局"),
        team=unit_make(kind=UnitKind.ENFORCEMENT, name="荔湾区综合行政执法队"),
    )


@pytest.fixture
def scene() -> Scene:
    return scene_make()


def good_sheets() -> dict[str, list[list[Any]]]:
    return {
        "大类": [
            MAJOR_HEAD,
            ["部件", "01", "公用设施"],
            ["事件", "01", "市容环境"],
            ["事件", "03", "施工管理"],
        ],
        "小类": [
            SUB_HEAD,
            ["部件", "0101", "井盖破损", "井盖破损、缺失或移位", "井盖完好归位", "井盖 窨井", "否"],
            [
                "事件",
                "0101",
                "暴露垃圾",
                "道路、广场上有暴露垃圾\n面积大于 0.5 平方米",
                "垃圾清理干净",
                "垃圾",
                "否",
            ],
            ["事件", "0301", "违法建设", "正在搭建的违法建设", "违法建设已拆除", "违建", "是"],
        ],
        "责任单位": [
            UNIT_HEAD,
            ["C0101", "", "荔湾区城市管理和综合执法局", 1],
            ["E0101", SHAMIAN, "沙面街道环卫站", 1],
            ["E0101", "", "荔湾区城市管理和综合执法局", 2],
            ["E0301", "", "荔湾区综合行政执法队", 1],
        ],
        "时限": [
            STAGE_HEAD,
            ["C0101", 1, "处置", 2, "工作日"],
            ["E0101", 1, "处置", 4, "工作时"],
            ["E0301", 1, "停工", 4, "工作时"],
            ["E0301", 2, "处罚", 7, "工作日"],
            ["E0301", 3, "拆除", 20, "工作日"],
        ],
    }


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def stored() -> dict[str, Any]:
    """Everything the import writes, in a comparable form."""
    return {
        "categories": sorted(
            Category.objects.values_list(
                "kind",
                "code",
                "name",
                "parent__code",
                "filing_condition",
                "closing_condition",
                "keywords",
                "enforcement",
                "is_active",
            )
        ),
        "units": sorted(
            CategoryUnit.objects.values_list(
                "category__code", "region__code", "department__name", "order"
            ),
            key=str,
        ),
        "stages": sorted(
            CategoryStage.objects.values_list("category__code", "order", "name", "limit", "unit")
        ),
    }


def test_a_good_workbook_is_stored_exactly(scene):
    result = categories_import(actor=scene.admin, data=workbook(good_sheets()))
    assert result == CategoryImportResult(
        majors=3, subclasses=3, units=4, stages=5, created=6, updated=0, deactivated=0
    )
    assert stored() == {
        "categories": [
            ("component", "C01", "公用设施", None, "", "", "", False, True),
            (
                "component",
                "C0101",
                "井盖破损",
                "C01",
                "井盖破损、缺失或移位",
                "井盖完好归位",
                "井盖 窨井",
                False,
                True,
            ),
            ("event", "E01", "市容环境", None, "", "", "", False, True),
            (
                "event",
                "E0101",
                "暴露垃圾",
                "E01",
                "道路、广场上有暴露垃圾\n面积大于 0.5 平方米",
                "垃圾清理干净",
                "垃圾",
                False,
                True,
            ),
            ("event", "E03", "施工管理", None, "", "", "", False, True),
            (
                "event",
                "E0301",
                "违法建设",
                "E03",
                "正在搭建的违法建设",
                "违法建设已拆除",
                "违建",
                True,
                True,
            ),
        ],
        "units": sorted(
            [
                ("C0101", None, "荔湾区城市管理和综合执法局", 1),
                ("E0101", SHAMIAN, "沙面街道环卫站", 1),
                ("E0101", None, "荔湾区城市管理和综合执法局", 2),
                ("E0301", None, "荔湾区综合行政执法队", 1),
            ],
            key=str,
        ),
        "stages": [
            ("C0101", 1, "处置", 2, "1"),
            ("E0101", 1, "处置", 4, "wh"),
            ("E0301", 1, "停工", 4, "wh"),
            ("E0301", 2, "处罚", 7, "1"),
            ("E0301", 3, "拆除", 20, "1"),
        ],
    }
    log = AuditLog.objects.get(action="urban.categories_import")
    assert log.actor_id == scene.admin.pk
    assert log.detail["subclasses"] == 3


def test_export_and_import_again_changes_nothing(scene):
    categories_import(actor=scene.admin, data=workbook(good_sheets()))
    before = stored()
    exported = categories_export(actor=scene.admin)
    wb = openpyxl.load_workbook(io.BytesIO(exported))
    assert wb.sheetnames == ["说明", "大类", "小类", "责任单位", "时限"]
    assert [list(r) for r in wb["大类"].iter_rows(values_only=True)] == [
        MAJOR_HEAD,
        ["部件", "01", "公用设施"],
        ["事件", "01", "市容环境"],
        ["事件", "03", "施工管理"],
    ]
    assert list(wb["时限"].iter_rows(values_only=True))[1:3] == [
        ("C0101", 1, "处置", 2, "工作日"),
        ("E0101", 1, "处置", 4, "工作时"),
    ]
    result = categories_import(actor=scene.admin, data=exported)
    assert (result.created, result.updated, result.deactivated) == (0, 6, 0)
    assert stored() == before
    # The export of the re-import is the same workbook, cell for cell.
    again = openpyxl.load_workbook(io.BytesIO(categories_export(actor=scene.admin)))
    for name in wb.sheetnames:
        assert list(again[name].iter_rows(values_only=True)) == list(
            wb[name].iter_rows(values_only=True)
        )
    assert AuditLog.objects.filter(action="urban.categories_export").count() == 2


def test_a_category_left_out_is_deactivated_and_back_when_listed_again(scene):
    categories_import(actor=scene.admin, data=workbook(good_sheets()))
    sheets = good_sheets()
    sheets["小类"] = sheets["小类"][:3]  # no 违法建设
    sheets["大类"] = sheets["大类"][:3]
    sheets["责任单位"] = sheets["责任单位"][:4]
    sheets["时限"] = sheets["时限"][:3]
    result = categories_import(actor=scene.admin, data=workbook(sheets))
    assert result.deactivated == 2
    assert sorted(Category.objects.filter(is_active=False).values_list("code", flat=True)) == [
        "E03",
        "E0301",
    ]
    # Its stages are kept for the record; listed again, it is active with the new ones.
    assert CategoryStage.objects.filter(category__code="E0301").count() == 3
    categories_import(actor=scene.admin, data=workbook(good_sheets()))
    assert not Category.objects.filter(is_active=False).exists()


def test_codes_written_as_numbers_or_with_their_letter_and_bare_digits_are_read(scene):
    sheets = good_sheets()
    sheets["大类"][1][1] = 1  # Excel made "01" a number
    sheets["小类"][1][1] = "C0101"
    sheets["小类"][3][1] = 301
    sheets["时限"][1][0] = "0101"  # ambiguous: a component and an event
    sheets["时限"][1] = ["C0101", 1, "处置", 2, "工作日"]
    sheets["时限"][3][0] = "0301"  # only one subclass has these digits
    categories_import(actor=scene.admin, data=workbook(sheets))
    assert set(Category.objects.values_list("code", flat=True)) == {
        "C01",
        "C0101",
        "E01",
        "E0101",
        "E03",
        "E0301",
    }
    assert CategoryStage.objects.filter(category__code="E0301").count() == 3


def edit(sheets: dict[str, list[list[Any]]], sheet: str, row: int, column: int, value: Any) -> None:
    """Set a cell (``row`` and ``column`` numbered from 1, as in Excel)."""
    sheets[sheet][row - 1][column - 1] = value


def only(errors: list[Any]) -> tuple[Any, ...]:
    assert len(errors) == 1, [str(e) for e in errors]
    e = errors[0]
    return (e.sheet, e.row, e.column, e.code)


REJECTIONS = [
    # (what, edit, expected (sheet, row, column, code))
    ("bad kind", ("大类", 2, 1, "构件"), ("大类", 2, "A 类型 / kind", "invalid_code")),
    (
        "duplicate major",
        lambda sheets: sheets["大类"].append(["事件", "03", "施工"]),
        ("大类", 5, "B 代码 / code", "duplicate"),
    ),
    (
        "duplicate subclass",
        lambda sheets: sheets["小类"].append(["事件", "0101", "垃圾", "有", "无", "", "否"]),
        ("小类", 5, "B 代码 / code", "duplicate"),
    ),
    ("blank name", ("大类", 2, 3, "  "), ("大类", 2, "C 名称 / name", "required")),
    (
        "name with a line break",
        ("小类", 2, 3, "井盖\n破损"),
        ("小类", 2, "C 名称 / name", "control_characters"),
    ),
    (
        "condition with a C1 control",
        ("小类", 2, 4, "井盖\x85破损"),
        ("小类", 2, "D 立案条件 / filing_condition", "control_characters"),
    ),
    ("name too long", ("小类", 2, 3, "长" * 65), ("小类", 2, "C 名称 / name", "too_long")),
    (
        "letter of the other kind",
        ("小类", 2, 2, "E0101"),
        ("小类", 2, "B 代码 / code", "kind_mismatch"),
    ),
    (
        "enforcement not yes or no",
        ("小类", 4, 7, "也许"),
        ("小类", 4, "G 综合执法 / enforcement", "invalid_code"),
    ),
    (
        "no unit named so",
        ("责任单位", 2, 3, "荔湾区不存在局"),
        ("责任单位", 2, "C 单位名称 / department", "unknown_department"),
    ),
    (
        "no street with the code",
        ("责任单位", 3, 2, "440103099000"),
        ("责任单位", 3, "B 街道代码 / street", "unknown_street"),
    ),
    (
        "unit listed twice",
        [("责任单位", 3, 2, ""), ("责任单位", 3, 3, "荔湾区城市管理和综合执法局")],
        ("责任单位", 4, "C 单位名称 / department", "duplicate"),
    ),
    (
        "unknown subclass",
        lambda sheets: sheets["时限"].append(["C0199", 1, "处置", 1, "工作日"]),
        ("时限", 7, "A 小类代码 / category", "unknown_subclass"),
    ),
    (
        "name with a tab",
        ("大类", 2, 3, "公用\t设施"),
        ("大类", 2, "C 名称 / name", "control_characters"),
    ),
    (
        "line separator",
        ("小类", 3, 5, "清理\u2028干净"),
        ("小类", 3, "E 结案条件 / closing_condition", "control_characters"),
    ),
    ("ambiguous digits", ("时限", 2, 1, "0101"), ("时限", 2, "A 小类代码 / category", "ambiguous")),
    (
        "minutes are no unit here",
        ("时限", 3, 5, "分钟"),
        ("时限", 3, "E 单位 / unit", "invalid_code"),
    ),
    ("zero limit", ("时限", 3, 4, 0), ("时限", 3, "D 时限 / limit", "invalid_number")),
    ("limit in words", ("时限", 3, 4, "四"), ("时限", 3, "D 时限 / limit", "invalid_number")),
    ("limit too long", ("时限", 3, 4, 1000), ("时限", 3, "D 时限 / limit", "invalid_number")),
    ("fractional limit", ("时限", 3, 4, 1.5), ("时限", 3, "D 时限 / limit", "invalid_number")),
    ("stage twice", ("时限", 6, 2, 2), ("时限", 6, "B 顺序 / order", "duplicate")),
    ("stages with a gap", ("时限", 6, 2, 4), ("小类", 4, "B 代码 / code", "stage_gaps")),
]


@pytest.mark.parametrize(("what", "change", "expected"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_every_rejection_is_located_and_nothing_is_written(scene, what, change, expected):
    categories_import(actor=scene.admin, data=workbook(good_sheets()))
    before = stored()
    sheets = good_sheets()
    if callable(change):
        change(sheets)
    for one in change if isinstance(change, list) else [] if callable(change) else [change]:
        edit(sheets, *one)
    with pytest.raises(ValidationFailed) as caught:
        categories_import(actor=scene.admin, data=workbook(sheets))
    assert caught.value.code == "import_invalid"
    assert only(caught.value.errors) == expected
    assert stored() == before
    assert AuditLog.objects.filter(action="urban.categories_import").count() == 1


def test_rejections_named_by_their_messages(scene):
    sheets = good_sheets()
    edit(sheets, "大类", 4, 2, "031")
    edit(sheets, "责任单位", 3, 2, "")
    edit(sheets, "责任单位", 3, 3, "荔湾区城市管理和综合执法局")
    edit(sheets, "时限", 6, 2, 2)
    with pytest.raises(ValidationFailed) as caught:
        categories_import(actor=scene.admin, data=workbook(sheets))
    found = [(e.sheet, e.row, e.column, e.code) for e in caught.value.errors]
    assert found == [
        ("大类", 4, "B 代码 / code", "invalid_code"),
        # Its major class refused, the subclass has none.
        ("小类", 4, "B 代码 / code", "unknown_major"),
        ("责任单位", 4, "C 单位名称 / department", "duplicate"),
        ("时限", 6, "B 顺序 / order", "duplicate"),
    ]
    texts = [str(e) for e in caught.value.errors]
    assert "031 is not a code of 2 digits." in texts[0]
    assert "This unit is listed for E0101 on row 3 already." in texts[2]
    assert "Stage 2 of E0301 is on row 5 already." in texts[3]
    assert Category.objects.count() == 0


def test_a_subclass_without_stages_or_units_is_refused(scene):
    sheets = good_sheets()
    sheets["时限"] = [r for r in sheets["时限"] if r[0] != "C0101"]
    sheets["责任单位"] = [r for r in sheets["责任单位"] if r[0] != "E0301"]
    with pytest.raises(ValidationFailed) as caught:
        categories_import(actor=scene.admin, data=workbook(sheets))
    assert [(e.sheet, e.row, e.column, e.code) for e in caught.value.errors] == [
        ("小类", 2, "B 代码 / code", "no_stages"),
        ("小类", 4, "B 代码 / code", "no_units"),
    ]
    zh, en = (
        caught.value.errors[0].as_dict()["message"],
        caught.value.errors[0].as_dict()["message_en"],
    )
    assert en == "The subclass C0101 has no time limit on the sheet 时限."
    assert zh != en
    assert Category.objects.count() == 0


def test_a_subclass_needs_its_major_class_on_the_sheet(scene):
    sheets = good_sheets()
    sheets["大类"] = sheets["大类"][:3]
    with pytest.raises(ValidationFailed) as caught:
        categories_import(actor=scene.admin, data=workbook(sheets))
    assert only(caught.value.errors) == ("小类", 4, "B 代码 / code", "unknown_major")


def test_headers_and_sheets_are_checked(scene):
    sheets = good_sheets()
    del sheets["时限"]
    sheets["大类"][0] = ["类型", "代码", "名称", "备注"]
    sheets["小类"][0] = ["类型", "代码", "代码", *SUB_HEAD[3:]]
    with pytest.raises(ValidationFailed) as caught:
        categories_import(actor=scene.admin, data=workbook(sheets))
    assert [(e.sheet, e.row, e.column, e.code) for e in caught.value.errors] == [
        ("大类", 1, "D 备注", "unknown_header"),
        ("小类", 1, "C 代码", "duplicate_header"),
        ("小类", 1, "名称 / name", "missing_header"),
        ("时限", None, None, "missing_sheet"),
    ]
    assert Category.objects.count() == 0


def test_the_chinese_or_english_headers_alone_are_read(scene):
    sheets = good_sheets()
    sheets["大类"][0] = ["类型", "代码", "名称"]
    sheets["时限"][0] = ["category", "order", "name", "limit", "unit"]
    assert categories_import(actor=scene.admin, data=workbook(sheets)).subclasses == 3


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        (b"", None, "required"),
        (b"PK\x03\x04" + b"x" * 100, "text/csv", "not_xlsx"),
        (b"%PDF-1.7 not a workbook", None, "not_xlsx"),
        (b"PK\x03\x04 broken zip", None, "unreadable"),
    ],
)
def test_a_file_that_is_no_workbook_is_refused(scene, data, content_type, code):
    with pytest.raises(ValidationFailed) as caught:
        categories_import(actor=scene.admin, data=data, content_type=content_type)
    assert caught.value.code == "bad_upload"
    assert [e.code for e in caught.value.errors] == [code]
    assert Category.objects.count() == 0


def test_a_file_over_the_limit_is_refused(scene, monkeypatch):
    data = workbook(good_sheets())
    monkeypatch.setattr(service, "MAX_WORKBOOK_BYTES", len(data) - 1)
    with pytest.raises(ValidationFailed) as caught:
        categories_import(
            actor=scene.admin,
            data=data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    assert [e.code for e in caught.value.errors] == ["too_large"]


def test_a_zip_that_is_not_a_workbook_is_refused(scene):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ValidationFailed) as caught:
        categories_import(actor=scene.admin, data=out.getvalue())
    assert [e.code for e in caught.value.errors] == ["unreadable"]


def test_only_the_administrator_imports_and_exports(scene):
    data = workbook(good_sheets())
    for actor in (scene.chief, staff_with_role(Role.GRID_DISPATCHER)):
        with pytest.raises(PermissionDenied):
            categories_import(actor=actor, data=data)
        with pytest.raises(PermissionDenied):
            categories_export(actor=actor)
        with pytest.raises(PermissionDenied):
            categories_write_from_data(actor=actor, data={})
    assert Category.objects.count() == 0
    assert AuditLog.objects.filter(action="denied:urban.manage").count() == 6
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        categories_import(actor=AnonymousUser(), data=b"")


def test_data_is_checked_the_same_and_located_by_position(scene):
    data = {
        "majors": [{"kind": "event", "code": "01", "name": "市容环境"}],
        "subclasses": [
            {
                "kind": "事件",
                "code": "0101",
                "name": "暴露垃圾",
                "filing_condition": "有暴露垃圾",
                "closing_condition": "清理干净",
                "enforcement": False,
            },
            {
                "kind": "事件",
                "code": "0102",
                "name": "乱堆物堆料",
                "filing_condition": "占道堆放",
                "closing_condition": "清理干净",
                "enforcement": "否",
            },
        ],
        "units": [
            {"category": "E0101", "street": SHAMIAN, "department": "沙面街道环卫站"},
            {"category": "E0102", "department": "荔湾区没有这个局"},
        ],
        "stages": [
            {"category": "E0101", "order": 1, "name": "处置", "limit": 4, "unit": "wh"},
            {"category": "E0102", "order": 1, "name": "处置", "limit": 1, "unit": "工作日"},
        ],
    }
    with pytest.raises(ValidationFailed) as caught:
        categories_write_from_data(actor=None, data=data)
    (error,) = caught.value.errors
    assert (error.field, error.sheet, error.row, error.column, error.code) == (
        "units[1].department",
        "责任单位",
        2,
        "单位名称",
        "unknown_department",
    )
    assert Category.objects.count() == 0
    data["units"][1]["department"] = scene.cgj.uscc  # by credit code
    result = categories_write_from_data(actor=None, data=data)
    assert (result.subclasses, result.units, result.stages) == (2, 2, 2)
    assert CategoryUnit.objects.get(category__code="E0102").department == scene.cgj
    bad = categories_write_from_data
    with pytest.raises(ValidationFailed) as caught:
        bad(actor=scene.admin, data={"majors": [{"kind": "event", "code": "02", "colour": "红"}]})
    assert [e.field for e in caught.value.errors] == ["majors[0]"]
    data["subclasses"][0]["name"] = "暴露\x00垃圾"
    data["subclasses"][1]["keywords"] = ["垃圾"]
    with pytest.raises(ValidationFailed) as caught:
        bad(actor=scene.admin, data=data)
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("subclasses[0].name", "control_characters"),
        ("subclasses[1].keywords", "invalid"),
    ]
    assert CategoryUnit.objects.get(category__code="E0102").department == scene.cgj


def test_an_inactive_department_is_not_a_unit(scene):
    gone = DepartmentFactory(name="荔湾区已撤销局", is_active=False)
    sheets = good_sheets()
    edit(sheets, "责任单位", 2, 3, gone.name)
    with pytest.raises(ValidationFailed) as caught:
        categories_import(actor=scene.admin, data=workbook(sheets))
    assert only(caught.value.errors)[3] == "unknown_department"
