"""The grid categories as a workbook, and as data: the layout declared once, every row
checked into a plan with each problem located, the export.

Four sheets (``SHEETS``), each column with its header "中文 / key" (the Chinese name or the key
alone is accepted too):

- 大类 — 类型 (部件/事件), 代码 (2 digits), 名称;
- 小类 — 类型, 代码 (4 digits, beginning with its major class's), 名称, 立案条件, 结案条件, 关键词,
  综合执法 (是/否);
- 责任单位 — 小类代码, 街道代码 (optional: the rule for one street), 单位名称, 顺序;
- 时限 — 小类代码, 顺序, 阶段, 时限, 单位 (工作时/工作日/自然日/小时).

Codes are stored with the kind's letter (C for 部件, E for 事件: "C0101"); the 小类代码 of the
last two sheets is written so (the four digits alone are accepted when only one subclass has
them). ``check_rows`` reads rows — of a workbook (``read_workbook``) or of plain data
(``rows_from_data``) — into a ``CategoryPlan``; it writes nothing. The services
(``services.categories``) check the permission and the file, and store a plan without errors
in one transaction.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from onewindow.core.errors import FieldError, bilingual
from onewindow.core.validation import (
    CONTROL_MESSAGE,
    MULTILINE_CONTROL_MESSAGE,
    has_control_characters,
)
from onewindow.org.codes import RegionLevel
from onewindow.org.models import Department, Region
from onewindow.urban.codes import CaseKind
from onewindow.urban.models import Category, CategoryStage, CategoryUnit
from onewindow.workflow.clock import TimeUnit

# Bounds of a workbook (the upload limit is the services').
MAX_ROWS = 5000  # data rows per sheet
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # what the zip may expand to
MAX_LIMIT = 999
MAX_STAGES = 9
CONDITION_MAX_LENGTH = 2000

KIND_LETTER = {CaseKind.COMPONENT: "C", CaseKind.EVENT: "E"}
# The exchange format's names; not translated (they are data, like the standard's terms).
KIND_NAMES: dict[str, tuple[str, ...]] = {
    CaseKind.COMPONENT: ("部件", "component", "c"),
    CaseKind.EVENT: ("事件", "event", "e"),
}
UNIT_NAMES: dict[str, tuple[str, ...]] = {
    TimeUnit.WORKING_HOUR: ("工作时", "工作小时", "working hours", "wh"),
    TimeUnit.WORKING_DAY: ("工作日", "working days", "1"),
    TimeUnit.NATURAL_DAY: ("自然日", "natural days", "2"),
    TimeUnit.HOUR: ("小时", "hours", "3"),
}
YES, NO = ("是", "y", "yes", "true", "1"), ("否", "n", "no", "false", "0")


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    required: bool = True
    multiline: bool = False
    max_length: int = 64

    @property
    def header(self) -> str:
        return f"{self.zh} / {self.key}"


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


MAJORS = Sheet(
    "majors",
    "大类",
    (
        Column("kind", "类型", max_length=16),
        Column("code", "代码", max_length=16),
        Column("name", "名称"),
    ),
)
SUBCLASSES = Sheet(
    "subclasses",
    "小类",
    (
        Column("kind", "类型", max_length=16),
        Column("code", "代码", max_length=16),
        Column("name", "名称"),
        Column("filing_condition", "立案条件", multiline=True, max_length=CONDITION_MAX_LENGTH),
        Column("closing_condition", "结案条件", multiline=True, max_length=CONDITION_MAX_LENGTH),
        Column("keywords", "关键词", required=False, max_length=255),
        Column("enforcement", "综合执法", required=False, max_length=8),
    ),
)
UNITS = Sheet(
    "units",
    "责任单位",
    (
        Column("category", "小类代码", max_length=16),
        Column("street", "街道代码", required=False, max_length=12),
        Column("department", "单位名称", max_length=128),
        Column("order", "顺序", required=False, max_length=8),
    ),
)
STAGES = Sheet(
    "stages",
    "时限",
    (
        Column("category", "小类代码", max_length=16),
        Column("order", "顺序", max_length=8),
        Column("name", "阶段", max_length=32),
        Column("limit", "时限", max_length=8),
        Column("unit", "单位", max_length=16),
    ),
)
SHEETS = (MAJORS, SUBCLASSES, UNITS, STAGES)
SHEET_ORDER = {sheet.name: index for index, sheet in enumerate(SHEETS)}
README_SHEET = "说明"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a needless ".0", booleans as 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- rows --------------------------------------------------------------------------------


@dataclass
class Row:
    """One row to check: from a sheet (Excel row number, column letters) or from data (its
    1-based position in the list)."""

    sheet: Sheet
    number: int
    values: dict[str, Any]
    letters: dict[str, str] = field(default_factory=dict)
    from_data: bool = False

    def error(
        self, key: str | None, code: str, message: str | Promise, /, **params: Any
    ) -> FieldError:
        if self.from_data:
            where = f"{self.sheet.key}[{self.number - 1}]"
            return FieldError(
                field=f"{where}.{key}" if key else where,
                code=code,
                message=message,
                params=params,
                sheet=self.sheet.name,
                row=self.number,
                column=self.sheet.column(key).zh if key else None,
            )
        column = None
        if key:
            header = self.sheet.column(key).header
            column = f"{self.letters[key]} {header}" if key in self.letters else header
        return FieldError(
            field=key or "row",
            code=code,
            message=message,
            params=params,
            sheet=self.sheet.name,
            row=self.number,
            column=column,
        )


def _file_error(code: str, message: str | Promise, **params: Any) -> FieldError:
    return FieldError(field="file", code=code, message=message, params=params)


def _find_sheet(wb: Any, sheet: Sheet) -> Any:
    wanted = {normalise(sheet.name), normalise(sheet.key)}
    for ws in wb.worksheets:
        title = normalise(ws.title)
        if title in wanted or any(part.strip() in wanted for part in title.split("/")):
            return ws
    return None


def _sheet_rows(ws: Any, sheet: Sheet, errors: list[FieldError]) -> list[Row] | None:
    """The sheet's non-blank rows, or None when its header row cannot be used."""
    by_name: dict[str, Column] = {}
    for column in sheet.columns:
        for name in (column.header, column.key, column.zh):
            by_name[normalise(name)] = column
    values_iter = ws.iter_rows(values_only=True)
    header = next(values_iter, ()) or ()
    positions: dict[str, int] = {}
    usable = True
    for index, cell in enumerate(header):
        text = cell_text(cell)
        if not text.strip():
            continue
        letter = get_column_letter(index + 1)
        found = by_name.get(normalise(text))
        if found is None and "/" in text:
            found = next(
                (by_name[normalise(p)] for p in text.split("/") if normalise(p) in by_name), None
            )
        located = f"{letter} {text[:40]}"
        if found is None:
            usable = False
            errors.append(
                FieldError(
                    field="header",
                    code="unknown_header",
                    message=_("Unknown column %(header)s."),
                    params={"header": text[:40]},
                    sheet=sheet.name,
                    row=1,
                    column=located,
                )
            )
        elif found.key in positions:
            usable = False
            errors.append(
                FieldError(
                    field=found.key,
                    code="duplicate_header",
                    message=_("The column %(header)s appears twice."),
                    params={"header": found.header},
                    sheet=sheet.name,
                    row=1,
                    column=located,
                )
            )
        else:
            positions[found.key] = index
    for column in sheet.columns:
        if column.key not in positions:
            usable = False
            errors.append(
                FieldError(
                    field=column.key,
                    code="missing_header",
                    message=_("The column %(header)s is missing."),
                    params={"header": column.header},
                    sheet=sheet.name,
                    row=1,
                    column=column.header,
                )
            )
    letters = {key: get_column_letter(index + 1) for key, index in positions.items()}
    rows: list[Row] = []
    for number, values in enumerate(values_iter, start=2):
        if not values or all(cell_text(v).strip() == "" for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            errors.append(
                FieldError(
                    field="sheet",
                    code="too_many_rows",
                    message=_("The sheet has more than %(max)s rows."),
                    params={"max": MAX_ROWS},
                    sheet=sheet.name,
                )
            )
            return None
        if usable:
            picked = {
                key: values[index] if index < len(values) else None
                for key, index in positions.items()
            }
            rows.append(Row(sheet, number, picked, letters))
    return rows if usable else None


@dataclass
class Rows:
    """The rows of each sheet (by its key); ``unusable``: the sheets that could not be read
    (missing, or a bad header row), whose references are not checked."""

    sheets: dict[str, list[Row]]
    unusable: set[str] = field(default_factory=set)


def read_workbook(data: bytes, errors: list[FieldError]) -> Rows | None:
    """The rows of each sheet, or None when the file is not a workbook that can be read;
    problems of the file and of the header rows go to ``errors``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        errors.append(_file_error("unreadable", _("The file is not an Excel workbook (.xlsx).")))
        return None
    if unpacked > MAX_UNPACKED_BYTES:
        errors.append(
            _file_error(
                "too_large",
                _("The workbook unpacks to more than %(max)s MB."),
                max=MAX_UNPACKED_BYTES // (1024 * 1024),
            )
        )
        return None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        errors.append(
            _file_error(
                "unreadable", _("The file is not an Excel workbook (.xlsx) that can be read.")
            )
        )
        return None
    try:
        found = Rows({})
        for sheet in SHEETS:
            ws = _find_sheet(wb, sheet)
            if ws is None:
                errors.append(
                    FieldError(
                        field="sheet",
                        code="missing_sheet",
                        message=_("The sheet %(sheet)s is missing."),
                        params={"sheet": sheet.name},
                        sheet=sheet.name,
                    )
                )
                found.sheets[sheet.key] = []
                found.unusable.add(sheet.key)
            else:
                rows = _sheet_rows(ws, sheet, errors)
                found.sheets[sheet.key] = rows or []
                if rows is None:
                    found.unusable.add(sheet.key)
    except Exception:  # a damaged sheet inside a readable archive
        errors.append(
            _file_error(
                "unreadable", _("The file is not an Excel workbook (.xlsx) that can be read.")
            )
        )
        return None
    finally:
        wb.close()
    return found


def rows_from_data(data: Mapping[str, Any], errors: list[FieldError]) -> Rows:
    """Rows of plain data: ``{"majors": [{kind, code, name}], "subclasses": [...], "units":
    [...], "stages": [...]}`` with the sheets' column keys."""
    found: dict[str, list[Row]] = {}
    if not isinstance(data, Mapping):
        errors.append(FieldError(field="data", code="invalid", message=_("This must be a table.")))
        return Rows({sheet.key: [] for sheet in SHEETS})
    for sheet in SHEETS:
        entries = data.get(sheet.key) or []
        rows: list[Row] = []
        if not isinstance(entries, list):
            errors.append(
                FieldError(field=sheet.key, code="invalid", message=_("This must be a list."))
            )
            entries = []
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, Mapping):
                row = Row(sheet, number, {}, from_data=True)
                errors.append(row.error(None, "invalid", _("This must be a table.")))
                continue
            unknown = sorted(set(entry) - {c.key for c in sheet.columns})
            row = Row(
                sheet, number, {c.key: entry.get(c.key) for c in sheet.columns}, from_data=True
            )
            if unknown:
                errors.append(
                    row.error(None, "unknown_field", _("Unknown field %(name)s."), name=unknown[0])
                )
                continue
            rows.append(row)
        found[sheet.key] = rows
    return Rows(found)


