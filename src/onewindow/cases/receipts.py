"""Printed papers of the intake window: the acceptance receipt (受理通知书), the notice asking for
missing papers (补正通知书) and the notice of non-acceptance (不予受理通知书), as PDF.

Rendered with WeasyPrint from Django templates (``cases/receipt*.html``, ``cases/notice_*.html``)
in the site's default language. Everything a page needs is inline (CSS in the template, the QR
code as a data URI, fonts from the system: Noto CJK), and the URL fetcher refuses anything that
is not a ``data:`` URI, so rendering never reaches the network or the file system. One font
family in two weights is embedded, each face re-packed with only the glyphs drawn
(``reports/pdf_fonts.py``): a receipt of ten papers is about 50 KB.

A rendered paper is kept in the ``documents`` cache (files under ``var/``, never under
``MEDIA_ROOT`` or any URL: a paper is only offered by the audited views of
``views/staff/documents.py``), keyed by the case number and a digest of the page's HTML (with
the renderer's versions). The HTML is made from the case at its current revision and everything
else printed (applicant, centre, clerk, language, templates), so an unchanged case is served
without rendering and any change that shows on the paper renders it anew. ``RENDERS`` counts
the renderings of this process.

The applicant appears by name and masked document number only: a receipt is handed over the
counter, photographed and sometimes lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import segno
import weasyprint
from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import ApplicantType, Case, MaterialStatus
from onewindow.cases.rating_links import rating_link
from onewindow.cases.selectors import QUERY_CODE_HIDDEN
from onewindow.cases.transitions import CaseState
from onewindow.catalog.codes import time_limit_text
from onewindow.core.errors import ApplicationError
from onewindow.reports.pdf import html_to_pdf
from onewindow.reports.pdf_fonts import FONT_PACKING_VERSION

logger = logging.getLogger(__name__)

DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"

DOCUMENT_CACHE = "documents"
# Part of a cached paper's key with the versions of WeasyPrint and of the font packing: raise it
# when the rendering changes in a way the HTML does not show (options, the URL fetcher).
RENDERING_VERSION = "1"


def progress_url(*, case: Case) -> str:
    """The absolute address of the case's public progress page with the number filled in, as
    printed on the paper (the query code is printed beside it, never in it)."""
    base = getattr(settings, "PUBLIC_BASE_URL", DEFAULT_PUBLIC_BASE_URL).rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("cases_public:progress")
    return f"{base}{path}?{urlencode({'number': case.number})}"


def progress_qr_text(*, case: Case) -> str:
    """What the QR code holds: the progress address with the query code in the fragment
    (``…/progress/?number=N#code=XXXX``). A browser never sends a fragment to a server, so the
    code stays out of access logs, proxies and referrers; the page's script fills the form from
    it and sends it by POST (``views/public.py``)."""
    return f"{progress_url(case=case)}#{urlencode({'code': case.query_code})}"


def _qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=4, border=2)


# The window's moves a receipt or notice is printed for: its second QR code rates that visit.
VISIT_EVENTS = ("accept", "complete_instant", "request_supplement", "refuse")


def rating_qr_text(*, case: Case) -> str:
    """What the receipt's second QR code holds: the rating link of the visit the paper was
    printed for (``rating_links``, a signed ``/r/<token>``: no query code), or ``""``."""
    event = case.events.filter(action__in=VISIT_EVENTS).order_by("-at", "-id").first()
    if event is None:
        return ""
    return rating_link(case=case, channel="qr", event=event)


@dataclass(frozen=True)
class Applicant:
    name: str
    kind: str
    document_label: str
    document: str  # masked, or the public credit code of an organisation


def _applicant(case: Case) -> Applicant:
    if case.applicant_type == ApplicantType.LEGAL_PERSON and case.organisation is not None:
        organisation = case.organisation
        return Applicant(
            name=organisation.name,
            kind=str(case.get_applicant_type_display()),
            document_label=str(_("Unified social credit code")),
            document=organisation.uscc,
        )
    person = case.person
    return Applicant(
        name=person.name if person else "",
        kind=str(case.get_applicant_type_display()),
        document_label=str(person.get_id_type_display()) if person else "",
        document=person.id_number_masked if person else "",
    )


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else None


def _common_context(case: Case, *, with_query_code: bool = True) -> dict[str, Any]:
    snapshot = case.item_version.snapshot
    centre = case.centre
    return {
        "case": case,
        "centre": centre,
        "department_name": snapshot.get("department_name") or case.department.name,
        "item_name": snapshot["name"],
        "item_code": snapshot.get("implementation_code", ""),
        "item_version": case.item_version.number,
        "applicant": _applicant(case),
        "submitted_at": _local(case.submitted_at),
        "consult_phone": snapshot.get("consult_phone") or centre.phone,
        "clerk_name": case.clerk.get_full_name() or case.clerk.get_username(),
        "window": case.window,
        # A reprint for someone who does not hand papers to the applicant (a department of the
        # case) keeps the code off the paper and out of the QR code: only the number.
        "query_code": case.query_code if with_query_code else QUERY_CODE_HIDDEN,
        "progress_url": progress_url(case=case),
        "qr_data_uri": _qr_data_uri(
            progress_qr_text(case=case) if with_query_code else progress_url(case=case)
        ),
        # Only the applicant's own copy asks them to rate the visit.
        "rating_qr_data_uri": _rating_qr(case) if with_query_code else "",
    }


def _rating_qr(case: Case) -> str:
    text = rating_qr_text(case=case)
    return _qr_data_uri(text) if text else ""


# More papers than this are set tighter (``dense`` in ``receipt_base.html``): ten fit one page.
DENSE_AFTER_PAPERS = 6


class RenderCount:
    """The number of papers this process rendered with WeasyPrint (cache misses)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self) -> None:
        with self._lock:
            self.value += 1


