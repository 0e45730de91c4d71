"""HTML to PDF for every paper and report the platform prints: WeasyPrint, fonts from the system
(Noto CJK), the embedded faces re-packed with only the glyphs drawn (``pdf_fonts.py``), and a URL
fetcher that refuses anything that is not a ``data:`` URI, so rendering never reaches the network
or the file system."""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from onewindow.reports.pdf_fonts import compact_cid_fonts


class LocalOnlyFetcher(URLFetcher):
    """Fetches ``data:`` URIs only: a printed page never loads anything from outside."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"})


def html_to_pdf(html: str) -> bytes:
    """The PDF of ``html`` (a whole document with its CSS inline)."""
    pdf = HTML(string=html, url_fetcher=LocalOnlyFetcher()).write_pdf(finisher=compact_cid_fonts)
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return bytes(pdf)