# --- the check ---------------------------------------------------------------------------


@dataclass
class PlannedSubclass:
    row: Row
    kind: str
    code: str  # stored: with the kind's letter
    major_code: str
    fields: dict[str, Any]
    units: list[tuple[int | None, int, int]] = field(default_factory=list)  # region, dept, order
    stages: list[tuple[int, str, int, str]] = field(
        default_factory=list
    )  # order, name, limit, unit
    unit_rows: dict[tuple[int | None, int], int] = field(default_factory=dict)
    stage_rows: dict[int, int] = field(default_factory=dict)
    # A row of its units or stages was refused: "no units" or "no stages" would say it twice.
    unit_refused: bool = False
    stage_refused: bool = False


@dataclass
class CategoryPlan:
    majors: list[tuple[str, str, str]] = field(default_factory=list)  # kind, code, name
    subclasses: list[PlannedSubclass] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


class _Check:
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        self.failed = False

    def add(
        self, row: Row, key: str | None, code: str, message: str | Promise, /, **params: Any
    ) -> None:
        self.failed = True
        self.errors.append(row.error(key, code, message, **params))

    def text(self, row: Row, key: str, raw: Any = None) -> str:
        """A text cell (or ``raw`` in its place): no control characters (line breaks only
        where allowed), within its length, present when required."""
        column = row.sheet.column(key)
        raw = row.values.get(key) if raw is None else raw
        if raw is not None and not isinstance(raw, str | int | float):
            self.add(row, key, "invalid", _("This must be text."))
            return ""
        value = cell_text(raw).strip()
        if has_control_characters(value, multiline=column.multiline):
            message = MULTILINE_CONTROL_MESSAGE if column.multiline else CONTROL_MESSAGE
            self.add(row, key, "control_characters", message)
            return ""
        if not value and column.required:
            self.add(row, key, "required", _("This column is required."))
        elif len(value) > column.max_length:
            self.add(
                row,
                key,
                "too_long",
                _("At most %(max)s characters; this has %(length)s."),
                max=column.max_length,
                length=len(value),
            )
            return ""
        return value

    def number(
        self, row: Row, key: str, *, low: int, high: int, blank: int | None = None
    ) -> int | None:
        raw = row.values.get(key)
        text = cell_text(raw).strip() if not isinstance(raw, bool) else "x"
        if text == "" and blank is not None:
            return blank
        if text == "":
            self.add(row, key, "required", _("This column is required."))
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > 6 or not low <= int(text) <= high:
            self.add(
                row,
                key,
                "invalid_number",
                _("%(value)s is not a whole number from %(low)s to %(high)s."),
                value=text[:20],
                low=low,
                high=high,
            )
            return None
        return int(text)

    def choice(
        self, row: Row, key: str, names: Mapping[str, Sequence[str]], allowed: str
    ) -> str | None:
        text = self.text(row, key)
        if not text:
            return None
        wanted = normalise(text)
        for code, aliases in names.items():
            if wanted in {normalise(a) for a in aliases}:
                return code
        self.add(
            row,
            key,
            "invalid_code",
            _("%(value)s is not one of the allowed values: %(allowed)s."),
            value=text[:40],
            allowed=allowed,
        )
        return None

    def kind(self, row: Row) -> str | None:
        return self.choice(row, "kind", KIND_NAMES, "部件, 事件")

    def code(self, row: Row, kind: str | None, digits: int) -> str | None:
        """A major class's (2 digits) or a subclass's (4 digits) code, stored with the kind's
        letter; the letter may be written if it is the kind's."""
        raw = row.values.get("code")
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raw = cell_text(raw).zfill(digits)  # Excel turned "01" into 1
        text = self.text(row, "code", raw)
        if not text:
            return None
        if len(text) == digits + 1 and text[0].upper() in "CE":
            letter, text = text[0].upper(), text[1:]
            if kind and letter != KIND_LETTER[CaseKind(kind)]:
                self.add(
                    row,
                    "code",
                    "kind_mismatch",
                    _("The code %(value)s has the letter of the other kind."),
                    value=letter + text,
                )
                return None
        if not (text.isascii() and text.isdigit() and len(text) == digits):
            self.add(
                row,
                "code",
                "invalid_code",
                _("%(value)s is not a code of %(digits)s digits."),
                value=text[:20],
                digits=digits,
            )
            return None
        if kind is None:
            return None
        return KIND_LETTER[CaseKind(kind)] + text


