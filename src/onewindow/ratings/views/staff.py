"""The staff pages of the bad-rating loop (差评整改): the rectification queue with its lights and
indicators, one rectification (the rating, the timeline, the moves allowed now, the rater's
phone revealed to call), "my ratings" for the rated staff (nothing that names the rater) with
the appeal, and the centre manager's appeals to review. Each page calls one service or
selector; refusals come back as the one 404 / 403 page through ``staff_page``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from onewindow.applicants.services import organisation_reveal, person_reveal
from onewindow.cases.models import ApplicantType
from onewindow.core.errors import ApplicationError, NotFoundOrForbidden, PermissionDenied
from onewindow.core.validation import record_id
from onewindow.org.permissions import Action, can, require
from onewindow.ratings import rectify_selectors as selectors
from onewindow.ratings.codes import Level
from onewindow.ratings.events import RECTIFICATION_EVENTS
from onewindow.ratings.indicators import TARGET_PERCENT, rectification_figures
from onewindow.ratings.masking import mask_personal
from onewindow.ratings.models import CallbackResult, RatedStaff, Rectification
from onewindow.ratings.services import rectify
from onewindow.ratings.transitions import OPEN_STATES
from onewindow.staff.decorators import staff_page
from onewindow.workflow.clock import LIGHT_LABELS, light_boundaries

PAGE_SIZE = 50
TEMPLATES = "ratings/rectify/"
MOVE_DONE = {
    "verify": _("The call-back is recorded."),
    "fix_now": _("The fix is recorded; the rater is told."),
    "ledger": _("Put on the ledger; the rater is told the deadline."),
    "submit_fix": _("The fix is recorded; the rater is told."),
    "explain": _("The explanation is recorded; the rater is told."),
    "uphold_appeal": _("The appeal is upheld: the rating no longer counts in the scores."),
    "reject_appeal": _("The appeal is rejected: the department resolves the rating."),
    "recheck": _("The call-back after the fix is recorded; the rectification is closed."),
}


def _revision(request: HttpRequest) -> int:
    """The revision the page showed; a missing or malformed one is refused as stale (-1)."""
    value = request.POST.get("revision", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else -1


def _shown(exc: ApplicationError) -> dict[str, Any]:
    if isinstance(exc, NotFoundOrForbidden | PermissionDenied):
        raise exc
    return exc.as_dict()


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    return render(
        request, f"{TEMPLATES}{template}", {"light_labels": LIGHT_LABELS, **context}, status=status
    )


# --- the queue -------------------------------------------------------------------------------


@require_safe
@staff_page
def queue(request: HttpRequest) -> HttpResponse:
    """The rectifications of the user's scope, by filter (open / overdue / closed), paged, with
    the lights of their deadlines and this month's indicators. A constant number of queries.
    Whoever reads ratings in a scope (an auditor too) reads its rectifications; the moves stay
    with those who work them."""
    require(request.user, Action.RATING_VIEW)
    now = timezone.now()
    show = request.GET.get("show", "open")
    if show not in selectors.FILTERS:
        show = "open"
    rows = selectors.rectification_queue(request.user, show=show, now=now)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    bounds = light_boundaries(now)
    figures = rectification_figures(
        selectors.ratings_in_scope(request.user), month=timezone.localdate(now), now=now
    )
    return _render(
        request,
        "queue.html",
        {
            "page": page,
            "rows": [(row, selectors.deadline_of(row, bounds)) for row in page.object_list],
            "show": show,
            "filters": [
                ("open", _("Open")),
                ("overdue", _("Overdue")),
                ("closed", _("Closed")),
            ],
            "figures": figures,
            "target": TARGET_PERCENT,
            "query_prefix": f"show={show}",
        },
    )


# --- one rectification -----------------------------------------------------------------------


def _rater(rectification: Rectification) -> dict[str, Any]:
    """The rater (the rated case's applicant), masked, for the call-back."""
    case = rectification.rating.case
    if case.applicant_type == ApplicantType.LEGAL_PERSON and case.organisation is not None:
        return {
            "name": case.organisation.name,
            "phone_masked": case.organisation.contact_phone_masked,
        }
    if case.person is not None:
        return {"name": case.person.name, "phone_masked": case.person.phone_masked}
    return {"name": "", "phone_masked": ""}


def _detail(
    request: HttpRequest,
    rectification: Rectification,
    *,
    error: dict[str, Any] | None = None,
    error_at: str = "",
    typed: dict[str, str] | None = None,
    phone: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    rating = rectification.rating
    events = list(rectification.events.select_related("actor").order_by("at", "id"))
    may_work = can(request.user, Action.RECTIFY_WORK, rectification)
    return _render(
        request,
        "detail.html",
        {
            "r": rectification,
            "rating": rating,
            "deadline": selectors.deadline_of(rectification, light_boundaries(now)),
            "options": selectors.options_shown(rating),
            "dimensions": selectors.dimensions_shown(rating),
            "rated_staff": list(rating.rated_staff.select_related("user")),
            "events": events,
            "event_labels": RECTIFICATION_EVENTS.labels(),
            "moves": selectors.moves_for(request.user, rectification),
            "rater": _rater(rectification) if may_work else None,
            "may_reveal": may_work and rectification.state in OPEN_STATES,
            "phone": phone,
            "levels": Level.choices,
            "callback_results": CallbackResult.choices,
            "ledger_min": rectify.ledger_days_bounds()[0],
            "ledger_max": rectify.ledger_days_bounds()[1],
            "error": error,
            "error_at": error_at,
            "typed": typed or {},
        },
        status=status,
    )


@require_safe
@staff_page
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, selectors.rectification_for(request.user, number))


MoveCall = Callable[[Rectification, Any, dict[str, str], int], Any]

MOVES: dict[str, tuple[tuple[str, ...], MoveCall]] = {
    "verify": (
        ("callback_result", "finding"),
        lambda r, u, p, rev: rectify.rectification_verify(
            rectification=r,
            actor=u,
            callback_result=p["callback_result"],
            finding=p["finding"],
            expected_revision=rev,
        ),
    ),
    "fix_now": (
        ("fix_summary",),
        lambda r, u, p, rev: rectify.rectification_fix_now(
            rectification=r, actor=u, fix_summary=p["fix_summary"], expected_revision=rev
        ),
    ),
    "ledger": (
        ("days", "plan"),
        lambda r, u, p, rev: rectify.rectification_ledger(
            rectification=r, actor=u, days=p["days"], plan=p["plan"], expected_revision=rev
        ),
    ),
    "submit_fix": (
        ("fix_summary", "evidence"),
        lambda r, u, p, rev: rectify.rectification_submit_fix(
            rectification=r,
            actor=u,
            fix_summary=p["fix_summary"],
            evidence=p["evidence"],
            expected_revision=rev,
        ),
    ),
    "explain": (
        ("explanation",),
        lambda r, u, p, rev: rectify.rectification_explain(
            rectification=r, actor=u, explanation=p["explanation"], expected_revision=rev
        ),
    ),
    "uphold_appeal": (
        ("decision",),
        lambda r, u, p, rev: rectify.rectification_uphold_appeal(
            rectification=r, actor=u, decision=p["decision"], expected_revision=rev
        ),
    ),
    "reject_appeal": (
        ("decision",),
        lambda r, u, p, rev: rectify.rectification_reject_appeal(
            rectification=r, actor=u, decision=p["decision"], expected_revision=rev
        ),
    ),
    "recheck": (
        ("level", "note"),
        lambda r, u, p, rev: rectify.rectification_recheck(
            rectification=r, actor=u, level=p["level"], note=p["note"], expected_revision=rev
        ),
    ),
}


def _existing(number: str) -> Rectification:
    """The rectification by number, for a move: the move's service checks the permission
    (missing and not yours answer the same 404)."""
    if not number or len(number) > selectors.NUMBER_MAX_LENGTH:
        raise NotFoundOrForbidden()
    row = Rectification.objects.select_related("rating").filter(number=number).first()
    if row is None:
        raise NotFoundOrForbidden()
    return row


@require_POST
@staff_page
def move(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One move of the loop, from its form on the rectification's page."""
    if action not in MOVES:
        raise NotFoundOrForbidden()
    fields, call = MOVES[action]
    rectification = _existing(number)
    typed = {name: request.POST.get(name, "") for name in fields}
    try:
        call(rectification, request.user, typed, _revision(request))
    except ApplicationError as exc:
        shown = _shown(exc)
        fresh = selectors.rectification_for(request.user, number)
        # A move no longer offered (a colleague moved it meanwhile) has no form to show the
        # error at: it is shown at the top of the page.
        at = action if action in selectors.moves_for(request.user, fresh) else ""
        return _detail(request, fresh, error=shown, error_at=at, typed=typed, status=exc.status)
    messages.success(request, MOVE_DONE[action])
    return redirect("ratings_staff:rectification", number=rectification.number)


@require_POST
@staff_page
def reveal_phone(request: HttpRequest, number: str) -> HttpResponse:
    """The rater's phone in clear, to make the call-back: whoever works the rectification,
    while it is open; every reveal audited by ``applicants`` with the purpose and the case."""
    rectification = _existing(number)
    require(request.user, Action.RECTIFY_WORK, rectification, hide=True)
    rectification = selectors.rectification_for(request.user, number)
    if rectification.state not in OPEN_STATES:
        raise NotFoundOrForbidden()
    case = rectification.rating.case
    if case.applicant_type == ApplicantType.LEGAL_PERSON and case.organisation is not None:
        phone = organisation_reveal(
            organisation=case.organisation,
            field="contact_phone",
            actor=request.user,
            purpose=rectify.CALLBACK_PURPOSE,
            case_number=case.number,
        )
    elif case.person is not None:
        phone = person_reveal(
            person=case.person,
            field="phone",
            actor=request.user,
            purpose=rectify.CALLBACK_PURPOSE,
            case_number=case.number,
        )
    else:
        phone = ""
    return _detail(request, rectification, phone=phone or "—")


# --- my ratings ------------------------------------------------------------------------------


def _may_see_my_ratings(user: Any) -> bool:
    return can(user, Action.RATING_APPEAL)


def _mine(
    request: HttpRequest,
    *,
    error: dict[str, Any] | None = None,
    error_at: int | None = None,
    typed: str = "",
    status: int = 200,
) -> HttpResponse:
    page = Paginator(selectors.my_ratings(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for rated in page.object_list:
        rating = rated.rating
        rows.append(
            {
                "rated": rated,
                "rating": rating,
                "rectification": getattr(rating, "rectification", None),
                # Masked: a number in the comment could name the rater.
                "comment": mask_personal(rating.comment),
                "options": selectors.options_shown(rating),
                "dimensions": selectors.dimensions_shown(rating),
                "may_appeal": selectors.may_appeal(request.user, rating),
            }
        )
    return _render(
        request,
        "mine.html",
        {"page": page, "rows": rows, "error": error, "error_at": error_at, "typed": typed},
        status=status,
    )


@require_safe
@staff_page
def mine(request: HttpRequest) -> HttpResponse:
    """The ratings about the signed-in member of staff: level, dimensions, options, comment,
    the rectification's state — never the rater's name, phone or ID, nor the case number."""
    if not _may_see_my_ratings(request.user):
        raise PermissionDenied()
    return _mine(request)


@require_POST
@staff_page
def appeal(request: HttpRequest, rating_id: int) -> HttpResponse:
    """The rated staff's appeal of one rating about them (申诉)."""
    staff: Any = request.user  # signed in: ``staff_page``
    if record_id(rating_id) is None:  # the path takes any number of digits
        raise NotFoundOrForbidden()
    rated = (
        RatedStaff.objects.select_related("rating__rectification")
        .filter(rating_id=rating_id, user=staff)
        .first()
    )
    rectification = getattr(rated.rating, "rectification", None) if rated else None
    if rectification is None:
        raise NotFoundOrForbidden()
    reason = request.POST.get("reason", "")
    try:
        rectify.rectification_appeal(
            rectification=rectification,
            actor=request.user,
            reason=reason,
            expected_revision=_revision(request),
        )
    except ApplicationError as exc:
        return _mine(
            request, error=_shown(exc), error_at=rating_id, typed=reason, status=exc.status
        )
    messages.success(request, _("The appeal is sent to the centre manager."))
    return redirect("ratings_staff:mine")


# --- appeals to review -----------------------------------------------------------------------


@require_safe
@staff_page
def appeals(request: HttpRequest) -> HttpResponse:
    """The appeals of the manager's centre waiting for a decision, oldest first."""
    require(request.user, Action.RATING_APPEAL_REVIEW)
    page = Paginator(selectors.appeals_to_review(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _render(request, "appeals.html", {"page": page, "query_prefix": ""})
