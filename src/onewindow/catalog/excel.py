"""The catalogue as an .xlsx workbook: template, export, and a check-then-apply import.

The workbook layout is declared once, in ``SHEETS``: every sheet, every column, its bilingual
header ("中文 / english_key"), what it holds and whether it is required. The template, the
export, the read-me sheet, the importer and ``docs/catalog-workbook.md`` all follow it.

Import runs in two steps so that a bad file is rejected whole:

1. ``catalog_import_check`` reads everything and collects every problem as a ``FieldError``
   located by sheet, Excel row number and column (letter and header), including every
   consistency rule of ``rules.item_rules_check``. It writes nothing.
2. ``catalog_import_apply`` stores a plan without errors in one transaction through
   ``services.item_save`` / ``item_publish``: all items and topics, or nothing.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from onewindow.catalog.codes import (
    Audience,
    CaseType,
    ExerciseLevel,
    ItemStatus,
    ItemType,
    MaterialForm,
    MaterialNecessity,
    MaterialType,
    OnlineDepth,
    ResultType,
    ServiceObject,
    StepKind,
    TimeUnit,
)
from onewindow.catalog.models import (
    FeeItem,
    LifeEventTopic,
    Material,
    ProcessStep,
    ServiceItem,
)
from onewindow.catalog.rules import item_rules_check
from onewindow.catalog.services import ItemContent, item_publish, item_save
from onewindow.core.audit import audit_record
from onewindow.core.errors import FieldError, ValidationFailed, bilingual
from onewindow.org.models import CentreLevel, Department, Region, Role

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 20
SPLIT_RE = re.compile(r"[,，、]")

# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------

TEXT, INT, BOOL, DATE = "text", "int", "bool", "date"
CODE, CODES = "code", "codes"
DEPARTMENT, DEPARTMENTS, REGIONS, TOPICS, ITEM_REF = (
    "department",
    "departments",
    "regions",
    "topics",
    "item_ref",
)
MULTI_KINDS = {CODES, DEPARTMENTS, REGIONS, TOPICS}

KIND_NOTES: dict[str, Promise] = {
    TEXT: _("Text."),
    INT: _("A whole number, 0 or more."),
    BOOL: _("是 or 否 (also Y/N, 1/0, TRUE/FALSE)."),
    DATE: _("A date, YYYY-MM-DD."),
    CODE: _("One code, or its Chinese name; see the code lists below."),
    CODES: _("Several codes or Chinese names, separated by , ， or 、."),
    DEPARTMENT: _("A department: its full name or its unified social credit code."),
    DEPARTMENTS: _(
        "Departments by full name or unified social credit code, separated by , ， or 、."
    ),
    REGIONS: _("12-digit division codes, separated by , ， or 、; empty means everywhere."),
    TOPICS: _("Life-event topic codes or names (from the Topics sheet or already stored)."),
    ITEM_REF: _("The implementation code of an item on the Items sheet."),
}

# The Chinese names of the national code values (STANDARDS.md), and of OneWindow's own code
# lists. They are part of the exchange format, not of the interface, so they are not
# translated; the first name of each code is the one the template offers.
CHINESE_NAMES: dict[type[models.TextChoices], dict[str, tuple[str, ...]]] = {
    ItemType: {
        "01": ("行政许可",),
        "02": ("行政处罚",),
        "03": ("行政强制",),
        "04": ("行政征收",),
        "05": ("行政给付",),
        "06": ("行政检查",),
        "07": ("行政确认",),
        "08": ("行政奖励",),
        "09": ("行政裁决",),
        "10": ("其他行政权力",),
        "20": ("公共服务", "11"),
        "12": ("审核转报",),
    },
    ExerciseLevel: {
        "1": ("国家", "国家级"),
        "2": ("省", "省级"),
        "3": ("市", "市级"),
        "4": ("县(区)", "县（区）", "县", "区", "县级", "区级"),
        "5": ("乡镇/街道", "乡镇", "街道", "乡镇级"),
        "6": ("村/社区", "村", "社区"),
        "7": ("分级管理",),
    },
    ServiceObject: {
        "1": ("自然人",),
        "2": ("企业法人",),
        "3": ("事业法人",),
        "4": ("社会组织法人",),
        "5": ("非法人企业",),
        "6": ("行政机关",),
        "9": ("其他组织",),
    },
    CaseType: {"1": ("即办件",), "2": ("承诺件",)},
    TimeUnit: {
        "1": ("工作日",),
        "2": ("自然日",),
        "3": ("小时",),
        "4": ("分钟",),
        "5": ("月",),
    },
    MaterialNecessity: {"1": ("必要",), "2": ("非必要",), "3": ("容缺后补", "容缺")},
    MaterialType: {"1": ("证件证书证明",), "2": ("申请表格文书",), "3": ("其他",)},
    MaterialForm: {"1": ("纸质",), "2": ("电子化", "电子"), "3": ("纸质/电子化",)},
    OnlineDepth: {
        "1": ("互联网咨询",),
        "2": ("收件",),
        "3": ("预审",),
        "4": ("受理",),
        "5": ("办理",),
        "6": ("结果信息反馈",),
        "7": ("电子证照反馈",),
        "8": ("其他",),
    },
    ResultType: {"1": ("证照",), "2": ("批文",), "3": ("其他",)},
    StepKind: {
        "accept": ("受理",),
        "review": ("审查",),
        "decide": ("审批", "决定"),
        "complete": ("办结",),
        "deliver": ("送达", "出件"),
    },
    ItemStatus: {
        "draft": ("草稿",),
        "published": ("已发布", "发布"),
        "cancelled": ("已取消", "取消"),
    },
    Audience: {"natural": ("自然人", "个人"), "legal": ("法人", "企业")},
    CentreLevel: {
        "district_hall": ("区政务服务中心", "区级", "区"),
        "street_centre": ("街道便民服务中心", "街道", "镇街"),
        "community_point": ("社区服务站", "社区", "村居"),
        "kiosk": ("自助终端",),
    },
    Role: {
        "intake_clerk": ("综合窗口",),
        "output_clerk": ("出件窗口",),
        "dept_approver": ("审批人",),
        "dept_lead": ("部门负责人",),
        "centre_manager": ("政务办",),
        "hotline_agent": ("热线坐席",),
        "grid_worker": ("网格员",),
        "auditor": ("审计员",),
        "admin": ("管理员",),
    },
}


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    kind: str = TEXT
    required: bool = False
    choices: type[models.TextChoices] | None = None
    # The model field the column fills, when it is not ``key`` (``None``: no model field).
    model_field: str | None = ""

    @property
    def header(self) -> str:
        return f"{self.zh} / {self.key}"


@dataclass(frozen=True)
class SheetLayout:
    key: str
    name: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    description: Promise

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _c(
    key: str,
    zh: str,
    kind: str = TEXT,
    required: bool = False,
    choices: type[models.TextChoices] | None = None,
    model_field: str | None = "",
) -> Column:
    return Column(key, zh, kind, required, choices, model_field)


ITEMS = SheetLayout(
    "items",
    "事项 Items",
    ServiceItem,
    (
        _c("implementation_code", "实施编码", required=True),
        _c("basic_code", "基本编码", required=True),
        _c("business_code", "业务办理项编码"),
        _c("name", "事项名称", required=True),
        _c("name_en", "英文名称"),
        _c("item_type", "事项类型", CODE, True, ItemType),
        _c("exercise_level", "行使层级", CODE, True, ExerciseLevel),
        _c("status", "事项状态", CODE, False, ItemStatus),
        _c("effective_date", "生效日期", DATE),
        _c("cancel_date", "取消日期", DATE),
        _c("department", "实施主体", DEPARTMENT, True),
        _c("entrusted_department", "委托部门"),
        _c("power_source", "权力来源"),
        _c("service_objects", "服务对象", CODES, True, ServiceObject),
        _c("legal_basis", "设定依据", required=True),
        _c("conditions", "受理条件", required=True),
        _c("case_type", "办件类型", CODE, True, CaseType),
        _c("handling_forms", "办理形式"),
        _c("special_procedures", "特别程序"),
        _c("statutory_limit", "法定办结时限", INT, True),
        _c("statutory_limit_unit", "法定时限单位", CODE, False, TimeUnit),
        _c("statutory_limit_note", "法定时限说明"),
        _c("promised_limit", "承诺办结时限", INT, True),
        _c("promised_limit_unit", "承诺时限单位", CODE, False, TimeUnit),
        _c("promised_limit_note", "承诺时限说明"),
        _c("visits", "到办事现场次数", INT),
        _c("visit_reason", "到现场原因"),
        _c("online_pc_url", "在线办理地址（电脑）"),
        _c("online_mobile_url", "在线办理地址（移动）"),
        _c("charges_fee", "是否收费", BOOL),
        _c("fee_basis", "收费依据"),
        _c("is_online", "是否网办", BOOL),
        _c("online_depth", "网上办理深度", CODES, False, OnlineDepth),
        _c("accepts_post", "支持物流快递", BOOL),
        _c("supports_online_payment", "支持网上支付", BOOL),
        _c("supports_appointment", "支持预约", BOOL),
        _c("supports_kiosk", "支持自助终端", BOOL),
        _c("in_hall", "进驻大厅", BOOL),
        _c("handled_at_levels", "通办层级", CODES, True, CentreLevel),
        _c("handled_in_regions", "通办区域", REGIONS),
        _c("joint_departments", "联办机构", DEPARTMENTS),
        _c("intermediary_services", "中介服务"),
        _c("result_type", "审批结果类型", CODE, True, ResultType),
        _c("result_name", "审批结果名称", required=True),
        _c("handling_location", "办理地点"),
        _c("handling_hours", "办理时间"),
        _c("consult_phone", "咨询方式"),
        _c("complaint_phone", "监督投诉方式"),
        _c("topics", "主题分类", TOPICS),
        _c("guide_summary", "一句话说明"),
        _c("guide_you_get", "办成拿到什么"),
        _c("guide_who", "谁可以办"),
        _c("guide_bring", "要带什么"),
        _c("guide_how_long", "要多久"),
        _c("guide_how_much", "要多少钱"),
        _c("keywords", "搜索关键词"),
    ),
    _("One row per service item (implementation list entry)."),
)
MATERIALS = SheetLayout(
    "materials",
    "材料 Materials",
    Material,
    (
        _c("implementation_code", "实施编码", ITEM_REF, True, model_field=None),
        _c("order", "序号", INT),
        _c("name", "材料名称", required=True),
        _c("material_type", "材料类型", CODE, True, MaterialType),
        _c("form", "材料形式", CODE, True, MaterialForm),
        _c("necessity", "材料必要性", CODE, True, MaterialNecessity),
        _c("paper_copies", "纸质份数", INT),
        _c("paper_spec", "纸质规格"),
        _c("source_channel", "来源渠道"),
        _c("acceptance_standard", "受理标准"),
        _c("basis", "要求提供的依据"),
        _c("notes", "填报须知"),
    ),
    _("One row per material of an item, in the order they are listed."),
)
FEES = SheetLayout(
    "fee_items",
    "收费 Fees",
    FeeItem,
    (
        _c("implementation_code", "实施编码", ITEM_REF, True, model_field=None),
        _c("name", "收费项目名称", required=True),
        _c("standard", "收费标准", required=True),
        _c("basis", "收费依据", required=True),
        _c("reducible", "允许减免", BOOL),
    ),
    _("One row per fee item; only for items that charge a fee."),
)
STEPS = SheetLayout(
    "steps",
    "环节 Steps",
    ProcessStep,
    (
        _c("implementation_code", "实施编码", ITEM_REF, True, model_field=None),
        _c("order", "序号", INT),
        _c("kind", "环节类型", CODE, True, StepKind),
        _c("name", "环节名称", required=True),
        _c("role", "办理角色", CODE, True, Role),
        _c("time_limit", "环节时限", INT),
        _c("time_limit_unit", "时限单位", CODE, False, TimeUnit),
    ),
    _("One row per process step. An item without rows here gets the standard process."),
)
TOPICS_SHEET = SheetLayout(
    "topics",
    "主题 Topics",
    LifeEventTopic,
    (
        _c("code", "主题编码", required=True),
        _c("name", "主题名称", required=True),
        _c("name_en", "英文名称"),
        _c("audience", "面向对象", CODE, True, Audience),
        _c("description", "主题说明"),
        _c("order", "排序", INT),
    ),
    _("Life-event topics; a topic is created or updated by its code."),
)
SHEETS: tuple[SheetLayout, ...] = (ITEMS, MATERIALS, FEES, STEPS, TOPICS_SHEET)
README_SHEET_NAME = "说明 Readme"
CHILD_SHEETS = (MATERIALS, FEES, STEPS)
SHEET_ORDER = {sheet.name: index for index, sheet in enumerate(SHEETS)}


def _model_field(sheet: SheetLayout, column: Column) -> Any:
    if column.model_field is None:
        return None
    return sheet.model._meta.get_field(column.model_field or column.key)


def _code_label_zh(choices: type[models.TextChoices], code: str) -> str:
    names = CHINESE_NAMES.get(choices, {}).get(code)
    return names[0] if names else bilingual(choices(code).label)["zh"]


def code_value_table(choices: type[models.TextChoices]) -> list[tuple[str, str, str]]:
    """(code, Chinese name, English name) of every value of a code list."""
    return [
        (code, _code_label_zh(choices, code), bilingual(label)["en"])
        for code, label in choices.choices
    ]


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
VALIDATION_ROWS = 2000


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _append(ws: Any, values: Sequence[Any]) -> None:
    ws.append([_cell_value(v) for v in values])
    for cell in ws[ws.max_row]:
        # Text starting with "=" is data, never a formula.
        if cell.data_type == "f":
            cell.data_type = "s"
        if isinstance(cell.value, datetime.date):
            cell.number_format = "yyyy-mm-dd"


def _dropdown(column: Column) -> str | None:
    if column.kind == BOOL:
        return '"是,否"'
    if column.kind != CODE or column.choices is None:
        return None
    entries = [f"{code} {zh}" for code, zh, _en in code_value_table(column.choices)]
    formula = '"' + ",".join(entries) + '"'
    if len(formula) > 255:  # Excel's limit for an inline list
        formula = '"' + ",".join(code for code, _zh, _en in code_value_table(column.choices)) + '"'
    return formula


def _data_sheet(wb: Workbook, sheet: SheetLayout) -> Any:
    ws = wb.create_sheet(sheet.name)
    ws.append([column.header for column in sheet.columns])
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(14, min(40, len(column.header) + 4))
        formula = _dropdown(column)
        if formula:
            validation = DataValidation(
                type="list", formula1=formula, allow_blank=True, showErrorMessage=False
            )
            validation.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
            ws.add_data_validation(validation)
    ws.freeze_panes = "B2"
    return ws


def _readme_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(README_SHEET_NAME, 0)
    wrap = Alignment(wrap_text=True, vertical="top")
    title = bilingual(_("OneWindow catalogue workbook"))
    ws.append([f"{title['zh']} / {title['en']}"])
    ws["A1"].font = Font(bold=True, size=14)
    intro = bilingual(
        _(
            "Fill one row per item on the Items sheet and reference it by implementation code "
            "on the other sheets. Header row 1 must stay as it is. Required columns have an "
            "orange header. A file with any error is rejected whole, with every error listed; "
            "a correct file is imported in one go. An item with the same implementation code as "
            "a stored one replaces it."
        )
    )
    ws.append([intro["zh"]])
    ws.append([intro["en"]])
    ws.append([])
    headers = [
        _("Sheet"),
        _("Column"),
        _("Required"),
        _("What it holds (Chinese)"),
        _("What it holds (English)"),
    ]
    ws.append([f"{bilingual(h)['zh']} / {bilingual(h)['en']}" for h in headers])
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for sheet in SHEETS:
        text = bilingual(sheet.description)
        ws.append([sheet.name, "", "", text["zh"], text["en"]])
        ws[ws.max_row][0].font = HEADER_FONT
        for column in sheet.columns:
            model_field = _model_field(sheet, column)
            name = bilingual(model_field.verbose_name) if model_field is not None else None
            note = bilingual(KIND_NOTES[column.kind])
            zh = f"{name['zh']}。{note['zh']}" if name else note["zh"]
            en = f"{name['en'][:1].upper()}{name['en'][1:]}. {note['en']}" if name else note["en"]
            if column.choices is not None:
                codes = "; ".join(
                    f"{code} {label}" for code, label, _en in code_value_table(column.choices)
                )
                zh, en = f"{zh} {codes}", f"{en} {codes}"
            ws.append([sheet.name, column.header, "是" if column.required else "", zh, en])
    ws.append([])
    code_title = bilingual(_("Code lists"))
    ws.append([f"{code_title['zh']} / {code_title['en']}"])
    ws[ws.max_row][0].font = HEADER_FONT
    listed: set[type[models.TextChoices]] = set()
    for sheet in SHEETS:
        for column in sheet.columns:
            if column.choices is None or column.choices in listed:
                continue
            listed.add(column.choices)
            for code, zh, en in code_value_table(column.choices):
                ws.append([column.choices.__name__, code, "", zh, en])
    for letter, width in zip("ABCDE", (18, 34, 8, 60, 60), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = wrap


def _workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _new_workbook() -> tuple[Workbook, dict[str, Any]]:
    wb = Workbook()
    wb.remove(wb.active)
    _readme_sheet(wb)
    return wb, {sheet.key: _data_sheet(wb, sheet) for sheet in SHEETS}


def catalog_template() -> bytes:
    """An empty workbook: read-me sheet, every data sheet with its headers and dropdowns."""
    wb, _sheets = _new_workbook()
    return _workbook_bytes(wb)


def _join(values: Iterable[Any]) -> str:
    return ",".join(str(v) for v in values)


def _item_cells(item: ServiceItem) -> list[Any]:
    special = {
        "department": item.department.uscc,
        "service_objects": _join(item.service_objects or []),
        "online_depth": _join(item.online_depth or []),
        "handled_at_levels": _join(item.handled_at_levels or []),
        "handled_in_regions": _join(sorted(r.code for r in item.handled_in_regions.all())),
        "joint_departments": _join(sorted(d.uscc for d in item.joint_departments.all())),
        "topics": _join(sorted(t.code for t in item.topics.all())),
    }
    cells = []
    for column in ITEMS.columns:
        if column.key in special:
            cells.append(special[column.key])
        elif column.kind == BOOL:
            cells.append("是" if getattr(item, column.key) else "否")
        else:
            cells.append(getattr(item, column.key))
    return cells


def _child_cells(sheet: SheetLayout, code: str, child: models.Model) -> list[Any]:
    cells: list[Any] = []
    for column in sheet.columns:
        if column.kind == ITEM_REF:
            cells.append(code)
        elif column.kind == BOOL:
            cells.append("是" if getattr(child, column.key) else "否")
        else:
            cells.append(getattr(child, column.key))
    return cells


def catalog_export(*, items: QuerySet[ServiceItem] | None = None) -> bytes:
    """The catalogue (``items``, default all) and every topic as a workbook.

    Importing the result again reproduces the same item snapshots. Codes are written as
    national codes, departments as unified social credit codes.
    """
    queryset = items if items is not None else ServiceItem.objects.all()
    queryset = (
        queryset.select_related("department")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("order", "id")),
            Prefetch("fee_items", queryset=FeeItem.objects.order_by("id")),
            Prefetch("steps", queryset=ProcessStep.objects.order_by("order")),
            "topics",
            "joint_departments",
            "handled_in_regions",
        )
        .order_by("implementation_code")
    )
    wb, sheets = _new_workbook()
    for item in queryset:
        code = item.implementation_code
        _append(sheets[ITEMS.key], _item_cells(item))
        for material in item.materials.all():
            _append(sheets[MATERIALS.key], _child_cells(MATERIALS, code, material))
        for fee in item.fee_items.all():
            _append(sheets[FEES.key], _child_cells(FEES, code, fee))
        for step in item.steps.all():
            _append(sheets[STEPS.key], _child_cells(STEPS, code, step))
    for topic in LifeEventTopic.objects.order_by("audience", "order", "code"):
        _append(sheets[TOPICS_SHEET.key], _child_cells(TOPICS_SHEET, "", topic))
    return _workbook_bytes(wb)


# ---------------------------------------------------------------------------------------------
# Reading and checking
# ---------------------------------------------------------------------------------------------


@dataclass
class PlannedItem:
    implementation_code: str
    row: int
    fields: dict[str, Any]
    status: str
    joint_department_ids: list[int] = field(default_factory=list)
    region_ids: list[int] = field(default_factory=list)
    topic_codes: list[str] = field(default_factory=list)
    # (Excel row, field values) of each child, in sheet order.
    materials: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    fee_items: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    steps: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    existing_id: int | None = None
    has_errors: bool = False

    def content(self, item: ServiceItem | None = None) -> ItemContent:
        """Unsaved instances for the rules, or for ``item_save`` on ``item``."""
        if item is None:
            item = ServiceItem(**self.fields)
        else:
            for name, value in self.fields.items():
                setattr(item, name, value)
        return ItemContent(
            item=item,
            materials=[Material(**values) for _row, values in self.materials],
            fee_items=[FeeItem(**values) for _row, values in self.fee_items],
            steps=[ProcessStep(**values) for _row, values in self.steps] or None,
            joint_department_ids=list(self.joint_department_ids),
            region_ids=list(self.region_ids),
        )


@dataclass
class PlannedTopic:
    row: int
    code: str
    fields: dict[str, Any]


@dataclass
class ImportPlan:
    """What a workbook would change; ``errors`` empty means it may be applied."""

    items: list[PlannedItem] = field(default_factory=list)
    topics: list[PlannedTopic] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    total_rows: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class _SheetData:
    layout: SheetLayout
    rows: list[tuple[int, tuple[Any, ...]]]
    positions: dict[str, int]  # column key → index in the row tuple
    usable: bool

    def column_label(self, key: str) -> str:
        column = self.layout.column(key)
        if key in self.positions:
            return f"{get_column_letter(self.positions[key] + 1)} {column.header}"
        return column.header


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _normalise_header(value: Any) -> str:
    return re.sub(r"\s+", "", _as_text(value)).lower()


class _Lookups:
    """Everything a row may reference, loaded once per check."""

    def __init__(self) -> None:
        self.departments: dict[str, int] = {}
        for pk, name, uscc_code in Department.objects.values_list("pk", "name", "uscc"):
            self.departments[name.strip()] = pk
            self.departments[uscc_code.upper()] = pk
        self.regions = dict(Region.objects.values_list("code", "pk"))
        self.topic_codes: dict[str, str] = {}
        names: dict[str, set[str]] = {}
        for code, name in LifeEventTopic.objects.values_list("code", "name"):
            self.topic_codes[code] = code
            names.setdefault(name.strip(), set()).add(code)
        self.topic_names = names
        self._codes: dict[type[models.TextChoices], dict[str, str]] = {}

    def add_file_topic(self, code: str, name: str) -> None:
        self.topic_codes[code] = code
        self.topic_names.setdefault(name.strip(), set()).add(code)

    def code_table(self, choices: type[models.TextChoices]) -> dict[str, str]:
        table = self._codes.get(choices)
        if table is None:
            table = {}
            for code, label in choices.choices:
                names = bilingual(label)
                for alias in (names["en"], names["zh"]):
                    table[re.sub(r"\s+", "", alias).lower()] = code
            for code, aliases in CHINESE_NAMES.get(choices, {}).items():
                for alias in aliases:
                    table[re.sub(r"\s+", "", alias).lower()] = code
            for code in choices.values:
                table[code.lower()] = code
            self._codes[choices] = table
        return table

    def code(self, choices: type[models.TextChoices], raw: Any) -> str | None:
        text = _as_text(raw).strip()
        table = self.code_table(choices)
        key = re.sub(r"\s+", "", text).lower()
        if key in table:
            return table[key]
        if text.isdigit():
            width = max(len(code) for code in choices.values)
            if text.zfill(width) in choices.values:
                return text.zfill(width)
        # "01 行政许可", as the template's dropdowns offer: the code and its own name.
        parts = text.split(None, 1)
        if len(parts) == 2 and parts[0] in choices.values:
            name = re.sub(r"\s+", "", parts[1]).lower()
            if table.get(name) == parts[0]:
                return parts[0]
        return None


def _split(raw: Any) -> list[str]:
    seen: list[str] = []
    for part in SPLIT_RE.split(_as_text(raw)):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


class _RowReader:
    """Turns one sheet row into field values, adding located errors for bad cells."""

    def __init__(
        self,
        sheet: _SheetData,
        row: int,
        values: tuple[Any, ...],
        lookups: _Lookups,
        errors: list[FieldError],
    ):
        self.sheet, self.row, self.values = sheet, row, values
        self.lookups, self.errors = lookups, errors
        self.failed = False

    def raw(self, key: str) -> Any:
        index = self.sheet.positions[key]
        return self.values[index] if index < len(self.values) else None

    def error(self, key: str, code: str, message: Promise, **params: Any) -> None:
        self.failed = True
        self.errors.append(
            FieldError(
                field=key,
                code=code,
                message=message,
                params=params,
                sheet=self.sheet.layout.name,
                row=self.row,
                column=self.sheet.column_label(key),
            )
        )

    def value(self, column: Column) -> Any:
        raw = self.raw(column.key)
        model_field = _model_field(self.sheet.layout, column)
        if _is_blank(raw):
            if column.required:
                self.error(column.key, "required", _("This column is required."))
                return None
            if column.kind in MULTI_KINDS:
                return []
            if model_field is None or column.kind == DEPARTMENT:
                return None
            if model_field.has_default() or model_field.null:
                return model_field.get_default()
            # A number without a default is a position (order): the reader fills it in.
            return None if column.kind == INT else ""
        parse = getattr(self, f"_parse_{column.kind}")
        return parse(column, raw, model_field)

    def _parse_text(self, column: Column, raw: Any, model_field: Any) -> str | None:
        text = _as_text(raw)
        if column.required:
            text = text.strip()
        max_length = getattr(model_field, "max_length", None)
        if max_length and len(text) > max_length:
            self.error(
                column.key,
                "too_long",
                _("At most %(max)s characters; this has %(length)s."),
                max=max_length,
                length=len(text),
            )
            return None
        return text

    def _parse_item_ref(self, column: Column, raw: Any, model_field: Any) -> str:
        return _as_text(raw).strip()

    def _parse_int(self, column: Column, raw: Any, model_field: Any) -> int | None:
        number: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            number = raw
        elif isinstance(raw, float) and raw.is_integer():
            number = int(raw)
        elif isinstance(raw, str) and raw.strip().isdigit():
            number = int(raw.strip())
        limit = 32767 if isinstance(model_field, models.PositiveSmallIntegerField) else 2**31 - 1
        if number is None or number < 0 or number > limit:
            self.error(
                column.key,
                "invalid_number",
                _("%(value)s is not a whole number from 0 to %(max)s."),
                value=_as_text(raw),
                max=limit,
            )
            return None
        return number

    def _parse_bool(self, column: Column, raw: Any, model_field: Any) -> bool | None:
        if isinstance(raw, bool):
            return raw
        text = _as_text(raw).strip().lower()
        if text in {"是", "y", "yes", "true", "1", "t"}:
            return True
        if text in {"否", "n", "no", "false", "0", "f"}:
            return False
        self.error(
            column.key,
            "invalid_boolean",
            _("%(value)s is not a yes/no value: write 是 or 否."),
            value=_as_text(raw),
        )
        return None

    def _parse_date(self, column: Column, raw: Any, model_field: Any) -> datetime.date | None:
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        text = _as_text(raw).strip()
        for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.error(
            column.key, "invalid_date", _("%(value)s is not a date (YYYY-MM-DD)."), value=text
        )
        return None

    def _parse_code(self, column: Column, raw: Any, model_field: Any) -> str | None:
        assert column.choices is not None
        code = self.lookups.code(column.choices, raw)
        if code is None:
            self.error(
                column.key,
                "invalid_code",
                _("%(value)s is not one of the allowed values: %(allowed)s."),
                value=_as_text(raw).strip(),
                allowed=_allowed(column.choices),
            )
        return code

    def _parse_codes(self, column: Column, raw: Any, model_field: Any) -> list[str]:
        assert column.choices is not None
        codes = []
        for part in _split(raw):
            code = self.lookups.code(column.choices, part)
            if code is None:
                self.error(
                    column.key,
                    "invalid_code",
                    _("%(value)s is not one of the allowed values: %(allowed)s."),
                    value=part,
                    allowed=_allowed(column.choices),
                )
            elif code not in codes:
                codes.append(code)
        return codes

    def _department(self, column: Column, text: str) -> int | None:
        pk = self.lookups.departments.get(text.strip()) or self.lookups.departments.get(
            text.strip().upper()
        )
        if pk is None:
            self.error(
                column.key,
                "unknown_department",
                _("No department with the name or credit code %(value)s."),
                value=text,
            )
        return pk

    def _parse_department(self, column: Column, raw: Any, model_field: Any) -> int | None:
        return self._department(column, _as_text(raw))

    def _parse_departments(self, column: Column, raw: Any, model_field: Any) -> list[int]:
        found = [self._department(column, part) for part in _split(raw)]
        return list(dict.fromkeys(pk for pk in found if pk is not None))

    def _parse_regions(self, column: Column, raw: Any, model_field: Any) -> list[int]:
        ids = []
        for part in _split(raw):
            pk = self.lookups.regions.get(part)
            if pk is None:
                self.error(
                    column.key,
                    "unknown_region",
                    _("No region with the division code %(value)s."),
                    value=part,
                )
            elif pk not in ids:
                ids.append(pk)
        return ids

    def _parse_topics(self, column: Column, raw: Any, model_field: Any) -> list[str]:
        codes = []
        for part in _split(raw):
            code = self.lookups.topic_codes.get(part)
            if code is None:
                by_name = self.lookups.topic_names.get(part, set())
                if len(by_name) == 1:
                    code = next(iter(by_name))
                elif len(by_name) > 1:
                    self.error(
                        column.key,
                        "ambiguous_topic",
                        _("Several topics are named %(value)s: use the topic code."),
                        value=part,
                    )
                    continue
            if code is None:
                self.error(
                    column.key,
                    "unknown_topic",
                    _("No life-event topic with the code or name %(value)s."),
                    value=part,
                )
            elif code not in codes:
                codes.append(code)
        return codes

    def read(self) -> dict[str, Any]:
        return {column.key: self.value(column) for column in self.sheet.layout.columns}


def _allowed(choices: type[models.TextChoices]) -> str:
    return ", ".join(f"{code} {zh}" for code, zh, _en in code_value_table(choices))


def _find_sheet(wb: Any, layout: SheetLayout) -> Any:
    wanted = {_normalise_header(layout.name), *(_normalise_header(p) for p in layout.name.split())}
    for ws in wb.worksheets:
        if _normalise_header(ws.title) in wanted:
            return ws
    return None


def _read_sheet(wb: Any, layout: SheetLayout, errors: list[FieldError]) -> _SheetData:
    ws = _find_sheet(wb, layout)
    if ws is None:
        errors.append(
            FieldError(
                field="sheet",
                code="missing_sheet",
                message=_("The sheet %(sheet)s is missing."),
                params={"sheet": layout.name},
                sheet=layout.name,
            )
        )
        return _SheetData(layout, [], {}, usable=False)
    rows = ws.iter_rows(values_only=True)
    header = next(rows, ())
    by_name: dict[str, Column] = {}
    for declared in layout.columns:
        for name in (declared.header, declared.key, declared.zh):
            by_name[_normalise_header(name)] = declared
    positions: dict[str, int] = {}
    usable = True
    for index, cell in enumerate(header or ()):
        if _is_blank(cell):
            continue
        name = _normalise_header(cell)
        column = by_name.get(name)
        if column is None and "/" in name:
            column = next((by_name[p] for p in name.split("/") if p in by_name), None)
        letter = get_column_letter(index + 1)
        if column is None:
            usable = False
            errors.append(
                FieldError(
                    field="header",
                    code="unknown_header",
                    message=_("Unknown column %(header)s."),
                    params={"header": _as_text(cell)},
                    sheet=layout.name,
                    row=1,
                    column=f"{letter} {_as_text(cell)}",
                )
            )
        elif column.key in positions:
            usable = False
            errors.append(
                FieldError(
                    field=column.key,
                    code="duplicate_header",
                    message=_("The column %(header)s appears twice."),
                    params={"header": column.header},
                    sheet=layout.name,
                    row=1,
                    column=f"{letter} {_as_text(cell)}",
                )
            )
        else:
            positions[column.key] = index
    for column in layout.columns:
        if column.key not in positions:
            usable = False
            errors.append(
                FieldError(
                    field=column.key,
                    code="missing_header",
                    message=_("The column %(header)s is missing."),
                    params={"header": column.header},
                    sheet=layout.name,
                    row=1,
                    column=column.header,
                )
            )
    data = []
    for number, values in enumerate(rows, start=2):
        if values and not all(_is_blank(v) for v in values):
            data.append((number, tuple(values)))
    return _SheetData(layout, data, positions, usable)


def _rule_location(
    error: FieldError, planned: PlannedItem, sheets: dict[str, _SheetData]
) -> FieldError:
    """Point a rule's error (``materials[1].paper_copies``) at the offending cell."""
    items = sheets[ITEMS.key]
    located = FieldError(
        field=error.field,
        code=error.code,
        message=error.message,
        params=error.params,
        sheet=ITEMS.name,
        row=planned.row,
    )
    match = re.fullmatch(r"(materials|fee_items|steps)\[(\d+)\]\.(\w+)", error.field)
    children = {
        "materials": (MATERIALS, planned.materials),
        "fee_items": (FEES, planned.fee_items),
        "steps": (STEPS, planned.steps),
    }
    if match:
        layout, rows = children[match.group(1)]
        index, key = int(match.group(2)), match.group(3)
        located.sheet, located.row = layout.name, rows[index][0]
        if key in sheets[layout.key].positions:
            located.column = sheets[layout.key].column_label(key)
    elif error.field in children:
        layout, rows = children[error.field]
        if rows:
            located.sheet, located.row = layout.name, rows[0][0]
        elif error.field == "fee_items":
            located.column = items.column_label("charges_fee")
    elif error.field in items.positions:
        located.column = items.column_label(error.field)
    return located