class _Lookups:
    def __init__(self) -> None:
        self.departments: dict[str, int] = {}
        for pk, name, uscc in Department.objects.filter(is_active=True).values_list(
            "pk", "name", "uscc"
        ):
            self.departments[name.strip()] = pk
            self.departments[uscc.upper()] = pk
        self.streets = dict(
            Region.objects.filter(level=RegionLevel.STREET).values_list("code", "pk")
        )


def _codes_of(raw: Any) -> set[str]:
    """Every way a row's code may be referred to (for a row whose code was refused: its
    references are not reported again)."""
    text = cell_text(raw).strip().upper()
    digits = text[1:] if text[:1] in {"C", "E"} else text
    return {text, digits, f"C{digits}", f"E{digits}"}


def check_rows(rows: Rows, errors: list[FieldError]) -> CategoryPlan:
    """Every row checked, every problem located (added to ``errors``), and what the rows would
    store. Nothing is written. A row's problem is reported once: references to a row that was
    refused (or on a sheet that could not be read) are not reported again."""
    plan = CategoryPlan(errors=errors)
    check = _Check(errors)
    lookups = _Lookups()
    sheets = rows.sheets

    majors: dict[str, Row] = {}
    broken_majors: set[str] = set()
    for row in sheets.get(MAJORS.key, []):
        kind = check.kind(row)
        code = check.code(row, kind, 2)
        name = check.text(row, "name")
        if not (code and kind):
            broken_majors |= _codes_of(row.values.get("code"))
            continue
        if code in majors:
            check.add(
                row,
                "code",
                "duplicate",
                _("The code %(value)s is already on row %(row)s."),
                value=code,
                row=majors[code].number,
            )
            continue
        majors[code] = row
        plan.majors.append((kind, code, name))

    subclasses: dict[str, PlannedSubclass] = {}
    by_digits: dict[str, list[str]] = {}
    broken: set[str] = set()
    for row in sheets.get(SUBCLASSES.key, []):
        kind = check.kind(row)
        code = check.code(row, kind, 4)
        fields: dict[str, Any] = {
            "name": check.text(row, "name"),
            "filing_condition": check.text(row, "filing_condition"),
            "closing_condition": check.text(row, "closing_condition"),
            "keywords": check.text(row, "keywords"),
        }
        enforcement = check.choice(row, "enforcement", {"yes": YES, "no": NO}, "是, 否")
        fields["enforcement"] = enforcement == "yes"
        if not code:
            broken |= _codes_of(row.values.get("code"))
            continue
        if code in subclasses:
            check.add(
                row,
                "code",
                "duplicate",
                _("The code %(value)s is already on row %(row)s."),
                value=code,
                row=subclasses[code].row.number,
            )
            continue
        major_code = code[:3]
        if (
            major_code not in majors
            and major_code not in broken_majors
            and MAJORS.key not in rows.unusable
        ):
            check.add(
                row,
                "code",
                "unknown_major",
                _("No major class %(major)s of this kind on the sheet 大类 for %(value)s."),
                major=major_code[1:],
                value=code[1:],
            )
        planned = PlannedSubclass(
            row=row, kind=kind or "", code=code, major_code=major_code, fields=fields
        )
        subclasses[code] = planned
        by_digits.setdefault(code[1:], []).append(code)

    def subclass_of(row: Row) -> PlannedSubclass | None:
        text = check.text(row, "category")
        if not text:
            return None
        key = text.upper()
        if isinstance(row.values.get("category"), int | float):
            key = key.zfill(4)
        if key in subclasses:
            return subclasses[key]
        candidates = by_digits.get(key, [])
        if len(candidates) == 1:
            return subclasses[candidates[0]]
        if key in broken or SUBCLASSES.key in rows.unusable:
            return None
        if len(candidates) > 1:
            for code in candidates:
                subclasses[code].unit_refused = subclasses[code].stage_refused = True
            check.add(
                row,
                "category",
                "ambiguous",
                _(
                    "Both a 部件 and an 事件 subclass have the code %(value)s: write "
                    "C%(value)s or E%(value)s."
                ),
                value=key,
            )
            return None
        check.add(
            row,
            "category",
            "unknown_subclass",
            _("No subclass %(value)s on the sheet 小类."),
            value=text[:20],
        )
        return None

    for row in sheets.get(UNITS.key, []):
        before = len(errors)
        subclass = subclass_of(row)
        street_code = check.text(row, "street")
        region_id: int | None = None
        if street_code:
            region_id = lookups.streets.get(street_code)
            if region_id is None:
                check.add(
                    row,
                    "street",
                    "unknown_street",
                    _("No street with the division code %(value)s."),
                    value=street_code[:20],
                )
        name = check.text(row, "department")
        department_id = None
        if name:
            department_id = lookups.departments.get(name) or lookups.departments.get(name.upper())
            if department_id is None:
                check.add(
                    row,
                    "department",
                    "unknown_department",
                    _("No department with the name or credit code %(value)s."),
                    value=name[:128],
                )
        blank_order = len(subclass.units) + 1 if subclass else 1
        order = check.number(row, "order", low=1, high=999, blank=blank_order)
        if subclass is not None and len(errors) > before:
            subclass.unit_refused = True
        if subclass is None or department_id is None or order is None:
            continue
        if street_code and region_id is None:
            continue
        key = (region_id, department_id)
        if key in subclass.unit_rows:
            check.add(
                row,
                "department",
                "duplicate",
                _("This unit is listed for %(value)s on row %(row)s already."),
                value=subclass.code,
                row=subclass.unit_rows[key],
            )
            continue
        subclass.unit_rows[key] = row.number
        subclass.units.append((region_id, department_id, order))

    for row in sheets.get(STAGES.key, []):
        before = len(errors)
        subclass = subclass_of(row)
        order = check.number(row, "order", low=1, high=MAX_STAGES)
        name = check.text(row, "name")
        limit = check.number(row, "limit", low=1, high=MAX_LIMIT)
        unit = check.choice(row, "unit", UNIT_NAMES, "工作时, 工作日, 自然日, 小时")
        if subclass is not None and len(errors) > before:
            subclass.stage_refused = True
        if subclass is None or order is None or not name or limit is None or unit is None:
            continue
        if order in subclass.stage_rows:
            check.add(
                row,
                "order",
                "duplicate",
                _("Stage %(order)s of %(value)s is on row %(row)s already."),
                order=order,
                value=subclass.code,
                row=subclass.stage_rows[order],
            )
            continue
        subclass.stage_rows[order] = row.number
        subclass.stages.append((order, name, limit, unit))

    for subclass in subclasses.values():
        row = subclass.row
        if subclass.stage_refused or STAGES.key in rows.unusable:
            pass
        elif not subclass.stages:
            check.add(
                row,
                "code",
                "no_stages",
                _("The subclass %(value)s has no time limit on the sheet 时限."),
                value=subclass.code,
            )
        elif sorted(o for o, *_rest in subclass.stages) != list(range(1, len(subclass.stages) + 1)):
            check.add(
                row,
                "code",
                "stage_gaps",
                _("Number the stages of %(value)s 1, 2, 3 … without gaps (now: %(orders)s)."),
                value=subclass.code,
                orders=", ".join(str(o) for o in sorted(o for o, *_r in subclass.stages)),
            )
        if not subclass.units and not subclass.unit_refused and UNITS.key not in rows.unusable:
            check.add(
                row,
                "code",
                "no_units",
                _("The subclass %(value)s has no responsible unit on the sheet 责任单位."),
                value=subclass.code,
            )
        subclass.stages.sort()
        subclass.units.sort(key=lambda unit: (unit[2], unit[0] or 0, unit[1]))
        plan.subclasses.append(subclass)

    errors.sort(key=lambda e: (SHEET_ORDER.get(e.sheet or "", -1), e.row or 0))
    return plan


