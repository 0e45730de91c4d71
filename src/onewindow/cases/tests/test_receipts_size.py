"""The intake papers are small: one font family in two weights, each face re-packed with only the
glyphs drawn (``reports/pdf_fonts.py``), and the text still extractable. Fonts are listed by
poppler's ``pdffonts`` and pages drawn by its ``pdftoppm`` (Debian ``poppler-utils``)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

from django.utils import timezone
from weasyprint import HTML

from onewindow.cases.models import MaterialStatus
from onewindow.cases.receipts import _case, _receipt_page, case_receipt_pdf
from onewindow.cases.services import MaterialReceipt, case_accept
from onewindow.cases.tests.test_receipt_one_page import NAMES, big_item
from onewindow.cases.tests.test_receipts import page_count, pdf_text
from onewindow.reports.pdf import LocalOnlyFetcher
from onewindow.reports.pdf_fonts import compact_cid_fonts

LIMIT = 150 * 1024


def ten_paper_case(city):
    item = big_item(city, count=10, deferred=2)
    due = timezone.localdate() + dt.timedelta(days=5)
    receipts = [
        MaterialReceipt(name=m.name, status=MaterialStatus.DEFERRED, due_date=due)
        if n >= 8
        else MaterialReceipt(name=m.name, status=MaterialStatus.RECEIVED, copies=2)
        for n, m in enumerate(item.materials.order_by("order", "id"))
    ]
    return case_accept(intake=city.intake(item=item, materials=receipts, promise_signed=True))


def fonts(pdf: bytes, tmp_path) -> list[tuple[str, str, str, str]]:
    """(name without the subset tag, type, embedded, subset) of every font, from pdffonts."""
    source = tmp_path / "fonts.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        [shutil.which("pdffonts") or "pdffonts", str(source)], check=True, capture_output=True
    )
    rows = []
    for line in out.stdout.decode().splitlines()[2:]:
        name, rest = line.split(maxsplit=1)
        # "CID Type 0C       Identity-H       yes yes yes     17  0"
        columns = rest.split()
        rows.append((name.split("+", 1)[1], " ".join(columns[:-6]), columns[-5], columns[-4]))
    return sorted(rows)


def test_the_receipt_of_ten_papers_is_small_one_page_and_its_text_extractable(city, tmp_path):
    case = ten_paper_case(city)
    pdf = case_receipt_pdf(case=case)

    assert len(pdf) <= LIMIT
    assert page_count(pdf, tmp_path) == 1
    text = pdf_text(pdf, tmp_path)
    assert case.number in text
    assert case.query_code in text
    for name in NAMES:
        assert "".join(name.split()) in text
    assert fonts(pdf, tmp_path) == [
        ("Noto-Serif-CJK-SC", "CID Type 0C", "yes", "yes"),
        ("Noto-Serif-CJK-SC-Bold", "CID Type 0C", "yes", "yes"),
    ]


def gray_pixels(pdf: bytes, tmp_path, name: str) -> bytes:
    """The page drawn by pdftoppm at 100 dpi in 8-bit gray (PGM: three header lines, then the
    pixels)."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    program = shutil.which("pdftoppm") or "pdftoppm"
    options = ["-r", "100", "-gray", "-singlefile"]
    subprocess.run([program, *options, str(source), str(tmp_path / name)], check=True)
    return (tmp_path / f"{name}.pgm").read_bytes().split(b"\n", 3)[3]


def test_the_packed_fonts_draw_the_page_weasyprint_drew(city, tmp_path):
    """The same page with WeasyPrint's own font subsets and with the re-packed ones: a glyph
    looked up under a wrong number would draw another character (or none) and change most of
    its ink; the packed page may differ only by a few anti-aliased edge pixels."""
    case = ten_paper_case(city)
    packed = case_receipt_pdf(case=case)
    html = _receipt_page(_case(case))
    unpacked = HTML(string=html, url_fetcher=LocalOnlyFetcher()).write_pdf()
    assert unpacked is not None
    assert len(unpacked) > 4 * len(packed)
    assert pdf_text(unpacked, tmp_path) == pdf_text(packed, tmp_path)

    before = gray_pixels(unpacked, tmp_path, "unpacked")
    after = gray_pixels(packed, tmp_path, "packed")
    assert len(before) == len(after)
    ink = sum(1 for pixel in before if pixel < 128)
    assert ink > 20_000  # the page has its text
    changed = sum(1 for a, b in zip(before, after, strict=True) if abs(a - b) > 96)
    assert changed < ink // 50


def test_a_page_without_cid_fonts_is_left_as_weasyprint_made_it():
    """The finisher touches only CID-keyed CFF fonts: a page with no text has none."""
    html = "<html><body><div style='width:1cm;height:1cm;background:#000'></div></body></html>"
    plain = HTML(string=html).write_pdf()
    finished = HTML(string=html).write_pdf(finisher=compact_cid_fonts)
    assert plain is not None
    assert finished == plain
