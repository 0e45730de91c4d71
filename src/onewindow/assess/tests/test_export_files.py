"""The three tables exported to Excel and PDF for the hand-built month: the files read back
(openpyxl; pdftotext) carry the figures of the tables; the permission comes first."""

from __future__ import annotations

import io
import subprocess

import openpyxl
import pytest
from django.test import Client

from onewindow.core.models import AuditLog

pytestmark = pytest.mark.django_db


def get(month, user, table: str, fmt: str):
    client = Client()
    client.force_login(user)
    return client.get(
        f"/staff/assess/export/{table}/?unit=c:{month.centre.code}&month=2026-11&format={fmt}"
    )


def cells(answer) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = book.worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def row_of(rows: list[list], first: str) -> list:
    return next(r for r in rows if r and r[0] == first)


def pdf_text(answer) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=answer.content, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_table_1_in_excel_carries_every_figure(month):
    answer = get(month, month.manager, "ratings", "xlsx")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = cells(answer)
    a = row_of(rows, "区住房和建设局")
    assert a[1:12] == [4, 1, 1, 0, 1, 1, 0, 0.5, 2, 0, 1]
    total = row_of(rows, "合计")
    assert total[1:12] == [7, 2, 1, 1, 2, 1, 1, pytest.approx(0.571), 3, 1, 1]
    assert AuditLog.objects.filter(action="assess.export", actor=month.manager).count() == 1


def test_table_2_in_excel_and_pdf(month):
    rows = cells(get(month, month.manager, "efficiency", "xlsx"))
    a = row_of(rows, "区住房和建设局")
    assert a[1:13] == [5, 4, 3, 0.75, 4.5, 4.8, 2, 1, 2, 0.4, 0, 0]
    total = row_of(rows, "合计")
    assert total[1:13] == [8, 7, 6, pytest.approx(0.857), 4.0, 4.2, 3, 1, 2, 0.25, 2, 0.25]
    text = pdf_text(get(month, month.manager, "efficiency", "pdf"))
    assert "区住房和建设局" in text and "75.0%" in text and "85.7%" in text
    assert "30 %" in text  # the instant-item target in the footnote


def test_table_3_in_excel_and_pdf(month):
    rows = cells(get(month, month.manager, "ranking", "xlsx"))
    star = row_of(rows, 1)
    assert star[1:10] == ["王小明", 5, 0, 0, None, 0, 3, pytest.approx(3.67), 91.4]
    text = pdf_text(get(month, month.manager, "ranking", "pdf"))
    assert "王小明" in text and "91.4" in text and "53.3" in text


def test_an_export_checks_the_permission_first_and_the_format(month):
    assert get(month, month.clerk, "ratings", "xlsx").status_code == 403
    other = Client()
    assert other.get("/staff/assess/export/ratings/?format=xlsx").status_code == 302
    assert get(month, month.manager, "ratings", "doc").status_code == 400
    assert get(month, month.manager, "nope", "xlsx").status_code == 404
    assert AuditLog.objects.filter(action="assess.export").count() == 0
