"""An order's attachment as a file, for the centre's and the units' pages: the bytes of
``services.attachments.attachment_open`` (authorised and audited there) with the type the content
was sniffed as (``nosniff``), never stored (``no-store``), a CSP of its own so that nothing in a
file loads anything (images also ``sandbox``); a PDF is downloaded (``attachment``), an image
shown in the browser (``inline``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from onewindow.hotline.models import OrderAttachment
from onewindow.hotline.services import attachments

FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def file_response(attachment: OrderAttachment, data: bytes) -> HttpResponse:
    paper = attachment.paper
    response = HttpResponse(data, content_type=paper.content_type)
    name = paper.original_name or f"attachment-{attachment.pk}"
    response["Content-Disposition"] = content_disposition_header(not paper.is_image, name) or (
        "inline" if paper.is_image else "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = f"{FILE_CSP}; sandbox" if paper.is_image else FILE_CSP
    return response


def open_attachment(request: HttpRequest, number: str, attachment_id: Any) -> HttpResponse:
    attachment, data = attachments.attachment_open(
        actor=request.user, number=number, attachment_id=attachment_id
    )
    return file_response(attachment, data)


def uploads_of(request: HttpRequest, field: str = "files") -> list[tuple[Any, str]]:
    """The files of a multipart form's ``field``, each with its name as uploaded; empty file
    inputs (a form sent without choosing a file) are left out."""
    return [(f, f.name or "") for f in request.FILES.getlist(field) if f.name or f.size]
