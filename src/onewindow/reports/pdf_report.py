"""A report as a PDF (WeasyPrint, Noto CJK, ``pdf.html_to_pdf``), laid out as an official
report: the title, the unit, period and generated time, the table with its header repeated on
every page, the totals row in bold, footnotes, and "page N of M" at the foot of each page."""

from __future__ import annotations

import re

from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext

from onewindow.reports.pdf import html_to_pdf
from onewindow.reports.report import Report


def page_counter() -> str:
    """The CSS ``content`` of the page footer, from the translated "Page N of M"."""
    text = gettext("Page %(page)s of %(pages)s")
    parts = re.split(r"(%\((?:page|pages)\)s)", text)
    counters = {"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}
    return " ".join(counters.get(part) or css_string(part) for part in parts if part)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return f'"{escaped}"'


def report_html(report: Report) -> str:
    texts = report.text_rows()
    numeric = [column.numeric for column in report.columns]
    rows = [
        {"cells": list(zip(cells, numeric, strict=True)), "total": index >= len(report.rows)}
        for index, cells in enumerate(texts)
    ]
    return render_to_string(
        "reports/report.html",
        {
            "report": report,
            "rows": rows,
            "page_counter": page_counter(),
            "language": get_language() or "zh-Hans",
        },
    )


def report_pdf(report: Report) -> bytes:
    """The PDF of ``report``, in the active language."""
    return html_to_pdf(report_html(report))
