"""A report answered as a download: the workbook or the PDF, with its Chinese file name
(RFC 6266 / RFC 5987: ``filename*=UTF-8''…``, an ASCII name beside it for old clients)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError
from onewindow.reports.pdf_report import report_pdf
from onewindow.reports.report import Report
from onewindow.reports.xlsx import report_xlsx

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMATS = tuple(CONTENT_TYPES)


class ExportFormatUnknown(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            message=_(
                "This export format is not offered. Choose Excel (xlsx) or PDF (pdf) on the page."
            ),
            code="export_format",
            status=400,
        )


def export_format(value: str | None) -> str:
    """``value`` when it names a format offered ("xlsx", "pdf"), else ``ExportFormatUnknown``
    (answered as a 400 page by ``staff_page``)."""
    if value not in CONTENT_TYPES:
        raise ExportFormatUnknown()
    return value


def content_disposition(*, file_name: str, ascii_name: str) -> str:
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def report_response(report: Report, fmt: str) -> HttpResponse:
    """``report`` as an attachment in ``fmt`` (checked first: ``export_format``)."""
    fmt = export_format(fmt)
    body = report_xlsx(report) if fmt == "xlsx" else report_pdf(report)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition(
        file_name=report.file_name(fmt), ascii_name=report.ascii_file_name(fmt)
    )
    # Reports carry figures of the user's scope: not kept by shared caches.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