RENDERS = RenderCount()


def _cache_key(number: str, html: str) -> str:
    versions = (RENDERING_VERSION, FONT_PACKING_VERSION, weasyprint.__version__)
    digest = hashlib.sha256("\0".join((*versions, html)).encode()).hexdigest()
    return f"cases.pdf:{number}:{digest}"


def _page(template: str, context: dict[str, Any]) -> str:
    """The HTML of a paper, in the site's language."""
    listed = sum(len(context.get(key) or []) for key in ("received", "deferred", "papers"))
    context = {**context, "dense": listed > DENSE_AFTER_PAPERS}
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, context)


def _pdf(case: Case, html: str) -> bytes:
    """The paper of ``html`` from the cache, else rendered (and counted in ``RENDERS``)."""
    key = _cache_key(case.number, html)
    # Without the alias (settings overridden) or with a cache that fails, the paper is rendered.
    cache = caches[DOCUMENT_CACHE] if DOCUMENT_CACHE in settings.CACHES else None
    cached = None
    if cache is not None:
        try:
            cached = cache.get(key)
        except Exception:
            logger.warning("document cache unavailable", exc_info=True)
    if isinstance(cached, bytes):
        return cached
    pdf = html_to_pdf(html)
    RENDERS.add()
    if cache is not None:
        try:
            cache.set(key, bytes(pdf))
        except Exception:
            logger.warning("document cache unavailable", exc_info=True)
    return bytes(pdf)


def _case(case: Case) -> Case:
    return (
        Case.objects.select_related(
            "item_version",
            "department",
            "centre",
            "output_centre",
            "window",
            "clerk",
            "person",
            "organisation",
        )
        .prefetch_related("materials")
        .get(pk=case.pk)
    )


def case_receipt_pdf(*, case: Case, with_query_code: bool = True) -> bytes:
    """受理通知书: what was received, what is still owed under 容缺 and by when, the promised
    completion date, how to collect the result and how to follow the case (query code + QR)."""
    case = _case(case)
    return _pdf(case, _receipt_page(case, with_query_code=with_query_code))


def _receipt_page(case: Case, *, with_query_code: bool = True) -> str:
    if case.accepted_at is None:
        raise ApplicationError(
            _("This application was not accepted: there is no acceptance receipt."),
            code="not_accepted",
            status=409,
        )
    materials = list(case.materials.all())
    context = _common_context(case, with_query_code=with_query_code)
    context.update(
        {
            "accepted_at": _local(case.accepted_at),
            "due_on": timezone.localtime(case.due_at).date() if case.due_at else None,
            "time_limit": case.time_limit,
            "time_limit_unit": case.get_time_limit_unit_display(),
            "time_limit_text": time_limit_text(case.time_limit, case.time_limit_unit),
            "received": [m for m in materials if m.status == MaterialStatus.RECEIVED],
            "deferred": [m for m in materials if m.status == MaterialStatus.DEFERRED],
            "output_method": case.get_output_method_display(),
            "output_centre": case.output_centre,
            # The date under the seal is the day of the act the paper records, so a reprint is
            # the same paper.
            "issued_on": timezone.localdate(case.accepted_at),
        }
    )
    return _page("cases/receipt.html", context)


def _supplement_notice(case: Case, *, with_query_code: bool = True) -> str:
    event = case.events.filter(action="request_supplement").order_by("-at", "-id").first()
    names = {m.name: m for m in case.materials.all()}
    papers = []
    for paper in (event.data.get("papers", []) if event else []) or []:
        material = names.get(paper["name"])
        papers.append(
            {
                "name": paper["name"],
                "status": MaterialStatus(paper["status"]).label,
                "problem": paper.get("problem", ""),
                "order": material.order if material else 0,
            }
        )
    papers.sort(key=lambda p: p["order"])
    context = _common_context(case, with_query_code=with_query_code)
    context.update(
        {
            "papers": papers,
            "deadline": case.supplement_deadline,
            "note": event.reason if event else "",
            "received": [m for m in case.materials.all() if m.status == MaterialStatus.RECEIVED],
            "issued_on": timezone.localdate(event.at) if event else None,
        }
    )
    return _page("cases/notice_supplement.html", context)


def _refusal_notice(case: Case, *, with_query_code: bool = True) -> str:
    event = case.events.filter(action="refuse").order_by("-at", "-id").first()
    context = _common_context(case, with_query_code=with_query_code)
    context.update(
        {
            "reasons": event.reason if event else "",
            "refused_at": _local(event.at) if event else None,
            "received": [m for m in case.materials.all() if m.status == MaterialStatus.RECEIVED],
            "issued_on": timezone.localdate(event.at) if event else None,
        }
    )
    return _page("cases/notice_refusal.html", context)


def case_notice_pdf(*, case: Case, with_query_code: bool = True) -> bytes:
    """The intake paper that fits the case's state: 补正 notice, 不予受理 notice, or the
    acceptance receipt for a case that was accepted."""
    case = _case(case)
    if case.state == CaseState.SUPPLEMENT_REQUESTED:
        return _pdf(case, _supplement_notice(case, with_query_code=with_query_code))
    if case.state == CaseState.REFUSED:
        return _pdf(case, _refusal_notice(case, with_query_code=with_query_code))
    return _pdf(case, _receipt_page(case, with_query_code=with_query_code))
