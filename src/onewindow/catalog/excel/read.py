"""Reading a workbook into an ``ImportPlan``: every row parsed and every problem collected.

``catalog_import_check`` locates each problem by sheet, Excel row number and column (letter and
header), including every consistency rule of ``catalog.rules``. It writes nothing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from onewindow.catalog.codes import ItemStatus
from onewindow.catalog.excel.layout import (
    CHILD_SHEETS,
    FORM_FIELDS,
    ITEMS,
    PROGRESS_EVERY,
    SHEET_ORDER,
    SHEETS,
    TOPICS_SHEET,
    Progress,
    as_text,
    is_blank,
)
from onewindow.catalog.excel.parse import Lookups, RowReader, SheetData, read_sheet
from onewindow.catalog.models import FeeItem, FormField, Material, ProcessStep, ServiceItem
from onewindow.catalog.services import ItemContent, item_content_errors
from onewindow.core.errors import FieldError


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
    form_fields: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
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
            form_fields=[FormField(**values) for _row, values in self.form_fields],
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
    # False when the workbook has no form-fields sheet: stored items keep their forms.
    has_form_fields: bool = True

    @property
    def is_valid(self) -> bool:
        return not self.errors


def _rule_location(
    error: FieldError, planned: PlannedItem, sheets: dict[str, SheetData]
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
    # ``form_fields[0].choices[2].label`` points at the form field's choices cell.
    match = re.fullmatch(
        r"(materials|fee_items|steps|form_fields)\[(\d+)\]\.(\w+)(?:[\[.].*)?", error.field
    )
    children = {layout.key: (layout, getattr(planned, layout.key)) for layout in CHILD_SHEETS}
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


def _check_status(reader: RowReader, wanted: str, existing_status: str | None) -> None:
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
        sheets = {layout.key: read_sheet(wb, layout, errors) for layout in SHEETS}
    finally:
        wb.close()
    plan.total_rows = sum(len(sheet.rows) for sheet in sheets.values())
    plan.has_form_fields = sheets[FORM_FIELDS.key].present
    processed = 0

    def step() -> None:
        nonlocal processed
        processed += 1
        if progress and (processed % PROGRESS_EVERY == 0 or processed == plan.total_rows):
            progress(processed, plan.total_rows)

    if progress:
        progress(0, plan.total_rows)
    lookups = Lookups()

    def readers(sheet: SheetData) -> Iterator[tuple[int, RowReader]]:
        """A reader for each data row, counted as processed; none if the sheet is unusable."""
        for row, values in sheet.rows:
            step()
            if sheet.usable:
                yield row, RowReader(sheet, row, values, lookups, errors)

    # Topics first: items may name topics the same file creates.
    topic_sheet = sheets[TOPICS_SHEET.key]
    seen_topics: set[str] = set()
    for row, reader in readers(topic_sheet):
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
            as_text(v[code_index] if code_index < len(v) else None).strip()
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
    for row, reader in readers(items_sheet):
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
        status_blank = is_blank(reader.raw("status"))
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
        for row, reader in readers(sheets[layout.key]):
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
        rule_errors = item_content_errors(planned.content())
        errors.extend(_rule_location(error, planned, sheets) for error in rule_errors)

    errors.sort(key=lambda e: (SHEET_ORDER.get(e.sheet or "", -1), e.row or 0))
    return plan
