"""Reading sheets and cells: header checks, references to stored rows, and cell parsing.

Every problem becomes a ``FieldError`` located by sheet, Excel row number and column (letter and
header); nothing here writes.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from onewindow.catalog.excel.layout import (
    CHINESE_NAMES,
    CHOICE_SEPARATORS_RE,
    DEPARTMENT,
    INT,
    MULTI_KINDS,
    Column,
    SheetLayout,
    as_text,
    code_entries,
    column_model_field,
    is_blank,
    normalise,
    split_values,
)
from onewindow.catalog.formschema import INTEGER_LIMIT
from onewindow.catalog.models import LifeEventTopic
from onewindow.core.errors import FieldError, bilingual
from onewindow.org.models import Department, Region

T = TypeVar("T")


@dataclass
class SheetData:
    layout: SheetLayout
    rows: list[tuple[int, tuple[Any, ...]]]
    positions: dict[str, int]  # column key → index in the row tuple
    usable: bool
    present: bool = True  # False for an optional sheet left out of the workbook

    def column_label(self, key: str) -> str:
        column = self.layout.column(key)
        if key in self.positions:
            return f"{get_column_letter(self.positions[key] + 1)} {column.header}"
        return column.header


def _find_sheet(wb: Any, layout: SheetLayout) -> Any:
    wanted = {normalise(layout.name), *(normalise(p) for p in layout.name.split())}
    for ws in wb.worksheets:
        if normalise(ws.title) in wanted:
            return ws
    return None


def _header_error(
    layout: SheetLayout, key: str, code: str, message: Promise, *, header: str, column: str
) -> FieldError:
    """A problem with the header row (row 1) of ``layout``'s sheet."""
    return FieldError(
        field=key,
        code=code,
        message=message,
        params={"header": header},
        sheet=layout.name,
        row=1,
        column=column,
    )


def read_sheet(wb: Any, layout: SheetLayout, errors: list[FieldError]) -> SheetData:
    """The non-blank rows of ``layout``'s sheet and where each column is, with header errors."""
    ws = _find_sheet(wb, layout)
    if ws is None and layout.optional:
        return SheetData(layout, [], {}, usable=True, present=False)
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
        return SheetData(layout, [], {}, usable=False)
    rows = ws.iter_rows(values_only=True)
    header = next(rows, ())
    by_name: dict[str, Column] = {}
    for declared in layout.columns:
        for name in (declared.header, declared.key, declared.zh):
            by_name[normalise(name)] = declared
    positions: dict[str, int] = {}
    usable = True
    for index, cell in enumerate(header or ()):
        if is_blank(cell):
            continue
        name = normalise(cell)
        column = by_name.get(name)
        if column is None and "/" in name:
            column = next((by_name[p] for p in name.split("/") if p in by_name), None)
        letter = get_column_letter(index + 1)
        located = f"{letter} {as_text(cell)}"
        if column is None:
            usable = False
            errors.append(
                _header_error(
                    layout,
                    "header",
                    "unknown_header",
                    _("Unknown column %(header)s."),
                    header=as_text(cell),
                    column=located,
                )
            )
        elif column.key in positions:
            usable = False
            errors.append(
                _header_error(
                    layout,
                    column.key,
                    "duplicate_header",
                    _("The column %(header)s appears twice."),
                    header=column.header,
                    column=located,
                )
            )
        else:
            positions[column.key] = index
    for column in layout.columns:
        if column.key not in positions:
            usable = False
            errors.append(
                _header_error(
                    layout,
                    column.key,
                    "missing_header",
                    _("The column %(header)s is missing."),
                    header=column.header,
                    column=column.header,
                )
            )
    data = []
    for number, values in enumerate(rows, start=2):
        if values and not all(is_blank(v) for v in values):
            data.append((number, tuple(values)))
    return SheetData(layout, data, positions, usable)


class Lookups:
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
                    table[normalise(alias)] = code
            for code, aliases in CHINESE_NAMES.get(choices, {}).items():
                for alias in aliases:
                    table[normalise(alias)] = code
            for code in choices.values:
                table[code.lower()] = code
            self._codes[choices] = table
        return table

    def code(self, choices: type[models.TextChoices], raw: Any) -> str | None:
        text = as_text(raw).strip()
        table = self.code_table(choices)
        key = normalise(text)
        if key in table:
            return table[key]
        if text.isdigit():
            width = max(len(code) for code in choices.values)
            if text.zfill(width) in choices.values:
                return text.zfill(width)
        # "01 行政许可", as the template's dropdowns offer: the code and its own name.
        parts = text.split(None, 1)
        if len(parts) == 2 and parts[0] in choices.values:
            name = normalise(parts[1])
            if table.get(name) == parts[0]:
                return parts[0]
        return None


