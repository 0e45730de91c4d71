"""The declared workbook layout: sheets, columns, code-name tables, and cell-value basics.

Every sheet, every column, its bilingual header ("中文 / english_key"), what it holds and
whether it is required is declared here once; the template, the export, the read-me sheet, the
importer and ``docs/catalog-workbook.md`` all follow it.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.codes import (
    Audience,
    CaseType,
    ExerciseLevel,
    FormFieldKind,
    FormPrefill,
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
    FormField,
    LifeEventTopic,
    Material,
    ProcessStep,
    ServiceItem,
)
from onewindow.core.errors import bilingual
from onewindow.org.models import CentreLevel, Role

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 20
SPLIT_RE = re.compile(r"[,，、]")

TEXT, INT, BOOL, DATE = "text", "int", "bool", "date"
CODE, CODES = "code", "codes"
# A whole number that may be negative (a form field's bounds); the choices of a form field.
SIGNED_INT, FORM_CHOICES = "signed_int", "form_choices"
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
    SIGNED_INT: _("A whole number, may be negative."),
    FORM_CHOICES: _(
        "One choice per line (or separated by ;): value|中文名称|English label; a choice "
        "written as one name uses it as value and label. A JSON list is accepted too."
    ),
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
    FormFieldKind: {
        "text": ("文本",),
        "textarea": ("多行文本",),
        "integer": ("整数",),
        "date": ("日期",),
        "choice": ("单选",),
        "multichoice": ("多选",),
        "boolean": ("是否",),
        "phone": ("手机号码",),
        "id_number": ("身份证号",),
        "uscc": ("统一社会信用代码",),
        "address": ("地址",),
    },
    FormPrefill: {
        "": ("不预填",),
        "person.name": ("申请人姓名",),
        "person.id_number": ("申请人身份证号",),
        "person.phone": ("申请人电话",),
        "person.address": ("申请人地址",),
        "organisation.name": ("单位名称",),
        "organisation.uscc": ("单位统一社会信用代码",),
        "organisation.address": ("单位地址",),
        "organisation.legal_rep": ("法定代表人姓名",),
    },
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
    # An optional sheet may be left out of a workbook: the stored rows are kept then.
    optional: bool = False

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
FORM_FIELDS = SheetLayout(
    "form_fields",
    "表单字段 Form fields",
    FormField,
    (
        _c("implementation_code", "实施编码", ITEM_REF, True, model_field=None),
        _c("order", "序号", INT),
        _c("key", "字段键", required=True),
        _c("label", "字段名称", required=True),
        _c("label_en", "英文名称"),
        _c("kind", "字段类型", CODE, True, FormFieldKind),
        _c("required", "必填", BOOL),
        _c("choices", "选项", FORM_CHOICES),
        _c("max_length", "最大长度", INT),
        _c("min_value", "最小值", SIGNED_INT),
        _c("max_value", "最大值", SIGNED_INT),
        _c("prefill", "预填来源", CODE, False, FormPrefill),
        _c("help_text", "填写提示"),
        _c("help_text_en", "英文提示"),
    ),
    _(
        "The online application form: one row per field, in order. An item without rows here "
        "has no online form; a workbook without this sheet keeps the stored forms."
    ),
    optional=True,
)
SHEETS: tuple[SheetLayout, ...] = (ITEMS, MATERIALS, FEES, STEPS, FORM_FIELDS, TOPICS_SHEET)
README_SHEET_NAME = "说明 Readme"
CHILD_SHEETS = (MATERIALS, FEES, STEPS, FORM_FIELDS)
SHEET_ORDER = {sheet.name: index for index, sheet in enumerate(SHEETS)}


def column_model_field(sheet: SheetLayout, column: Column) -> Any:
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


def code_entries(choices: type[models.TextChoices]) -> list[str]:
    """Each code with its Chinese name ("01 行政许可"), as dropdowns and messages list them."""
    return [f"{code} {zh}" for code, zh, _en in code_value_table(choices)]


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
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


def normalise(value: Any) -> str:
    """The text without whitespace, lower-cased: how headers and names are compared."""
    return re.sub(r"\s+", "", as_text(value)).lower()


def split_values(raw: Any) -> list[str]:
    seen: list[str] = []
    for part in SPLIT_RE.split(as_text(raw)):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


CHOICE_SEPARATORS_RE = re.compile(r"[;；\n]")


def choices_as_text(choices: list[dict[str, str]]) -> str:
    """A form field's choices as the workbook writes them: one ``value|中文|English`` per line,
    or JSON when a value or label holds a separator (so the import reads back the same)."""
    parts = []
    for choice in choices:
        cells = [choice.get("value", ""), choice.get("label", ""), choice.get("label_en", "")]
        if any("|" in c or CHOICE_SEPARATORS_RE.search(c) for c in cells):
            return json.dumps(choices, ensure_ascii=False)
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) == 2 and cells[0] == cells[1]:
            cells = cells[:1]
        parts.append("|".join(cells))
    return "\n".join(parts)