# --- the export --------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
KIND_EXPORT = {code: names[0] for code, names in KIND_NAMES.items()}
UNIT_EXPORT = {code: names[0] for code, names in UNIT_NAMES.items()}


def _both(text: Promise) -> str:
    names = bilingual(text)
    return f"{names['zh']} / {names['en']}"


def _sheet(wb: Workbook, sheet: Sheet, rows: Iterable[Sequence[Any]]) -> None:
    ws = wb.create_sheet(sheet.name)
    ws.append([column.header for column in sheet.columns])
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        ws.column_dimensions[get_column_letter(index)].width = 36 if column.multiline else 16
    for values in rows:
        ws.append(list(values))
        for cell in ws[ws.max_row]:
            if cell.data_type == "f":  # text beginning with "=" is data, never a formula
                cell.data_type = "s"
    ws.freeze_panes = "A2"


def export_workbook() -> bytes:
    """Every category (active or not), its units and its stages, as the workbook the import
    reads back unchanged."""
    categories = list(
        Category.objects.select_related("parent")
        .prefetch_related(
            Prefetch(
                "units",
                queryset=CategoryUnit.objects.select_related("department", "region").order_by(
                    "order", "region__code", "department__name"
                ),
            ),
            Prefetch("stages", queryset=CategoryStage.objects.order_by("order")),
        )
        .order_by("kind", "code")
    )
    majors = [c for c in categories if c.parent_id is None]
    subclasses = [c for c in categories if c.parent_id is not None]
    wb = Workbook()
    readme = wb.active
    readme.title = README_SHEET
    readme.append([_both(_("OneWindow grid categories workbook"))])
    readme["A1"].font = Font(bold=True, size=14)
    readme.append(
        [
            _both(
                _(
                    "One row per major class on 大类 and per subclass on 小类; responsible units "
                    "and staged time limits refer to a subclass by its code with the kind's "
                    "letter (C for 部件, E for 事件). A workbook with any error is rejected whole; "
                    "a category not in the workbook is deactivated."
                )
            )
        ]
    )
    readme.column_dimensions["A"].width = 120
    _sheet(wb, MAJORS, ((KIND_EXPORT[c.kind], c.code[1:], c.name) for c in majors))
    _sheet(
        wb,
        SUBCLASSES,
        (
            (
                KIND_EXPORT[c.kind],
                c.code[1:],
                c.name,
                c.filing_condition,
                c.closing_condition,
                c.keywords,
                "是" if c.enforcement else "否",
            )
            for c in subclasses
        ),
    )
    _sheet(
        wb,
        UNITS,
        (
            (c.code, u.region.code if u.region else "", u.department.name, u.order)
            for c in subclasses
            for u in c.units.all()
        ),
    )
    _sheet(
        wb,
        STAGES,
        (
            (c.code, s.order, s.name, s.limit, UNIT_EXPORT.get(s.unit, s.unit))
            for c in subclasses
            for s in c.stages.all()
        ),
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