def _check_status(reader: _RowReader, wanted: str, existing_status: str | None) -> None:
    if wanted == ItemStatus.DRAFT and existing_status in {
        ItemStatus.PUBLISHED,
        ItemStatus.CANCELLED,
    }:
        reader.error(
            "status",
            "status_not_allowed",
            _("The item is %(status)s already; it cannot go back to draft."),
            status=ItemStatus(existing_status).label,
        )
    if wanted == ItemStatus.CANCELLED and existing_status != ItemStatus.CANCELLED:
        reader.error(
            "status",
            "status_not_allowed",
            _("An item is cancelled in the catalogue, with a reason, not by import."),
        )


def catalog_import_check(*, workbook: bytes, progress: Progress | None = None) -> ImportPlan:
    """Read a workbook and return what it would change, with every error it contains.

    Nothing is written. ``progress(processed, total)`` is called at least every
    ``PROGRESS_EVERY`` data rows and once at the end.
    """
    plan = ImportPlan()
    errors = plan.errors
    try:
        wb = load_workbook(io.BytesIO(workbook), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        errors.append(
            FieldError(
                field="file",
                code="unreadable",
                message=_("The file is not an Excel workbook (.xlsx) that can be read."),
            )
        )
        if progress:
            progress(0, 0)
        return plan
    try:
        sheets = {layout.key: _read_sheet(wb, layout, errors) for layout in SHEETS}
    finally:
        wb.close()
    plan.total_rows = sum(len(sheet.rows) for sheet in sheets.values())
    processed = 0

    def step() -> None:
        nonlocal processed
        processed += 1
        if progress and (processed % PROGRESS_EVERY == 0 or processed == plan.total_rows):
            progress(processed, plan.total_rows)

    if progress:
        progress(0, plan.total_rows)
    lookups = _Lookups()

    # Topics first: items may name topics the same file creates.
    topic_sheet = sheets[TOPICS_SHEET.key]
    seen_topics: set[str] = set()
    for row, values in topic_sheet.rows:
        step()
        if not topic_sheet.usable:
            continue
        reader = _RowReader(topic_sheet, row, values, lookups, errors)
        data = reader.read()
        code = data.pop("code")
        if code and code in seen_topics:
            reader.error("code", "duplicate", _("The code %(value)s is listed twice."), value=code)
        if code:
            seen_topics.add(code)
            lookups.add_file_topic(code, data["name"] or "")
        if not reader.failed:
            plan.topics.append(PlannedTopic(row=row, code=code, fields=data))

    items_sheet = sheets[ITEMS.key]
    by_code: dict[str, PlannedItem] = {}
    code_index = items_sheet.positions.get("implementation_code", 0)
    codes_in_file = (
        [
            _as_text(v[code_index] if code_index < len(v) else None).strip()
            for _r, v in items_sheet.rows
        ]
        if items_sheet.usable
        else []
    )
    existing: dict[str, tuple[int, str]] = {}
    for start in range(0, len(codes_in_file), 500):
        chunk = codes_in_file[start : start + 500]
        for pk, code, status in ServiceItem.objects.filter(
            implementation_code__in=chunk
        ).values_list("pk", "implementation_code", "status"):
            existing[code] = (pk, status)
    for row, values in items_sheet.rows:
        step()
        if not items_sheet.usable:
            continue
        reader = _RowReader(items_sheet, row, values, lookups, errors)
        data = reader.read()
        code = data["implementation_code"]
        if code and code in by_code:
            reader.error(
                "implementation_code",
                "duplicate",
                _("The implementation code %(value)s is already on row %(row)s."),
                value=code,
                row=by_code[code].row,
            )
            continue
        existing_id, existing_status = existing.get(code, (None, None))
        # An empty status keeps a stored item's status; a new item starts as a draft.
        status_blank = _is_blank(reader.raw("status"))
        status = data.pop("status") or ItemStatus.DRAFT
        if status_blank:
            status = existing_status or ItemStatus.DRAFT
        else:
            _check_status(reader, status, existing_status)
        planned = PlannedItem(
            implementation_code=code or "",
            row=row,
            status=status,
            joint_department_ids=data.pop("joint_departments"),
            region_ids=data.pop("handled_in_regions"),
            topic_codes=data.pop("topics"),
            fields={
                **{k: v for k, v in data.items() if k != "department"},
                "department_id": data["department"],
            },
            existing_id=existing_id,
            has_errors=reader.failed,
        )
        if code:
            by_code[code] = planned
        plan.items.append(planned)

    for layout in CHILD_SHEETS:
        sheet = sheets[layout.key]
        for row, values in sheet.rows:
            step()
            if not sheet.usable:
                continue
            reader = _RowReader(sheet, row, values, lookups, errors)
            data = reader.read()
            code = data.pop("implementation_code")
            parent = by_code.get(code) if code else None
            if parent is None:
                if code and items_sheet.usable:
                    reader.error(
                        "implementation_code",
                        "unknown_item",
                        _("No item with the implementation code %(value)s on the Items sheet."),
                        value=code,
                    )
                continue
            children = getattr(parent, layout.key)
            if "order" in data and data["order"] is None and not reader.failed:
                data["order"] = len(children) + 1
            children.append((row, data))
            parent.has_errors = parent.has_errors or reader.failed

    # The consistency rules, on items whose cells could all be read (rules on half-read data
    # would only report the same problem again under another name).
    all_sheets_read = all(sheet.usable for sheet in sheets.values())
    for planned in plan.items:
        if planned.has_errors or not all_sheets_read:
            continue
        content = planned.content()
        rule_errors = item_rules_check(
            content.item,
            materials=content.materials,
            fee_items=content.fee_items,
            steps=content.resolved_steps(),
            joint_department_ids=content.joint_department_ids,
        )
        errors.extend(_rule_location(error, planned, sheets) for error in rule_errors)

    errors.sort(key=lambda e: (SHEET_ORDER.get(e.sheet or "", -1), e.row or 0))
    return plan


# ---------------------------------------------------------------------------------------------
# Applying
# ---------------------------------------------------------------------------------------------


def _validation_error_as_field_errors(
    exc: ValidationError, planned: PlannedItem, sheets_positions: dict[str, str]
) -> list[FieldError]:
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"item": exc.messages}
    found = []
    for name, texts in messages.items():
        for text in texts:
            found.append(
                FieldError(
                    field=name,
                    code="invalid",
                    message="%(text)s",
                    params={"text": text},
                    sheet=ITEMS.name,
                    row=planned.row,
                    column=sheets_positions.get(name),
                )
            )
    return found


