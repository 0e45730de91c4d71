"""Writing the workbook: the empty template (with its read-me sheet) and the export."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from onewindow.catalog.excel.layout import (
    BOOL,
    CHILD_SHEETS,
    CODE,
    FORM_CHOICES,
    ITEM_REF,
    ITEMS,
    KIND_NOTES,
    README_SHEET_NAME,
    SHEETS,
    TOPICS_SHEET,
    Column,
    SheetLayout,
    choices_as_text,
    code_entries,
    code_value_table,
    column_model_field,
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
    formula = '"' + ",".join(code_entries(column.choices)) + '"'
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


def _both_languages(text: Promise) -> str:
    """A text as "中文 / English", for the read-me sheet's titles and headers."""
    names = bilingual(text)
    return f"{names['zh']} / {names['en']}"


def _readme_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(README_SHEET_NAME, 0)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([_both_languages(_("OneWindow catalogue workbook"))])
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
    ws.append([_both_languages(h) for h in headers])
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for sheet in SHEETS:
        text = bilingual(sheet.description)
        ws.append([sheet.name, "", "", text["zh"], text["en"]])
        ws[ws.max_row][0].font = HEADER_FONT
        for column in sheet.columns:
            model_field = column_model_field(sheet, column)
            name = bilingual(model_field.verbose_name) if model_field is not None else None
            note = bilingual(KIND_NOTES[column.kind])
            zh = f"{name['zh']}。{note['zh']}" if name else note["zh"]
            en = f"{name['en'][:1].upper()}{name['en'][1:]}. {note['en']}" if name else note["en"]
            if column.choices is not None:
                codes = "; ".join(code_entries(column.choices))
                zh, en = f"{zh} {codes}", f"{en} {codes}"
            ws.append([sheet.name, column.header, "是" if column.required else "", zh, en])
    ws.append([])
    ws.append([_both_languages(_("Code lists"))])
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
    return _cells(ITEMS, item, special)


def _child_cells(sheet: SheetLayout, code: str, child: models.Model) -> list[Any]:
    return _cells(sheet, child, {c.key: code for c in sheet.columns if c.kind == ITEM_REF})


def _cells(sheet: SheetLayout, instance: models.Model, special: dict[str, Any]) -> list[Any]:
    """One row of ``sheet`` for ``instance``: ``special`` values where given, else the field."""
    cells: list[Any] = []
    for column in sheet.columns:
        if column.key in special:
            cells.append(special[column.key])
        elif column.kind == BOOL:
            cells.append("是" if getattr(instance, column.key) else "否")
        elif column.kind == FORM_CHOICES:
            cells.append(choices_as_text(getattr(instance, column.key) or []))
        else:
            cells.append(getattr(instance, column.key))
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
            Prefetch("form_fields", queryset=FormField.objects.order_by("order")),
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
        for layout in CHILD_SHEETS:  # sheet keys are the item's related names
            for child in getattr(item, layout.key).all():
                _append(sheets[layout.key], _child_cells(layout, code, child))
    for topic in LifeEventTopic.objects.order_by("audience", "order", "code"):
        _append(sheets[TOPICS_SHEET.key], _child_cells(TOPICS_SHEET, "", topic))
    return _workbook_bytes(wb)
