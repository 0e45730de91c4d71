"""A report as an Excel workbook (openpyxl), laid out as an official report: the title merged
and bold over the table, the unit, period and generated time beneath it, a bold bordered header
row that stays in view (frozen) and repeats on every printed page, numbers as numbers with their
formats (a percent as 0.0%), columns as wide as their text, A4 landscape fitted to the width."""

from __future__ import annotations

import io
import re
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from onewindow.reports.report import NUMBER_FORMATS, Kind, Report, cell_text, number

TITLE_ROW = 1
# The unit, period and generated time come under the title, then a blank row, then the table.
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F0F0F0")
FONT_NAME = "宋体"
MIN_WIDTH, MAX_WIDTH = 6, 60


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: two for a wide (CJK) character, one otherwise."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_title(text: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    return re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Sheet1"


# Styles made once: openpyxl shares equal styles, but building one per cell costs time.
BODY_FONT = Font(name=FONT_NAME)
BOLD_FONT = Font(name=FONT_NAME, bold=True)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
NUMBER_ALIGNMENT = Alignment(horizontal="right")
TEXT_ALIGNMENT = Alignment(horizontal="left", wrap_text=True)


def _write_table(sheet: Worksheet, report: Report, header_row: int) -> int:
    """The header, the rows and the totals from ``header_row``; the last row written."""
    for index, column in enumerate(report.columns, start=1):
        cell = sheet.cell(row=header_row, column=index, value=str(column.label))
        cell.font = BOLD_FONT
        cell.border = BORDER
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
    row_number = header_row
    rows = [(row, False) for row in report.rows]
    if report.totals is not None:
        rows.append((report.totals, True))
    for row, is_total in rows:
        row_number += 1
        for index, column in enumerate(report.columns, start=1):
            value = row.get(column.key)
            cell = sheet.cell(row=row_number, column=index)
            if column.numeric:
                cell.value = number(value)
                cell.number_format = NUMBER_FORMATS[column.kind]
                cell.alignment = NUMBER_ALIGNMENT
            else:
                if value is not None and value != "":
                    cell.value = str(value)
                    # Text stays text: a name that starts with "=" is never a formula.
                    cell.data_type = "s"
                cell.alignment = TEXT_ALIGNMENT
            cell.border = BORDER
            cell.font = BOLD_FONT if is_total else BODY_FONT
    return row_number


def _widths(report: Report) -> list[int]:
    widths = []
    texts = report.text_rows()
    for index, column in enumerate(report.columns):
        longest = max(
            [display_width(str(column.label))] + [display_width(row[index]) for row in texts]
        )
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
    return widths


def report_xlsx(report: Report) -> bytes:
    """The workbook of ``report``, one sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title(str(report.sheet_name or report.title))
    last_column = len(report.columns)
    letter = get_column_letter(last_column)

    def line(row: int, text: str, font: Font, height: float | None = None) -> None:
        cell = sheet.cell(row=row, column=1, value=text)
        cell.data_type = "s"
        cell.font = font
        cell.alignment = Alignment(horizontal="center" if row == TITLE_ROW else "left")
        if last_column > 1:
            sheet.merge_cells(f"A{row}:{letter}{row}")
        if height:
            sheet.row_dimensions[row].height = height

    line(TITLE_ROW, str(report.title), Font(name=FONT_NAME, bold=True, size=16), height=28)
    row = TITLE_ROW
    for text in report.heading_lines:
        row += 1
        line(row, text, Font(name=FONT_NAME, size=10.5))
    header_row = row + 2
    last_row = _write_table(sheet, report, header_row)
    row = last_row + 1
    for note in report.footnotes:
        row += 1
        line(row, str(note), Font(name=FONT_NAME, size=9))
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="left", wrap_text=True)

    for index, width in enumerate(_widths(report), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "&P / &N"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


__all__ = ["Kind", "cell_text", "display_width", "report_xlsx", "sheet_title"]
