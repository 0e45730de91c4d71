"""A case's electronic papers over the API: list them, upload one (multipart, the same checks
as the case page), and read a file or its thumbnail — each read audited, anyone outside the
case's centres and departments answered 404 exactly as for a paper that does not exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from onewindow.cases.api.staff.schemas import ERRORS, WRITE_ERRORS, CaseNumber
from onewindow.cases.models import CasePaper
from onewindow.cases.selectors import case_get_for_user
from onewindow.cases.services.papers import (
    REMOVAL_REASON_MAX,
    case_paper_add,
    case_paper_open,
    case_paper_remove,
    case_papers_for_user,
)
from onewindow.core.validation import RecordId, Text

router = Router()

FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
BINARY = {"schema": {"type": "string", "format": "binary"}}


def _binary_answer(description: str, types: tuple[str, ...]) -> dict[str, Any]:
    return {
        "responses": {200: {"description": description, "content": dict.fromkeys(types, BINARY)}}
    }


class CasePaperOut(Schema):
    id: int = Field(description="the case paper's id (path of the file and the thumbnail)")
    material: str = Field(description="材料名称: the checklist entry, or empty")
    material_id: int | None
    via: str = Field(description="window, online or reused (from the applicant's papers)")
    content_type: str = Field(description="application/pdf, image/jpeg or image/png (by content)")
    original_name: str
    size: int
    pages: int
    width: int | None
    height: int | None
    sha256: str = Field(description="SHA-256 of the file as kept")
    has_thumbnail: bool
    added_at: dt.datetime
    consent_at: dt.datetime | None


class CasePaperRemoveIn(Schema):
    reason: Text = Field(
        min_length=1,
        max_length=REMOVAL_REASON_MAX,
        description="why the paper is set aside (the wrong file, the wrong checklist entry)",
    )


def paper_out(link: CasePaper) -> dict[str, Any]:
    paper = link.paper
    return {
        "id": link.pk,
        "material": link.material.name if link.material else "",
        "material_id": link.material_id,
        "via": link.via,
        "content_type": paper.content_type,
        "original_name": paper.original_name,
        "size": paper.size,
        "pages": paper.pages,
        "width": paper.width,
        "height": paper.height,
        "sha256": paper.sha256,
        "has_thumbnail": bool(paper.thumbnail_name),
        "added_at": link.added_at,
        "consent_at": link.consent_at,
    }


@router.get(
    "/{number}/papers",
    response={200: list[CasePaperOut], **ERRORS},
    summary="The case's electronic papers (电子材料), in checklist order",
)
def case_papers(request: HttpRequest, number: CaseNumber) -> list[dict[str, Any]]:
    case = case_get_for_user(number=number, user=request.user)
    return [paper_out(link) for link in case_papers_for_user(case=case, user=request.user)]


@router.post(
    "/{number}/papers",
    response={200: CasePaperOut, **WRITE_ERRORS},
    summary="Upload a scanned paper (PDF, JPEG or PNG; checked by content, size and pages)",
    description=(
        "Multipart: `file` and optionally `material_id` (a checklist entry of the case). A file "
        "that is not a PDF, JPEG or PNG, not what its name says, too large, too long or damaged "
        "answers 422 `paper_refused` and nothing is kept."
    ),
)
def case_paper_upload(
    request: HttpRequest,
    number: CaseNumber,
    file: File[UploadedFile],
    material_id: Form[RecordId | None] = None,
) -> dict[str, Any]:
    case = case_get_for_user(number=number, user=request.user)
    link = case_paper_add(
        case=case,
        upload=file,
        name=file.name or "",
        actor=request.user,
        material_id=material_id,
    )
    return paper_out(link)


@router.post(
    "/{number}/papers/{paper_id}/remove",
    response={204: None, **WRITE_ERRORS},
    summary="Set a wrong scan aside (kept in the record with the reason, no longer served)",
    description=(
        "While the case is open, by the window that may add papers. A paper the applicant "
        "uploaded online answers 409 `paper_from_applicant` (ask for 补正 instead); a missing "
        "paper, another case's and one set aside already answer 404."
    ),
)
def case_paper_remove_endpoint(
    request: HttpRequest, number: CaseNumber, paper_id: RecordId, body: CasePaperRemoveIn
) -> Status:
    case = case_get_for_user(number=number, user=request.user)
    case_paper_remove(case=case, paper_id=paper_id, reason=body.reason, actor=request.user)
    return Status(204, None)


def _file(number: str, paper_id: int, user: Any, *, thumbnail: bool) -> HttpResponse:
    link, data = case_paper_open(number=number, paper_id=paper_id, user=user, thumbnail=thumbnail)
    paper = link.paper
    response = HttpResponse(
        data, content_type=paper.thumbnail_type if thumbnail else paper.content_type
    )
    response["Content-Disposition"] = (
        content_disposition_header(False, paper.original_name or f"paper-{paper.pk}") or "inline"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    sandboxed = thumbnail or paper.is_image
    response["Content-Security-Policy"] = f"{FILE_CSP}; sandbox" if sandboxed else FILE_CSP
    return response


@router.get(
    "/{number}/papers/{paper_id}/file",
    response=ERRORS,
    summary="The paper's file, as kept (every read audited)",
    openapi_extra=_binary_answer("the file", ("application/pdf", "image/jpeg", "image/png")),
)
def case_paper_file(request: HttpRequest, number: CaseNumber, paper_id: RecordId) -> HttpResponse:
    return _file(number, paper_id, request.user, thumbnail=False)


@router.get(
    "/{number}/papers/{paper_id}/thumbnail",
    response=ERRORS,
    summary="The thumbnail of an image paper (every read audited; a PDF has none: 404)",
    openapi_extra=_binary_answer("the thumbnail", ("image/jpeg", "image/png")),
)
def case_paper_thumbnail(
    request: HttpRequest, number: CaseNumber, paper_id: RecordId
) -> HttpResponse:
    return _file(number, paper_id, request.user, thumbnail=True)


__all__ = ["router"]