class RowReader:
    """Turns one sheet row into field values, adding located errors for bad cells."""

    def __init__(
        self,
        sheet: SheetData,
        row: int,
        values: tuple[Any, ...],
        lookups: Lookups,
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
        model_field = column_model_field(self.sheet.layout, column)
        if is_blank(raw):
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
        text = as_text(raw)
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
        return as_text(raw).strip()

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
                value=as_text(raw),
                max=limit,
            )
            return None
        return number

    def _parse_signed_int(self, column: Column, raw: Any, model_field: Any) -> int | None:
        number: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            number = raw
        elif isinstance(raw, float) and raw.is_integer():
            number = int(raw)
        elif isinstance(raw, str) and raw.strip().lstrip("+-").isdigit():
            text = raw.strip()
            number = int(text) if text.lstrip("+-").isascii() and len(text) <= 14 else None
        if number is None or abs(number) > INTEGER_LIMIT:
            self.error(
                column.key,
                "invalid_number",
                _("%(value)s is not a whole number from -%(max)s to %(max)s."),
                value=as_text(raw)[:40],
                max=INTEGER_LIMIT,
            )
            return None
        return number

    def _parse_form_choices(
        self, column: Column, raw: Any, model_field: Any
    ) -> list[dict[str, Any]] | None:
        """``value|中文|English`` per line (or ;-separated), or a JSON list. What each choice
        must hold is checked by the form rules (``formschema``), located at this cell."""
        text = as_text(raw).strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if not isinstance(loaded, list):
                self.error(
                    column.key,
                    "invalid_choices",
                    _("The choices start with [ but are not a JSON list."),
                )
                return None
            return loaded
        choices = []
        for part in CHOICE_SEPARATORS_RE.split(text):
            if not part.strip():
                continue
            cells = [cell.strip() for cell in part.split("|")]
            if len(cells) > 3:
                self.error(
                    column.key,
                    "invalid_choices",
                    _("A choice is value|中文名称|English label: %(value)s has more parts."),
                    value=part.strip()[:60],
                )
                return None
            value = cells[0]
            label = cells[1] if len(cells) > 1 else value
            label_en = cells[2] if len(cells) > 2 else ""
            choices.append({"value": value, "label": label, "label_en": label_en})
        return choices

    def _parse_bool(self, column: Column, raw: Any, model_field: Any) -> bool | None:
        if isinstance(raw, bool):
            return raw
        text = as_text(raw).strip().lower()
        if text in {"是", "y", "yes", "true", "1", "t"}:
            return True
        if text in {"否", "n", "no", "false", "0", "f"}:
            return False
        self.error(
            column.key,
            "invalid_boolean",
            _("%(value)s is not a yes/no value: write 是 or 否."),
            value=as_text(raw),
        )
        return None

    def _parse_date(self, column: Column, raw: Any, model_field: Any) -> datetime.date | None:
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        text = as_text(raw).strip()
        for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.error(
            column.key, "invalid_date", _("%(value)s is not a date (YYYY-MM-DD)."), value=text
        )
        return None

    # Each lookup below reads one value and returns None after reporting a bad one; a column of
    # several values is split, looked up part by part, and keeps each value once, in order.

    def _code(self, column: Column, raw: Any) -> str | None:
        assert column.choices is not None
        code = self.lookups.code(column.choices, raw)
        if code is None:
            self.error(
                column.key,
                "invalid_code",
                _("%(value)s is not one of the allowed values: %(allowed)s."),
                value=as_text(raw).strip(),
                allowed=", ".join(code_entries(column.choices)),
            )
        return code

    def _parse_code(self, column: Column, raw: Any, model_field: Any) -> str | None:
        return self._code(column, raw)

    def _parse_codes(self, column: Column, raw: Any, model_field: Any) -> list[str]:
        return _unique(self._code(column, part) for part in split_values(raw))

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
        return self._department(column, as_text(raw))

    def _parse_departments(self, column: Column, raw: Any, model_field: Any) -> list[int]:
        return _unique(self._department(column, part) for part in split_values(raw))

    def _region(self, column: Column, text: str) -> int | None:
        pk = self.lookups.regions.get(text)
        if pk is None:
            self.error(
                column.key,
                "unknown_region",
                _("No region with the division code %(value)s."),
                value=text,
            )
        return pk

    def _parse_regions(self, column: Column, raw: Any, model_field: Any) -> list[int]:
        return _unique(self._region(column, part) for part in split_values(raw))

    def _topic(self, column: Column, text: str) -> str | None:
        code = self.lookups.topic_codes.get(text)
        if code is None:
            by_name = self.lookups.topic_names.get(text, set())
            if len(by_name) == 1:
                code = next(iter(by_name))
            elif len(by_name) > 1:
                self.error(
                    column.key,
                    "ambiguous_topic",
                    _("Several topics are named %(value)s: use the topic code."),
                    value=text,
                )
                return None
        if code is None:
            self.error(
                column.key,
                "unknown_topic",
                _("No life-event topic with the code or name %(value)s."),
                value=text,
            )
        return code

    def _parse_topics(self, column: Column, raw: Any, model_field: Any) -> list[str]:
        return _unique(self._topic(column, part) for part in split_values(raw))

    def read(self) -> dict[str, Any]:
        return {column.key: self.value(column) for column in self.sheet.layout.columns}


def _unique(values: Iterable[T | None]) -> list[T]:
    """The values that were found (not None), each once, in the order first seen."""
    return list(dict.fromkeys(value for value in values if value is not None))
