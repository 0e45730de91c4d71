"""The catalogue as an .xlsx workbook: template, export, and a check-then-apply import.

The workbook layout is declared once, in ``SHEETS`` (``layout``): every sheet, every column,
its bilingual header ("中文 / english_key"), what it holds and whether it is required. The
template, the export, the read-me sheet, the importer and ``docs/catalog-workbook.md`` all
follow it.

Import runs in two steps so that a bad file is rejected whole:

1. ``catalog_import_check`` (``read``) reads everything and collects every problem as a
   ``FieldError`` located by sheet, Excel row number and column (letter and header), including
   every consistency rule of ``rules.item_rules_check``. It writes nothing.
2. ``catalog_import_apply`` (``apply``) stores a plan without errors in one transaction through
   ``services.item_save`` / ``item_publish``: all items and topics, or nothing.

Modules: ``layout`` (sheets, columns, code names, cell-value basics), ``write`` (template and
export), ``parse`` (sheet headers and cell parsing), ``read`` (the check and its plan),
``apply`` (storing a plan). Other modules import from this package only.
"""

from onewindow.catalog.excel.apply import catalog_import_apply, errors_as_text
from onewindow.catalog.excel.layout import (
    CHILD_SHEETS,
    CHINESE_NAMES,
    FEES,
    FORM_FIELDS,
    ITEMS,
    MATERIALS,
    PROGRESS_EVERY,
    README_SHEET_NAME,
    SHEETS,
    STEPS,
    TOPICS_SHEET,
    Column,
    Progress,
    SheetLayout,
    code_value_table,
)
from onewindow.catalog.excel.read import (
    ImportPlan,
    PlannedItem,
    PlannedTopic,
    catalog_import_check,
)
from onewindow.catalog.excel.write import catalog_export, catalog_template

__all__ = [
    "CHILD_SHEETS",
    "CHINESE_NAMES",
    "FEES",
    "FORM_FIELDS",
    "ITEMS",
    "MATERIALS",
    "PROGRESS_EVERY",
    "README_SHEET_NAME",
    "SHEETS",
    "STEPS",
    "TOPICS_SHEET",
    "Column",
    "ImportPlan",
    "PlannedItem",
    "PlannedTopic",
    "Progress",
    "SheetLayout",
    "catalog_export",
    "catalog_import_apply",
    "catalog_import_check",
    "catalog_template",
    "code_value_table",
    "errors_as_text",
]
