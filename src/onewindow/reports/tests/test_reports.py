"""The one export machinery: a small report read back from its workbook (openpyxl) and its PDF
(poppler's ``pdftotext``), cell by cell and line by line, and answered as a download."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from onewindow.core.errors import ApplicationError
from onewindow.reports.pdf_report import page_counter, report_pdf
from onewindow.reports.report import Column, Kind, Report, cell_text, cut_rows, export_limit
from onewindow.reports.responses import export_format, report_response
from onewindow.reports.xlsx import display_width, report_xlsx, sheet_title

GENERATED = dt.datetime(2026, 12, 2, 8, 49, tzinfo=dt.UTC)  # 16:49 in Shanghai


def small_report(**overrides) -> Report:
    fields = {
        "title": "部门满意度统计表",
        "unit": "测试街道便民服务中心",
        "slug": "department-ratings",
        "period_label": "2026年11月",
        "period_start": dt.date(2026, 11, 1),
        "period_end": dt.date(2026, 11, 30),
        "generated_at": GENERATED,
        "columns": [
            Column("name", "部门"),
            Column("count", "评价数", Kind.INTEGER),
            Column("share", "满意率", Kind.PERCENT),
            Column("score", "平均分", Kind.DECIMAL),
            Column("days", "平均用时（天）", Kind.DAYS),
        ],
        "rows": [
            {"name": "市场监督管理局", "count": 12, "share": 0.8333, "score": 4.25, "days": 3.5},
            {"name": "=住建局", "count": 3, "share": None, "score": None, "days": None},
        ],
        "totals": {"name": "合计", "count": 15, "share": 0.8, "score": 4.1, "days": 2.25},
        "footnotes": ["满意率 = 3–5 分的评价数 ÷ 全部评价数"],
    }
    fields.update(overrides)
    return Report(**fields)


def pdf_pages(pdf: bytes, tmp_path) -> list[list[str]]:
    """The text of each page of the PDF, as its non-empty lines."""
    assert pdf.startswith(b"%PDF-")
    executable = shutil.which("pdftotext")
    assert executable, "pdftotext is missing: install Debian's poppler-utils"
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        [executable, "-enc", "UTF-8", str(source), "-"], check=True, capture_output=True
    )
    pages = out.stdout.decode().split("\f")
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in pages[:-1]]


def test_the_workbook_holds_every_line_and_cell_of_the_report_formatted():
    book = load_workbook(io.BytesIO(report_xlsx(small_report())))
    assert book.sheetnames == ["部门满意度统计表"]
    sheet = book.active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["部门满意度统计表", None, None, None, None],
        ["单位：测试街道便民服务中心", None, None, None, None],
        ["统计期间：2026年11月（2026-11-01 至 2026-11-30）", None, None, None, None],
        ["生成时间：2026-12-02 16:49", None, None, None, None],
        [None, None, None, None, None],
        ["部门", "评价数", "满意率", "平均分", "平均用时（天）"],
        ["市场监督管理局", 12, 0.8333, 4.25, 3.5],
        ["=住建局", 3, None, None, None],
        ["合计", 15, 0.8, 4.1, 2.25],
        [None, None, None, None, None],
        ["满意率 = 3–5 分的评价数 ÷ 全部评价数", None, None, None, None],
    ]
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == [
        "A11:E11",
        "A1:E1",
        "A2:E2",
        "A3:E3",
        "A4:E4",
    ]
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 16
    assert all(cell.font.b and cell.border.top.style == "thin" for cell in sheet[6])
    assert [cell.font.b for cell in sheet[7]] == [False] * 5
    assert [cell.font.b for cell in sheet[9]] == [True] * 5
    assert [cell.number_format for cell in sheet[7]] == ["General", "0", "0.0%", "0.00", "0.0"]
    # A name that starts with "=" stays text, never a formula.
    assert sheet["A8"].data_type == "s"
    assert sheet.freeze_panes == "A7"
    assert sheet.print_title_rows == "$6:$6"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    # Each column as wide as its longest text (a CJK character counts two), plus a margin.
    assert [sheet.column_dimensions[c].width for c in "ABCDE"] == [16, 8, 8, 8, 16]


def test_the_pdf_prints_the_title_lines_table_totals_notes_and_page_number(tmp_path):
    assert pdf_pages(report_pdf(small_report()), tmp_path) == [
        [
            "部门满意度统计表",
            "单位：测试街道便民服务中心",
            "统计期间：2026年11月（2026-11-01 至 2026-11-30）",
            "生成时间：2026-12-02 16:49",
            "部门",
            "评价数",
            "满意率",
            "平均分",
            "平均用时（天）",
            "市场监督管理局",
            "12",
            "83.3%",
            "4.25",
            "3.5",
            "=住建局",
            "3",
            "—",
            "—",
            "—",
            "合计",
            "15",
            "80.0%",
            "4.10",
            "2.2",
            "满意率 = 3–5 分的评价数 ÷ 全部评价数",
            "第 1 页，共 1 页",
        ]
    ]


def test_a_long_pdf_repeats_the_header_on_every_page_and_numbers_the_pages(tmp_path):
    rows = [
        {"name": f"部门{n:03d}", "count": n, "share": 1, "score": 5, "days": 1} for n in range(90)
    ]
    pages = pdf_pages(report_pdf(small_report(rows=rows, totals=None, footnotes=())), tmp_path)
    assert len(pages) == 4
    for number, page in enumerate(pages, start=1):
        assert page[-1] == f"第 {number} 页，共 4 页"
        header = page.index("部门")
        assert page[header : header + 5] == ["部门", "评价数", "满意率", "平均分", "平均用时（天）"]
    names = [line for page in pages for line in page if line.startswith("部门0")]
    assert names == [f"部门{n:03d}" for n in range(90)]


def test_a_report_in_english_prints_english_lines(tmp_path):
    from django.utils import translation

    with translation.override("en"):
        lines = pdf_pages(report_pdf(small_report(rows=[], totals=None)), tmp_path)[0]
        assert page_counter() == '"Page " counter(page) " of " counter(pages)'
    assert lines[1:4] == [
        "Unit: 测试街道便民服务中心",
        "Period: 2026年11月 (2026-11-01 to 2026-11-30)",
        "Generated: 2026-12-02 16:49",
    ]
    # (pdftotext reads the wide last header cell after the foot of the page)
    assert lines[-3:] == ["满意率 = 3–5 分的评价数 ÷ 全部评价数", "Page 1 of 1", "平均用时（天）"]


def test_a_report_without_a_period_has_no_period_line():
    report = small_report(period_label="", period_start=None, period_end=None)
    assert report.heading_lines == ["单位：测试街道便民服务中心", "生成时间：2026-12-02 16:49"]
    assert small_report(period_start=None, period_end=None).period_line == "统计期间：2026年11月"


def test_values_are_printed_by_their_kind():
    assert [cell_text(v, Kind.PERCENT) for v in (0, 0.8535, 1)] == ["0.0%", "85.4%", "100.0%"]
    assert cell_text(7, Kind.INTEGER) == "7"
    assert cell_text(None, Kind.INTEGER) == "—"
    assert cell_text(None, Kind.TEXT) == ""
    assert cell_text(3.456, Kind.DECIMAL) == "3.46"
    assert cell_text(3.44, Kind.DAYS) == "3.4"
    assert display_width("合计 A") == 6
    assert sheet_title("a/b:c[d]*e?f" + "长" * 40) == ("a b c d  e f" + "长" * 40)[:31]


def test_a_report_needs_an_ascii_slug_and_distinct_columns():
    with pytest.raises(ValueError, match="slug"):
        small_report(slug="部门")
    with pytest.raises(ValueError, match="distinct keys"):
        small_report(columns=[Column("a", "A"), Column("a", "B")])


def test_rows_beyond_the_maximum_are_cut_and_the_report_says_so():
    rows = [{"n": n} for n in range(5)]
    assert cut_rows(rows, 5, limit=5) == (rows, [])
    assert (export_limit("xlsx"), export_limit("pdf")) == (5000, 500)
    kept, notes = cut_rows(rows[:3], 8, limit=3)
    assert kept == rows[:3]
    assert [str(note) for note in notes] == [
        "仅导出了全部 8 行中的前 3 行。请在页面上缩小筛选范围，分批导出。"
    ]


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("pdf", "application/pdf", "pdf"),
    ],
)
def test_the_download_has_its_type_and_a_utf8_chinese_file_name(fmt, content_type, extension):
    response = report_response(small_report(), fmt)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    name = quote(f"部门满意度统计表_20261202.{extension}")
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"department-ratings_20261202.{extension}\"; filename*=UTF-8''{name}"
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response.content[:4] == (b"PK\x03\x04" if fmt == "xlsx" else b"%PDF")


@pytest.mark.parametrize("fmt", ["csv", "", None, "XLSX", "pdf "])
def test_an_unknown_format_is_a_clear_400_error(fmt):
    with pytest.raises(ApplicationError) as raised:
        export_format(fmt)
    assert raised.value.status == 400
    assert (
        raised.value.as_dict()["message"]
        == "不提供此导出格式。请在页面上选择 Excel（xlsx）或 PDF（pdf）。"
    )
    with pytest.raises(ApplicationError):
        report_response(small_report(), fmt or "")


def test_a_file_name_keeps_no_path_or_quote():
    report = small_report(
        title='办件/"统计"', generated_at=timezone.make_aware(dt.datetime(2026, 1, 5))
    )
    assert report.file_name("pdf") == "办件-统计_20260105.pdf"
