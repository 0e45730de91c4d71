"""The grid categories as data: imported from a workbook (or plain data, for the demo),
exported for the administrator (``Action.URBAN_MANAGE``).

A workbook with any problem is rejected whole with every problem located by sheet, row and
column, and nothing is written; a good one replaces the catalogue in one transaction —
categories created or updated by code, their responsible units and stages replaced, and any
category not in the workbook deactivated (cases keep theirs). The layout and the check are in
``urban.categories_workbook``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit_record
from onewindow.core.errors import FieldError, ValidationFailed
from onewindow.org.permissions import Action, require
from onewindow.urban.categories_workbook import (
    CategoryPlan,
    check_rows,
    export_workbook,
    read_workbook,
    rows_from_data,
)
from onewindow.urban.models import Category, CategoryStage, CategoryUnit

MAX_WORKBOOK_BYTES = 5 * 1024 * 1024
# Every .xlsx file is a zip archive, which starts with these bytes.
ZIP_MAGIC = b"PK\x03\x04"
# What browsers send for an .xlsx file (some send the zip type, some nothing in particular).
XLSX_CONTENT_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
        "application/x-zip-compressed",
        "application/octet-stream",
    }
)


@dataclass(frozen=True)
class CategoryImportResult:
    """What an import stored."""

    majors: int
    subclasses: int
    units: int
    stages: int
    created: int
    updated: int
    deactivated: int


def _file_errors(data: Any, content_type: str | None) -> list[FieldError]:
    def problem(code: str, message: Any, **params: Any) -> list[FieldError]:
        return [FieldError(field="file", code=code, message=message, params=params)]

    if not isinstance(data, bytes | bytearray) or not data:
        return problem("required", _("Choose a workbook (.xlsx) to upload."))
    if len(data) > MAX_WORKBOOK_BYTES:
        return problem(
            "too_large",
            _("The file is larger than %(max)s MB."),
            max=MAX_WORKBOOK_BYTES // (1024 * 1024),
        )
    base_type = (content_type or "").split(";")[0].strip().lower()
    if base_type and base_type not in XLSX_CONTENT_TYPES:
        return problem(
            "not_xlsx",
            _("The file is %(type)s, not an Excel workbook (.xlsx)."),
            type=base_type[:80],
        )
    if bytes(data[:4]) != ZIP_MAGIC:
        return problem("not_xlsx", _("The file is not an Excel workbook (.xlsx)."))
    return []


def _refuse(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(
            _("The category workbook has errors; nothing was imported."),
            list(errors),
            code="import_invalid",
        )


@transaction.atomic
def _apply(plan: CategoryPlan) -> CategoryImportResult:
    stored = {c.code: c for c in Category.objects.select_for_update().order_by("code")}
    created = updated = 0
    majors: dict[str, Category] = {}
    for kind, code, name in plan.majors:
        category = stored.get(code)
        if category is None:
            category = Category.objects.create(kind=kind, code=code, name=name, parent=None)
            created += 1
        else:
            Category.objects.filter(pk=category.pk).update(
                kind=kind,
                name=name,
                parent=None,
                filing_condition="",
                closing_condition="",
                keywords="",
                enforcement=False,
                is_active=True,
            )
            updated += 1
        majors[code] = category
    subclass_ids: list[int] = []
    units: list[CategoryUnit] = []
    stages: list[CategoryStage] = []
    for planned in plan.subclasses:
        values = {**planned.fields, "kind": planned.kind, "is_active": True}
        category = stored.get(planned.code)
        if category is None:
            category = Category.objects.create(
                code=planned.code, parent=majors[planned.major_code], **values
            )
            created += 1
        else:
            Category.objects.filter(pk=category.pk).update(
                parent=majors[planned.major_code], **values
            )
            updated += 1
        subclass_ids.append(category.pk)
        units += [
            CategoryUnit(category=category, region_id=region, department_id=dept, order=order)
            for region, dept, order in planned.units
        ]
        stages += [
            CategoryStage(category=category, order=order, name=name, limit=limit, unit=unit)
            for order, name, limit, unit in planned.stages
        ]
    CategoryUnit.objects.filter(category_id__in=subclass_ids).delete()
    CategoryStage.objects.filter(category_id__in=subclass_ids).delete()
    CategoryUnit.objects.bulk_create(units)
    CategoryStage.objects.bulk_create(stages)
    kept = [code for _kind, code, _name in plan.majors] + [p.code for p in plan.subclasses]
    deactivated = (
        Category.objects.exclude(code__in=kept).filter(is_active=True).update(is_active=False)
    )
    return CategoryImportResult(
        majors=len(plan.majors),
        subclasses=len(plan.subclasses),
        units=len(units),
        stages=len(stages),
        created=created,
        updated=updated,
        deactivated=deactivated,
    )


def _store(
    plan: CategoryPlan, *, actor: Any, action: str, detail: dict[str, Any]
) -> CategoryImportResult:
    _refuse(plan.errors)
    with transaction.atomic():
        result = _apply(plan)
        audit_record(
            actor=actor,
            action=action,
            object_type="urban.categories",
            detail={**detail, **result.__dict__},
        )
    return result


def categories_import(
    *, actor: Any, data: bytes, content_type: str | None = None, filename: str = ""
) -> CategoryImportResult:
    """Replace the grid categories with a workbook's (``categories_workbook`` layout).

    Requires ``Action.URBAN_MANAGE`` (checked first, the refusal audited). Raises
    ``ValidationFailed`` (code ``bad_upload``) for a file that is empty, over 5 MB, of another
    content type or not an .xlsx archive, and (code ``import_invalid``) with every problem
    located by sheet, row and column for a workbook with any error; nothing is written then."""
    require(actor, Action.URBAN_MANAGE)
    errors = _file_errors(data, content_type)
    if errors:
        raise ValidationFailed(_("The file cannot be imported."), errors, code="bad_upload")
    rows = read_workbook(bytes(data), errors)
    if rows is None:
        raise ValidationFailed(_("The file cannot be imported."), errors, code="bad_upload")
    plan = check_rows(rows, errors)
    return _store(
        plan,
        actor=actor,
        action="urban.categories_import",
        detail={"file": filename[:255], "bytes": len(data)},
    )


def categories_write_from_data(*, actor: Any, data: Mapping[str, Any]) -> CategoryImportResult:
    """The same as ``categories_import`` from plain data (the demo's): ``{"majors": [{kind,
    code, name}], "subclasses": [{kind, code, name, filing_condition, closing_condition,
    keywords, enforcement}], "units": [{category, street, department, order}], "stages":
    [{category, order, name, limit, unit}]}`` with the workbook's values (``kind`` 部件/事件
    or component/event, ``enforcement`` a bool or 是/否, ``unit`` 工作时/… or a ``TimeUnit``
    value). ``actor`` None: the platform (the demo); else it needs ``Action.URBAN_MANAGE``.
    Errors are located by list and position (``subclasses[3].code``)."""
    if actor is not None:
        require(actor, Action.URBAN_MANAGE)
    errors: list[FieldError] = []
    plan = check_rows(rows_from_data(data, errors), errors)
    return _store(plan, actor=actor, action="urban.categories_write", detail={})


def categories_export(*, actor: Any) -> bytes:
    """Every grid category, its units and stages, as the workbook ``categories_import`` reads
    back unchanged. Requires ``Action.URBAN_MANAGE``; audited."""
    require(actor, Action.URBAN_MANAGE)
    data = export_workbook()
    audit_record(
        actor=actor,
        action="urban.categories_export",
        object_type="urban.categories",
        detail={"categories": Category.objects.count()},
    )
    return data