@transaction.atomic
def catalog_import_apply(
    *, plan: ImportPlan, actor: Any, progress: Progress | None = None
) -> dict[str, int]:
    """Store a checked plan: topics upserted by code, items created or replaced by
    implementation code (and published when the file says so), all in one transaction.

    Raises ``ValidationFailed`` for a plan with errors; if anything fails, nothing is stored.
    Returns counts: items, created, updated, published, new_versions, topics_created,
    topics_updated.
    """
    if plan.errors:
        raise ValidationFailed(
            _("The workbook has errors; nothing was imported."),
            list(plan.errors),
            code="import_invalid",
        )
    summary = dict.fromkeys(
        (
            "items",
            "created",
            "updated",
            "published",
            "new_versions",
            "topics_created",
            "topics_updated",
        ),
        0,
    )
    for planned_topic in plan.topics:
        topic = LifeEventTopic.objects.filter(code=planned_topic.code).first()
        if topic is None:
            topic = LifeEventTopic.objects.create(code=planned_topic.code, **planned_topic.fields)
            summary["topics_created"] += 1
        elif any(getattr(topic, k) != v for k, v in planned_topic.fields.items()):
            for name, value in planned_topic.fields.items():
                setattr(topic, name, value)
            topic.save()
            summary["topics_updated"] += 1
    topic_ids = dict(LifeEventTopic.objects.values_list("code", "pk"))
    item_columns = {column.key: f"{column.header}" for column in ITEMS.columns}
    total = len(plan.items)
    for index, planned in enumerate(plan.items, start=1):
        item = None
        if planned.existing_id is not None:
            item = ServiceItem.objects.select_for_update().get(pk=planned.existing_id)
        content = planned.content(item)
        content.topic_ids = [topic_ids[code] for code in planned.topic_codes]
        version_before = content.item.version
        if item is not None:
            # The workbook carries no files and no FAQs: keep the stored ones.
            content.faqs = list(item.faqs.all())
            files = {m.name: (m.blank_form, m.sample_file) for m in item.materials.all()}
            for material in content.materials:
                if material.name in files:
                    material.blank_form, material.sample_file = files[material.name]
        try:
            saved = item_save(content=content, actor=actor, change_note="import", check=False)
        except ValidationError as exc:
            raise ValidationFailed(
                _("The workbook could not be imported; nothing was imported."),
                _validation_error_as_field_errors(exc, planned, item_columns),
                code="import_invalid",
            ) from exc
        summary["items"] += 1
        summary["created" if item is None else "updated"] += 1
        if saved.version != version_before:
            summary["new_versions"] += 1
        if planned.status == ItemStatus.PUBLISHED and saved.status != ItemStatus.PUBLISHED:
            if item_publish(item=saved, actor=actor) is not None:
                summary["new_versions"] += 1
            summary["published"] += 1
        if progress and (index % PROGRESS_EVERY == 0 or index == total):
            progress(index, total)
    audit_record(
        actor=actor, action="catalog.import", object_type="catalog.workbook", detail=summary
    )
    return summary


def errors_as_text(errors: Sequence[FieldError]) -> list[str]:
    """One line per error, located, in Chinese and English (for the command line)."""
    with translation.override("zh-hans"):
        return [str(error) for error in errors]
